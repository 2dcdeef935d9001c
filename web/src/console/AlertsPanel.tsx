import { Button, Card, Empty, List, Space, Switch, Tag, Typography } from "antd";
import { api } from "../api";
import { clock, type Lang, type T } from "../i18n";
import { type NameBook, nameOf } from "../names";

export interface Alert {
  id: number;
  kind: "long_wait" | "service_level" | "not_ready" | "long_call";
  queue_id: string;
  subject: string;
  raised_at: number;
  value: number;
  threshold: number;
  acked_by: string | null;
  acked_at: number | null;
}

/** What crossed the threshold, in words people read: a wait or a time as
 * m:ss, a service level as a percentage. */
function measure(a: Alert): string {
  return a.kind === "service_level" ? `${a.value.toFixed(0)}% < ${a.threshold.toFixed(0)}%` : `${clock(a.value)} > ${clock(a.threshold)}`;
}

/** A short beep when an alert is raised (if the supervisor wants one). */
export function beep(): void {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.2);
    osc.onended = () => void ctx.close();
  } catch {
    // No audio output: the board still shows the alert.
  }
}

/** The alerts raised now, newest first, each acknowledged by a click. */
export function AlertsPanel(props: {
  t: T;
  lang: Lang;
  book: NameBook;
  alerts: Alert[];
  agentName: (id: string) => string;
  sound: boolean;
  setSound: (on: boolean) => void;
  reload: () => void;
  /** A wall display: nothing to acknowledge. */
  readOnly?: boolean;
}) {
  const { t, lang, book, alerts, agentName, sound, setSound, reload, readOnly } = props;
  const subject = (a: Alert) =>
    a.kind === "not_ready" ? agentName(a.subject) : a.kind === "long_call" ? nameOf(book, "queue", a.queue_id, lang) : nameOf(book, "queue", a.subject, lang);
  return (
    <Card size="small" title={<Space>{t("alerts")}{alerts.some((a) => !a.acked_by) && <Tag color="red">{alerts.filter((a) => !a.acked_by).length}</Tag>}</Space>}
      data-testid="alerts" extra={<Space><Typography.Text type="secondary">{t("alertSound")}</Typography.Text><Switch size="small" checked={sound} onChange={setSound} /></Space>}>
      {alerts.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("noAlerts")} />
      ) : (
        <List
          size="small"
          dataSource={[...alerts].reverse()}
          renderItem={(a) => (
            <List.Item data-testid={`alert-${a.kind}-${a.subject}`}
              actions={[
                readOnly ? null : a.acked_by ? (
                  <Tag key="acked">{t("alertAckedBy")} · {a.acked_by}</Tag>
                ) : (
                  <Button key="ack" size="small" onClick={() => void api("POST", `/alerts/${a.id}/ack`).then(reload)} data-testid={`ack-${a.id}`}>{t("alertAck")}</Button>
                ),
              ]}>
              <Space>
                <Tag color={a.acked_by ? "default" : "red"}>{t(`alert_${a.kind}`)}</Tag>
                <span>{subject(a)}</span>
                <Typography.Text type="secondary">{measure(a)}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
