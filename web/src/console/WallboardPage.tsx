import { useCallback, useEffect, useRef, useState } from "react";
import { Badge, Button, Card, Col, Dropdown, Row, Select, Space, Statistic, Table, Tag, Typography } from "antd";
import { api, token } from "../api";
import { EventStream } from "../events";
import { clock, translateId, type Lang, type T } from "../i18n";
import { EMPTY_BOOK, loadNames, NameBook, nameOf } from "../names";
import { type Alert, AlertsPanel, beep } from "./AlertsPanel";
import { type LiveCall, LiveCalls } from "./LiveCalls";
import { DisplaysCard } from "./DisplaysCard";

interface QueueStats {
  queue_id: string;
  waiting: number;
  longest_wait_ms: number;
  agents: { available: number; busy: number; wrap_up: number; not_ready: number; logged_in: number };
  offered: number;
  answered: number;
  abandoned: number;
  service_level_pct: number | null;
  service_level_target_pct: number;
}

interface AgentRow {
  agent_id: string;
  extension: string;
  name: string;
  status: string;
  state: string;
  reason: string | null;
  offer: { queue_id: string } | null;
  active: string[];
  handled_today: number;
}

/** The supervisor's live view of the floor: a tile per queue (waiting,
 * longest wait, today's offered / answered / abandoned, service level
 * against target, agents by state) and the agent grid (state and reason,
 * time in state, current call, handled today; filter by queue and team,
 * sort by any column), the alerts raised now (acknowledged here, with an
 * optional sound) and the calls in progress (listen, whisper, barge).
 * Refreshed after events of the stream (at most once a second however many
 * arrive), and every 5 s besides (waits grow without events). */
export function WallboardPage(props: { t: T; lang: Lang; tv?: boolean }) {
  const { t, lang, tv } = props;
  const [queues, setQueues] = useState<QueueStats[]>([]);
  const [agents, setAgents] = useState<AgentRow[]>([]);
  const [members, setMembers] = useState<Record<string, { queues: string[]; team: string | null }>>({});
  const [book, setBook] = useState<NameBook>(EMPTY_BOOK);
  const [live, setLive] = useState(false);
  const [queueFilter, setQueueFilter] = useState<string | undefined>();
  const [teamFilter, setTeamFilter] = useState<string | undefined>();
  const [now, setNow] = useState(Date.now());
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [calls, setCalls] = useState<LiveCall[]>([]);
  const [sound, setSound] = useState(false);
  const [reasons, setReasons] = useState<{ id: string }[]>([]);
  const soundOn = useRef(false);
  soundOn.current = sound;
  // When each agent's state was first seen as it is now.
  const since = useRef<Record<string, { key: string; at: number }>>({});

  const load = useCallback(async () => {
    const ids = await api<{ id: string }[]>("GET", "/queues");
    const [stats, states, raised, live] = await Promise.all([
      Promise.all(ids.map((q) => api<QueueStats>("GET", `/queues/${q.id}/stats`))),
      api<AgentRow[]>("GET", "/agent-states"),
      api<Alert[]>("GET", "/alerts"),
      // Without telephony there are no calls to show.
      api<LiveCall[]>("GET", "/calls").catch(() => [] as LiveCall[]),
    ]);
    setAlerts(raised);
    setCalls(live);
    const at = Date.now();
    for (const a of states) {
      const key = `${a.status}/${a.state}/${a.reason ?? ""}`;
      if (since.current[a.agent_id]?.key !== key) since.current[a.agent_id] = { key, at };
    }
    setQueues(stats);
    setAgents(states);
  }, []);
  useEffect(() => {
    void load();
    void loadNames().then(setBook);
    void api<{ id: string }[]>("GET", "/reason-codes").then(setReasons).catch(() => {});
    void api<{ id: string; queues: string[]; team: string | null }[]>("GET", "/agents").then((l) => setMembers(Object.fromEntries(l.map((a) => [a.id, a]))));
    // A busy floor sends many events a second: one reload covers them all.
    let pending: ReturnType<typeof setTimeout> | null = null;
    const soon = () => {
      pending ??= setTimeout(() => {
        pending = null;
        void load();
      }, 1000);
    };
    const tk = token();
    const stream = tk
      ? new EventStream(tk, (e) => {
          if (e.type === "alert" && e.change === "raised" && soundOn.current) beep();
          soon();
        }, setLive)
      : null;
    stream?.start();
    const poll = setInterval(() => void load(), 5000);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      stream?.stop();
      if (pending) clearTimeout(pending);
      clearInterval(poll);
      clearInterval(tick);
    };
  }, [load]);

  const stateWord = (a: AgentRow) =>
    a.state !== "idle" ? t(({ busy: "busy", reserved: "reserved", wrap_up: "wrapUp" } as const)[a.state as "busy"] ?? "busy")
    : t(({ available: "available", not_ready: "notReady" } as const)[a.status as "available"] ?? "loggedOut");
  const stateColor = (a: AgentRow) => (a.state === "busy" ? "blue" : a.state === "reserved" ? "orange" : a.state === "wrap_up" ? "purple" : a.status === "available" ? "green" : a.status === "not_ready" ? "gold" : "default");
  // A supervisor acts for an agent (audited by the server as such); the
  // grid shows the change with the next event.
  const act = (a: AgentRow, body: { state: string; reason?: string }) => void api("PUT", `/agents/${a.agent_id}/state`, body).then(load);
  const shown = agents.filter((a) => (!queueFilter || members[a.agent_id]?.queues.includes(queueFilter)) && (!teamFilter || members[a.agent_id]?.team === teamFilter));

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Badge status={live ? "success" : "default"} text={live ? t("connected") : t("reconnecting")} />
      <Row gutter={[16, 16]}>
        {queues.map((q) => {
          const below = q.service_level_pct !== null && q.service_level_pct < q.service_level_target_pct;
          return (
            <Col key={q.queue_id} xs={24} md={12} xl={8}>
              <Card size="small" title={nameOf(book, "queue", q.queue_id, lang)} data-testid={`tile-${q.queue_id}`}
                extra={below && <Tag color="red">{t("belowTarget")}</Tag>}>
                <Row gutter={8}>
                  <Col span={8}><Statistic title={t("waitingNow")} value={q.waiting} /></Col>
                  <Col span={8}><Statistic title={t("longestWait")} value={clock(q.longest_wait_ms)} /></Col>
                  <Col span={8}>
                    <Statistic title={`${t("slNow")} (${t("slTarget2")} ${q.service_level_target_pct}%)`} value={q.service_level_pct === null ? "—" : `${q.service_level_pct.toFixed(0)}%`}
                      styles={{ content: { color: below ? "#cf222e" : undefined } }} />
                  </Col>
                </Row>
                <Typography.Text type="secondary">
                  {t("offeredToday")} {q.offered} · {t("answeredToday")} {q.answered} · {t("abandonedToday")} {q.abandoned}
                </Typography.Text>
                <div>
                  <Tag color="green">{t("agentsAvailable")} {q.agents.available}</Tag>
                  <Tag color="blue">{t("agentsBusy")} {q.agents.busy}</Tag>
                  <Tag color="purple">{t("agentsWrapUp")} {q.agents.wrap_up}</Tag>
                  <Tag color="gold">{t("agentsNotReady")} {q.agents.not_ready}</Tag>
                </div>
              </Card>
            </Col>
          );
        })}
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <AlertsPanel t={t} lang={lang} book={book} alerts={alerts} sound={sound} setSound={setSound} reload={() => void load()} readOnly={tv}
            agentName={(id) => agents.find((a) => a.agent_id === id)?.name ?? id} />
        </Col>
        <Col xs={24} xl={14}>
          <LiveCalls t={t} lang={lang} book={book} calls={calls} now={now} reload={() => void load()} readOnly={tv} />
        </Col>
      </Row>
      <Card size="small" title={t("agentGrid")}
        extra={
          <Space>
            <Select allowClear placeholder={t("allQueues")} style={{ width: 150 }} value={queueFilter} onChange={setQueueFilter}
              options={Object.keys(book.names.queue).map((id) => ({ value: id, label: nameOf(book, "queue", id, lang) }))} />
            <Select allowClear placeholder={t("allTeams")} style={{ width: 150 }} value={teamFilter} onChange={setTeamFilter}
              options={Object.keys(book.names.team).map((id) => ({ value: id, label: nameOf(book, "team", id, lang) }))} />
          </Space>
        }>
        <Table<AgentRow>
          rowKey="agent_id"
          size="small"
          pagination={false}
          dataSource={shown}
          onRow={(a) => ({ "data-testid": `board-${a.extension}` }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: t("extension"), dataIndex: "extension", sorter: (a, b) => a.extension.localeCompare(b.extension), defaultSortOrder: "ascend" },
            { title: t("agentName"), dataIndex: "name", sorter: (a, b) => a.name.localeCompare(b.name) },
            {
              title: t("stateCol"),
              key: "state",
              sorter: (a, b) => stateWord(a).localeCompare(stateWord(b)),
              render: (_, a) => (
                <Tag color={stateColor(a)}>
                  {stateWord(a)}
                  {a.status === "not_ready" && a.reason ? ` · ${translateId(lang, `reason_${a.reason}`) ?? nameOf(book, "reason", a.reason, lang)}` : ""}
                </Tag>
              ),
            },
            {
              title: t("timeInStateCol"),
              key: "since",
              sorter: (a, b) => (since.current[b.agent_id]?.at ?? now) - (since.current[a.agent_id]?.at ?? now),
              render: (_, a) => clock(now - (since.current[a.agent_id]?.at ?? now)),
            },
            {
              title: t("currentCall"),
              key: "call",
              render: (_, a) => (a.offer ? nameOf(book, "queue", a.offer.queue_id, lang) : a.active.length ? `${a.active.length}` : "—"),
            },
            { title: t("handledCol"), dataIndex: "handled_today", sorter: (a, b) => a.handled_today - b.handled_today },
            ...(tv ? [] : [{
              title: "",
              key: "act",
              render: (_: unknown, a: AgentRow) => (
                <Dropdown trigger={["click"]} menu={{
                  items: [
                    { key: "available", label: t("forceAvailable"), disabled: a.status === "available", onClick: () => act(a, { state: "available" }) },
                    {
                      key: "not_ready",
                      label: t("forceNotReady"),
                      children: reasons.map((r) => ({
                        key: `nr-${r.id}`,
                        label: translateId(lang, `reason_${r.id}`) ?? nameOf(book, "reason", r.id, lang),
                        onClick: () => act(a, { state: "not_ready", reason: r.id }),
                      })),
                    },
                    { key: "logout", danger: true, label: t("forceLogout"), disabled: a.status === "logged_out", onClick: () => act(a, { state: "logged_out" }) },
                  ],
                }}>
                  <Button size="small" data-testid={`act-${a.extension}`}>{t("actForAgent")}</Button>
                </Dropdown>
              ),
            }]),
          ]}
        />
      </Card>
      {!tv && <DisplaysCard t={t} />}
    </Space>
  );
}
