import { useState } from "react";
import { api, ApiError } from "../api";
import type { T } from "../i18n";

/** Hold and resume for the agent's call in progress (from the desktop,
 * whatever the phone: the server holds the caller and plays the queue's
 * music), and the "monitored" sign when the center shows it. */
export function CallControls(props: { t: T; contact: string; held: boolean; monitored: string | null; onChanged: (held: boolean) => void }) {
  const { t, contact, held, monitored } = props;
  const [error, setError] = useState<string | null>(null);
  const toggle = async () => {
    setError(null);
    try {
      await api("POST", `/calls/${contact}/${held ? "resume" : "hold"}`);
      props.onChanged(!held);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  return (
    <div className="call-controls" data-testid="call-controls">
      <button type="button" className={held ? "primary" : ""} onClick={() => void toggle()} data-testid="hold">
        {held ? t("resume") : t("hold")}
      </button>
      {held && <span className="tag warn" data-testid="held">{t("onHold")}</span>}
      {monitored && <span className="tag" data-testid="monitored">{t("monitoring")}</span>}
      {error && <span className="error">{error}</span>}
    </div>
  );
}
