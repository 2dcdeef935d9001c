import { useEffect, useState } from "react";
import { AgentState, Code } from "../api";
import { clock, type T } from "../i18n";
import type { Namer } from "../names";

/** Available / not ready with a reason / wrap-up countdown, time in state, today's count. */
export function StateBar(props: {
  t: T;
  state: AgentState;
  since: number;
  reasons: Code[];
  name: Namer;
  onAvailable: () => void;
  onNotReady: (reason: string) => void;
  onEndWrapUp: () => void;
}) {
  const { t, state } = props;
  const [now, setNow] = useState(Date.now());
  const [reason, setReason] = useState("");
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);

  const label =
    state.state === "busy" ? t("busy")
    : state.state === "reserved" ? t("reserved")
    : state.state === "wrap_up" ? t("wrapUp")
    : state.status === "available" ? t("available")
    : state.status === "not_ready" ? t("notReady")
    : t("loggedOut");
  const reasonName = state.reason ? props.name("reason", state.reason) : null;
  const wrapLeft = state.state === "wrap_up" && state.wrap_up_until ? Math.max(0, state.wrap_up_until - now) : null;

  return (
    <section className={`state-bar state-${state.state} status-${state.status}`} aria-label="state">
      <div className="state-now">
        <span className="state-label" data-testid="state-label">{label}</span>
        {state.status === "not_ready" && reasonName && <span className="state-reason">· {reasonName}</span>}
        <span className="state-time" title={t("timeInState")}>{clock(now - props.since)}</span>
        {wrapLeft !== null && <span className="wrap-left">{t("timeLeft")} {clock(wrapLeft)}</span>}
      </div>
      <div className="state-actions">
        <button type="button" className="go-available" disabled={state.status === "available"} onClick={props.onAvailable}>
          {t("goAvailable")}
        </button>
        <select aria-label={t("reason")} value={reason} onChange={(e) => setReason(e.target.value)}>
          <option value="">{t("reason")}…</option>
          {props.reasons.map((r) => (
            <option key={r.id} value={r.id}>{props.name("reason", r.id)}</option>
          ))}
        </select>
        <button type="button" disabled={!reason} onClick={() => props.onNotReady(reason)}>{t("goNotReady")}</button>
        {state.state === "wrap_up" && <button type="button" onClick={props.onEndWrapUp}>{t("endWrapUp")}</button>}
      </div>
      <div className="state-count">{t("handledToday")}: <b>{state.handled_today}</b></div>
    </section>
  );
}
