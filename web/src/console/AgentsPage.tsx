import { useCallback, useEffect, useState } from "react";
import { Alert, Button, Drawer, Form, Input, InputNumber, Select, Space, Switch, Table, Tag, Typography, message } from "antd";
import { api, ApiError, changedFields, FieldChange, getTagged, Me, sendTagged } from "../api";
import type { Lang, T } from "../i18n";
import { translateId } from "../i18n";
import { EMPTY_BOOK, loadNames, NameBook, nameOf } from "../names";

interface Agent {
  id: string;
  extension: string;
  name: string;
  skills: { skill: string; level: number }[];
  languages: string[];
  queues: string[];
  capacity: { voice: number; chat: number; email: number };
  enabled: boolean;
  team: string | null;
}

interface LiveState {
  agent_id: string;
  status: string;
  state: string;
  reason: string | null;
}

interface Skill {
  id: string;
  name: string;
  kind: "skill" | "language";
}

const EDITED = ["name", "skills", "languages", "queues", "capacity", "enabled", "team"] as const;

/** The agents: who they are, what they can do (skills with levels,
 * languages), where they work (queues), how much at once, and what they are
 * doing now (live). Admins edit everything and reset SIP passwords;
 * supervisors move agents between queues and adjust skills. Saves carry the
 * version they were made to. */
export function AgentsPage(props: { t: T; lang: Lang; me: Me }) {
  const { t, lang, me } = props;
  const isAdmin = me.roles.includes("admin");
  const [agents, setAgents] = useState<Agent[]>([]);
  const [live, setLive] = useState<Record<string, LiveState>>({});
  const [skills, setSkills] = useState<Skill[]>([]);
  const [book, setBook] = useState<NameBook>(EMPTY_BOOK);
  const [editing, setEditing] = useState<{ agent: Agent | null; etag: string | null } | null>(null);
  const [stale, setStale] = useState<FieldChange[] | null>(null);
  const [sipPassword, setSipPassword] = useState<string | null>(null);
  const [form] = Form.useForm();
  const [toast, holder] = message.useMessage();

  const load = useCallback(async () => {
    const [a, s] = await Promise.all([api<Agent[]>("GET", "/agents"), api<LiveState[]>("GET", "/agent-states").catch(() => [])]);
    setAgents(a);
    setLive(Object.fromEntries(s.map((x) => [x.agent_id, x])));
  }, []);
  useEffect(() => {
    void load();
    void api<Skill[]>("GET", "/skills").then(setSkills);
    void loadNames().then(setBook);
    const timer = setInterval(() => void load(), 5000);
    return () => clearInterval(timer);
  }, [load]);

  const skillName = (id: string) => book.labels[`skill:${id}:${lang}`] ?? skills.find((s) => s.id === id)?.name ?? id;
  const queueName = (id: string) => nameOf(book, "queue", id, lang);
  const stateTag = (a: Agent) => {
    const s = live[a.id];
    if (!s) return <Tag>—</Tag>;
    const word = s.state !== "idle" ? t(({ busy: "busy", reserved: "reserved", wrap_up: "wrapUp" } as const)[s.state as "busy"] ?? "busy")
      : t(({ available: "available", not_ready: "notReady" } as const)[s.status as "available"] ?? "loggedOut");
    const color = s.state === "busy" ? "blue" : s.status === "available" ? "green" : s.status === "not_ready" ? "orange" : "default";
    const reason = s.reason ? ` · ${translateId(lang, `reason_${s.reason}`) ?? nameOf(book, "reason", s.reason, lang)}` : "";
    return <Tag color={color}>{word}{reason}</Tag>;
  };

  const open = async (agent: Agent | null) => {
    setStale(null);
    setSipPassword(null);
    form.resetFields();
    if (agent) {
      const { data, etag } = await getTagged<Agent>(`/agents/${agent.id}`);
      setEditing({ agent: data, etag });
      form.setFieldsValue(data);
    } else {
      setEditing({ agent: null, etag: null });
      form.setFieldsValue({ skills: [], languages: ["zh"], queues: [], capacity: { voice: 1, chat: 3, email: 5 }, enabled: true });
    }
  };

  const save = async () => {
    if (!editing) return;
    const v = await form.validateFields();
    try {
      if (!editing.agent) {
        const created = await api<Agent>("POST", "/agents", { extension: v.extension, name: v.name, skills: v.skills, languages: v.languages, queues: v.queues, capacity: v.capacity });
        toast.success(`${t("agentSaved")}${created.name}`);
      } else {
        const patch: Record<string, unknown> = {};
        for (const f of EDITED) if (JSON.stringify(v[f] ?? null) !== JSON.stringify(editing.agent[f] ?? null)) patch[f] = f === "team" ? (v[f] ?? "") : v[f];
        if (!isAdmin) for (const f of ["name", "capacity", "enabled"]) delete patch[f];
        const saved = await sendTagged<Agent>("PATCH", `/agents/${editing.agent.id}`, patch, editing.etag);
        toast.success(`${t("agentSaved")}${saved.data.name}`);
      }
      setEditing(null);
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.code === "precondition_failed") setStale(changedFields(e));
      else if (e instanceof ApiError && e.field) form.setFields([{ name: e.field.split(/[.[]/)[0], errors: [e.message] }]);
      else toast.error(e instanceof Error ? e.message : String(e));
    }
  };

  const resetSip = async () => {
    if (!editing?.agent) return;
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    const password = Array.from(bytes, (b) => "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"[b % 56]).join("");
    await api("PUT", `/agents/${editing.agent.id}/sip-password`, { password });
    setSipPassword(password);
  };

  const skillOptions = skills.filter((s) => s.kind === "skill").map((s) => ({ value: s.id, label: skillName(s.id) }));
  const languageOptions = skills.filter((s) => s.kind === "language").map((s) => ({ value: s.id, label: skillName(s.id) }));
  const queueOptions = Object.keys(book.names.queue).map((id) => ({ value: id, label: queueName(id) }));
  const teamOptions = Object.keys(book.names.team).map((id) => ({ value: id, label: nameOf(book, "team", id, lang) }));

  return (
    <>
      {holder}
      {isAdmin && <Button type="primary" style={{ marginBottom: 16 }} onClick={() => void open(null)}>{t("newAgent")}</Button>}
      <Table<Agent>
        rowKey="id"
        dataSource={agents}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(a) => ({ "data-testid": `agent-${a.extension}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t("extension"), dataIndex: "extension", sorter: (a, b) => a.extension.localeCompare(b.extension), defaultSortOrder: "ascend" },
          { title: t("agentName"), dataIndex: "name" },
          { title: t("liveState"), key: "live", render: (_, a) => stateTag(a) },
          {
            title: t("skills"),
            key: "skills",
            filters: skillOptions.map((s) => ({ text: s.label, value: s.value })),
            onFilter: (v, a) => a.skills.some((s) => s.skill === v),
            render: (_, a) => a.skills.map((s) => <Tag key={s.skill}>{skillName(s.skill)} {s.level}</Tag>),
          },
          {
            title: t("queuesCol"),
            key: "queues",
            filters: queueOptions.map((q) => ({ text: q.label, value: q.value })),
            onFilter: (v, a) => a.queues.includes(v as string),
            render: (_, a) => a.queues.map((q) => <Tag key={q} color="geekblue">{queueName(q)}</Tag>),
          },
          {
            title: t("team"),
            key: "team",
            filters: teamOptions.map((x) => ({ text: x.label, value: x.value })),
            onFilter: (v, a) => a.team === v,
            render: (_, a) => (a.team ? nameOf(book, "team", a.team, lang) : <Typography.Text type="secondary">{t("noTeam")}</Typography.Text>),
          },
          { title: t("languages"), key: "languages", render: (_, a) => a.languages.map(skillName).join(", ") },
          { title: t("enabledQueue"), dataIndex: "enabled", render: (e: boolean) => (e ? <Tag color="green">{t("yes")}</Tag> : <Tag>{t("no")}</Tag>) },
          { title: "", key: "edit", render: (_, a) => <Button onClick={() => void open(a)}>{t("edit")}</Button> },
        ]}
      />
      <Drawer
        open={editing !== null}
        size={560}
        title={editing?.agent ? `${editing.agent.name} (${editing.agent.extension})` : t("newAgent")}
        onClose={() => setEditing(null)}
        extra={<Space><Button onClick={() => setEditing(null)}>{t("cancel")}</Button><Button type="primary" disabled={stale !== null} onClick={() => void save()}>{t("save")}</Button></Space>}
      >
        {stale && (
          <Alert type="warning" showIcon role="alert" style={{ marginBottom: 16 }} title={t("staleTitle")}
            description={<>{t("staleHelp")}<ul>{stale.map((c) => <li key={c.field}>{c.field}: {JSON.stringify(c.before)} → {JSON.stringify(c.after)}</li>)}</ul></>}
            action={editing?.agent && <Button size="small" onClick={() => void open(editing.agent)}>{t("reload")}</Button>} />
        )}
        <Form form={form} layout="vertical">
          {!editing?.agent && (
            <Form.Item name="extension" label={t("extension")} rules={[{ required: true, pattern: /^\d{2,10}$/ }]}>
              <Input name="extension" />
            </Form.Item>
          )}
          <Form.Item name="name" label={t("agentName")} rules={[{ required: true, max: 64 }]}>
            <Input name="name" disabled={!isAdmin} />
          </Form.Item>
          <Typography.Text strong>{t("skills")}</Typography.Text>
          <Form.List name="skills">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space key={f.key} align="baseline">
                    <Form.Item name={[f.name, "skill"]} rules={[{ required: true }]}><Select style={{ width: 180 }} options={skillOptions} /></Form.Item>
                    <Form.Item name={[f.name, "level"]} rules={[{ required: true }]}><InputNumber min={1} max={10} addonBefore={t("skillLevel")} /></Form.Item>
                    <Button type="link" danger onClick={() => remove(f.name)}>×</Button>
                  </Space>
                ))}
                <Button onClick={() => add({ skill: skillOptions[0]?.value, level: 5 })} style={{ marginBottom: 16 }}>{t("addSkill")}</Button>
              </>
            )}
          </Form.List>
          <Form.Item name="languages" label={t("languages")}><Select mode="multiple" options={languageOptions} /></Form.Item>
          <Form.Item name="queues" label={t("queuesCol")}><Select mode="multiple" options={queueOptions} /></Form.Item>
          {editing?.agent && <Form.Item name="team" label={t("team")}><Select allowClear placeholder={t("noTeam")} options={teamOptions} /></Form.Item>}
          <Space>
            <Form.Item name={["capacity", "voice"]} label={t("capVoice")}><InputNumber min={0} max={1} disabled={!isAdmin} /></Form.Item>
            <Form.Item name={["capacity", "chat"]} label={t("capChat")}><InputNumber min={0} max={20} disabled={!isAdmin} /></Form.Item>
            <Form.Item name={["capacity", "email"]} label={t("capEmail")}><InputNumber min={0} max={50} disabled={!isAdmin} /></Form.Item>
          </Space>
          {editing?.agent && (
            <Form.Item name="enabled" label={t("enabledQueue")} valuePropName="checked"><Switch disabled={!isAdmin} /></Form.Item>
          )}
        </Form>
        {isAdmin && editing?.agent && (
          <Space orientation="vertical">
            <Button onClick={() => void resetSip()}>{t("setSipPassword")}</Button>
            {sipPassword && <Alert type="info" showIcon data-testid="sip-password" title={t("sipPasswordShown")} description={<Typography.Text code copyable>{sipPassword}</Typography.Text>} />}
          </Space>
        )}
      </Drawer>
    </>
  );
}
