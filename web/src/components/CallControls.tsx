import { useEffect, useState } from "react";
import { api, ApiError } from "../api";
import type { T } from "../i18n";

/** The agent's call in progress: hold and resume (the server holds the
 * caller and plays the queue's music, whatever the phone), secure pause of
 * the recording, blind transfer
 * to a queue (with a note for the next agent) or to a number, and the
 * "monitored" sign when the center shows it. */
export function CallControls(props: {
  t: T;
  contact: string;
  held: boolean;
  monitored: string | null;
  queueName: (id: string) => string;
  onChanged: (held: boolean) => void;
}) {
  const { t, contact, held, monitored } = props;
  const [error, setError] = useState<string | null>(null);
  const [queues, setQueues] = useState<string[]>([]);
  const [target, setTarget] = useState("");
  const [note, setNote] = useState("");
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    void api<{ id: string }[]>("GET", "/queues").then((l) => setQueues(l.map((q) => q.id))).catch(() => {});
  }, []);
  const run = async (f: () => Promise<void>) => {
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const toggle = () =>
    run(async () => {
      await api("POST", `/calls/${contact}/${held ? "resume" : "hold"}`);
      props.onChanged(!held);
    });
  // Secure pause: the caller reads out a card number; nothing of it is recorded.
  const pause = () =>
    run(async () => {
      await api("POST", `/calls/${contact}/recording/${paused ? "resume" : "pause"}`);
      setPaused(!paused);
    });
  const transfer = () =>
    run(async () => {
      const body = queues.includes(target) ? { queue: target, note } : { number: target.trim() };
      await api("POST", `/calls/${contact}/transfer`, body);
    });
  return (
    <div className="call-controls" data-testid="call-controls">
      <button type="button" className={held ? "primary" : ""} onClick={() => void toggle()} data-testid="hold">
        {held ? t("resume") : t("hold")}
      </button>
      {held && <span className="tag warn" data-testid="held">{t("onHold")}</span>}
      <button type="button" className={paused ? "primary" : ""} onClick={() => void pause()} data-testid="secure-pause">
        {paused ? t("resumeRecording") : t("pauseRecording")}
      </button>
      {paused && <span className="tag warn" data-testid="paused">{t("recordingPaused")}</span>}
      {monitored && <span className="tag" data-testid="monitored">{t("monitoring")}</span>}
      <span className="transfer">
        <input list="transfer-queues" placeholder={t("transferTo")} value={target} onChange={(e) => setTarget(e.target.value)} data-testid="transfer-target" />
        <datalist id="transfer-queues">
          {queues.map((q) => (
            <option key={q} value={q}>{props.queueName(q)}</option>
          ))}
        </datalist>
        {queues.includes(target) && <input placeholder={t("transferNote")} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} data-testid="transfer-note" />}
        <button type="button" disabled={!target.trim()} onClick={() => void transfer()} data-testid="transfer">{t("transfer")}</button>
      </span>
      {error && <span className="error">{error}</span>}
    </div>
  );
}
