import { useRef, useState } from "react";
import { Button, Card, Input, Space, Table, Tag, message } from "antd";
import { api, ApiError, send } from "../api";
import { clock, type Lang, type T } from "../i18n";
import { type NameBook, nameOf } from "../names";
import { WebCall } from "../webcall";

export interface LiveCall {
  contact_id: string;
  from: string;
  to: string;
  queue_id: string | null;
  agent_id: string | null;
  extension: string | null;
  phase: string;
  started_at: number;
  held: boolean;
  monitored_by: string | null;
  monitor_mode: string | null;
}

type Mode = "listen" | "whisper" | "barge";

/** Calls in progress, with listen / whisper / barge for each talking one:
 * on the supervisor's SIP phone when an extension is given (the server
 * rings it), else in this browser over WebRTC. A second mode switches the
 * monitoring already going, without dialling again. */
export function LiveCalls(props: { t: T; lang: Lang; book: NameBook; calls: LiveCall[]; now: number; reload: () => void; readOnly?: boolean }) {
  const { t, lang, book, calls, now, reload, readOnly } = props;
  const [extension, setExtension] = useState("");
  const [mine, setMine] = useState<{ contact: string; mode: Mode } | null>(null);
  const webcall = useRef<WebCall | null>(null);
  const audio = useRef<HTMLAudioElement | null>(null);

  const fail = (e: unknown) => void message.error(`${t("monitorFailed")}: ${e instanceof ApiError ? e.message : String(e)}`);

  async function monitor(contact: string, mode: Mode) {
    try {
      if (mine?.contact === contact || extension.trim()) {
        await api("PUT", `/calls/${contact}/monitor`, { mode, ...(extension.trim() && mine?.contact !== contact ? { extension: extension.trim() } : {}) });
      } else {
        const call = new WebCall(audio.current!, (s, err) => {
          if (s === "failed") fail(err);
          if (s === "ended" || s === "failed") setMine((m) => (m?.contact === contact ? null : m));
        });
        webcall.current?.end();
        webcall.current = call;
        await call.callWith(async (offer) => {
          const r = await send("POST", `/calls/${contact}/monitor/browser?mode=${mode}`, { body: offer, type: "application/sdp" });
          return { sdp: await r.text(), token: contact };
        });
      }
      setMine({ contact, mode });
      reload();
    } catch (e) {
      fail(e);
    }
  }

  // The supervisor becomes the caller's party; the agent goes to wrap-up.
  async function takeOver(contact: string) {
    try {
      await api("POST", `/calls/${contact}/take-over`);
      setMine(null);
      reload();
    } catch (e) {
      fail(e);
    }
  }

  async function stop(contact: string) {
    webcall.current?.end();
    webcall.current = null;
    setMine(null);
    await api("DELETE", `/calls/${contact}/monitor`).catch(() => {});
    reload();
  }

  const modes: [Mode, "monitorListen" | "monitorWhisper" | "monitorBarge"][] = [["listen", "monitorListen"], ["whisper", "monitorWhisper"], ["barge", "monitorBarge"]];
  return (
    <Card size="small" title={t("liveCalls")} data-testid="live-calls"
      extra={!readOnly && <Input size="small" style={{ width: 240 }} placeholder={t("monitorOnPhone")} value={extension} onChange={(e) => setExtension(e.target.value)} data-testid="monitor-extension" />}>
      <audio ref={audio} autoPlay data-testid="monitor-audio" />
      <Table<LiveCall>
        rowKey="contact_id"
        size="small"
        pagination={false}
        dataSource={calls}
        locale={{ emptyText: t("noLiveCalls") }}
        onRow={(c) => ({ "data-testid": `live-${c.contact_id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t("callFrom"), dataIndex: "from" },
          { title: t("callQueue"), key: "queue", render: (_, c) => (c.queue_id ? nameOf(book, "queue", c.queue_id, lang) : "—") },
          { title: t("callAgent"), key: "agent", render: (_, c) => c.extension ?? "—" },
          {
            title: t("callPhase"),
            key: "phase",
            render: (_, c) => (
              <Space size={4}>
                <Tag>{t(`phase_${c.phase}` as "phase_other")}</Tag>
                {c.held && <Tag color="orange">{t("onHold")}</Tag>}
                {c.monitor_mode && <Tag color="red">{t("monitoring")} · {t(modes.find((m) => m[0] === c.monitor_mode)?.[1] ?? "monitorListen")}</Tag>}
              </Space>
            ),
          },
          { title: t("callDuration"), key: "duration", sorter: (a, b) => a.started_at - b.started_at, render: (_, c) => clock(now - c.started_at) },
          {
            title: "",
            key: "actions",
            render: (_, c) =>
              !readOnly && c.phase === "talking" && (
                <Space size={4}>
                  {modes.map(([mode, label]) => (
                    <Button key={mode} size="small" type={mine?.contact === c.contact_id && mine.mode === mode ? "primary" : "default"}
                      onClick={() => void monitor(c.contact_id, mode)} data-testid={`${mode}-${c.contact_id}`}>
                      {t(label)}
                    </Button>
                  ))}
                  {mine?.contact === c.contact_id && (
                    <>
                      <Button size="small" onClick={() => void takeOver(c.contact_id)} data-testid={`takeover-${c.contact_id}`}>{t("monitorTakeOver")}</Button>
                      <Button size="small" danger onClick={() => void stop(c.contact_id)} data-testid={`stop-${c.contact_id}`}>{t("monitorStop")}</Button>
                    </>
                  )}
                </Space>
              ),
          },
        ]}
      />
    </Card>
  );
}
