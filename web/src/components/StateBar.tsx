import { useEffect, useState } from "react";
import { Button, Select, Space, Tag, Typography } from "antd";
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
  const [reason, setReason] = useState<string | undefined>(undefined);
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
      <Space className="state-now" size="middle">
        <span className="state-label" data-testid="state-label">{label}</span>
        {state.status === "not_ready" && reasonName && <Tag className="state-reason">{reasonName}</Tag>}
        <Typography.Text type="secondary" className="state-time" title={t("timeInState")}>{clock(now - props.since)}</Typography.Text>
        {wrapLeft !== null && <Tag color="orange" className="wrap-left">{t("timeLeft")} {clock(wrapLeft)}</Tag>}
      </Space>
      <Space className="state-actions" wrap>
        <Button type="primary" className="go-available" disabled={state.status === "available"} onClick={props.onAvailable}>
          {t("goAvailable")}
        </Button>
        <Select
          aria-label={t("reason")}
          data-testid="reason-select"
          placeholder={`${t("reason")}…`}
          value={reason}
          onChange={setReason}
          style={{ minWidth: 140 }}
          options={props.reasons.map((r) => ({ value: r.id, label: props.name("reason", r.id) }))}
        />
        <Button disabled={!reason} onClick={() => reason && props.onNotReady(reason)}>{t("goNotReady")}</Button>
        {state.state === "wrap_up" && <Button onClick={props.onEndWrapUp}>{t("endWrapUp")}</Button>}
      </Space>
      <div className="state-count">{t("handledToday")}: <b>{state.handled_today}</b></div>
    </section>
  );
}
