import { useCallback, useEffect, useState } from "react";
import { Alert, Button, Drawer, Form, Input, InputNumber, Select, Space, Switch, Table, Tabs, Tag, message } from "antd";
import { CallerExperience, RoutingSteps } from "./QueueRouting";
import { api, ApiError, changedFields, FieldChange, getTagged, Me, sendTagged } from "../api";
import type { Key, T } from "../i18n";

export interface Queue {
  id: string;
  name: string;
  strategy: string;
  service_level_secs: number;
  service_level_target_pct: number;
  offer_timeout_secs: number;
  wrap_up_secs: number;
  max_wait_secs: number | null;
  give_up_action: string;
  overflow_queue: string | null;
  overflow_after_secs: number | null;
  enabled: boolean;
  steps: unknown[];
  caller_experience: Record<string, unknown>;
}

const STRATEGIES = ["longest_idle", "least_occupied", "round_robin", "best_skill"];
const GIVE_UP = ["voicemail", "callback", "hangup"];
/** The fields this form edits (sent as a PATCH with the version it was made to). */
const EDITED = ["name", "strategy", "service_level_secs", "service_level_target_pct", "offer_timeout_secs", "wrap_up_secs", "max_wait_secs", "give_up_action", "overflow_queue", "overflow_after_secs", "enabled", "steps", "caller_experience"] as const;

/** The queues: a table (sortable, filterable) and, for admins, an editor
 * that saves with the version it was opened at, so a colleague's save in
 * between is never overwritten silently. Supervisors see the same table
 * read-only. */
export function QueuesPage(props: { t: T; me: Me }) {
  const { t, me } = props;
  const mayEdit = me.roles.includes("admin");
  const [queues, setQueues] = useState<Queue[]>([]);
  const [editing, setEditing] = useState<{ queue: Queue; etag: string | null } | null>(null);
  const [creating, setCreating] = useState(false);
  const [createForm] = Form.useForm();
  const [skills, setSkills] = useState<{ value: string; label: string }[]>([]);
  const [prompts, setPrompts] = useState<string[]>([]);
  const [flows, setFlows] = useState<string[]>([]);
  const [stale, setStale] = useState<FieldChange[] | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const [form] = Form.useForm();
  const [toast, toastHolder] = message.useMessage();

  const load = useCallback(async () => setQueues(await api<Queue[]>("GET", "/queues")), []);
  useEffect(() => {
    load().catch((e) => setServerError(String(e)));
    void api<{ id: string; name: string; kind: string }[]>("GET", "/skills").then((l) => setSkills(l.filter((s) => s.kind === "skill").map((s) => ({ value: s.id, label: s.name }))));
    void api<{ name: string }[]>("GET", "/prompts").then((l) => setPrompts(l.map((p) => p.name))).catch(() => {});
    void api<{ id: string }[]>("GET", "/ivr/flows").then((l) => setFlows(l.map((f) => f.id))).catch(() => {});
  }, [load]);

  const create = async () => {
    const v = await createForm.validateFields();
    try {
      const made = await api<Queue>("POST", "/queues", { id: v.id, name: v.name });
      setCreating(false);
      toast.success(`${t("queueCreated")}${made.name}`);
      await load();
      await open(made.id);
    } catch (e) {
      if (e instanceof ApiError && e.field) createForm.setFields([{ name: e.field, errors: [e.message] }]);
      else setServerError((e as Error).message);
    }
  };

  const open = async (id: string) => {
    const { data, etag } = await getTagged<Queue>(`/queues/${id}`);
    setStale(null);
    setServerError(null);
    setEditing({ queue: data, etag });
    form.resetFields();
    form.setFieldsValue(data);
  };

  const save = async () => {
    if (!editing) return;
    const values = await form.validateFields();
    const patch: Record<string, unknown> = {};
    for (const f of EDITED) if (JSON.stringify(values[f] ?? null) !== JSON.stringify(editing.queue[f] ?? null)) patch[f] = values[f] ?? null;
    try {
      const saved = await sendTagged<Queue>("PATCH", `/queues/${editing.queue.id}`, patch, editing.etag);
      setEditing(null);
      toast.success(`${t("saved")}: ${saved.data.name}`);
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.code === "precondition_failed") {
        setStale(changedFields(e));
      } else if (e instanceof ApiError && e.field) {
        form.setFields([{ name: e.field.split(".")[0], errors: [e.message] }]);
      } else {
        setServerError(e instanceof Error ? e.message : String(e));
      }
    }
  };

  const label = (prefix: string, v: string) => t(`${prefix}_${v}` as Key);
  const fieldLabel = (f: string): string =>
    ({ name: t("queueName"), strategy: t("strategy"), service_level_secs: t("slSecs"), service_level_target_pct: t("slTarget"), offer_timeout_secs: t("offerTimeout"), wrap_up_secs: t("wrapUpSecs"), max_wait_secs: t("maxWait"), give_up_action: t("giveUp"), overflow_queue: t("overflowQueue"), overflow_after_secs: t("overflowAfter"), enabled: t("enabledQueue") })[f] ?? f;

  return (
    <>
      {toastHolder}
      {serverError && <Alert type="error" showIcon title={serverError} style={{ marginBottom: 16 }} />}
      {mayEdit && <Button type="primary" style={{ marginBottom: 16 }} onClick={() => { createForm.resetFields(); setCreating(true); }}>{t("newQueue")}</Button>}
      <Drawer open={creating} size={420} title={t("newQueue")} onClose={() => setCreating(false)}
        extra={<Space><Button onClick={() => setCreating(false)}>{t("cancel")}</Button><Button type="primary" onClick={() => void create()}>{t("save")}</Button></Space>}>
        <Form form={createForm} layout="vertical">
          <Form.Item name="id" label={t("queueId")} rules={[{ required: true, pattern: /^[a-z0-9_-]{1,32}$/ }]}><Input name="new-queue-id" /></Form.Item>
          <Form.Item name="name" label={t("queueName")} rules={[{ required: true, max: 64 }]}><Input name="new-queue-name" /></Form.Item>
        </Form>
      </Drawer>
      <Table<Queue>
        rowKey="id"
        dataSource={queues}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        onRow={(q) => ({ "data-testid": `queue-${q.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t("queueId"), dataIndex: "id", sorter: (a, b) => a.id.localeCompare(b.id) },
          { title: t("queueName"), dataIndex: "name", sorter: (a, b) => a.name.localeCompare(b.name) },
          {
            title: t("strategy"),
            dataIndex: "strategy",
            filters: STRATEGIES.map((s) => ({ text: label("strategy", s), value: s })),
            onFilter: (v, q) => q.strategy === v,
            render: (s: string) => label("strategy", s),
          },
          { title: t("serviceLevel"), key: "sl", render: (_, q) => `${q.service_level_target_pct}% / ${q.service_level_secs}s`, sorter: (a, b) => a.service_level_secs - b.service_level_secs },
          { title: t("wrapUpSecs"), dataIndex: "wrap_up_secs", sorter: (a, b) => a.wrap_up_secs - b.wrap_up_secs },
          { title: t("enabledQueue"), dataIndex: "enabled", render: (e: boolean) => (e ? <Tag color="green">{t("yes")}</Tag> : <Tag>{t("no")}</Tag>) },
          ...(mayEdit ? [{ title: "", key: "edit", render: (_: unknown, q: Queue) => <Button onClick={() => void open(q.id)}>{t("edit")}</Button> }] : []),
        ]}
      />
      <Drawer
        open={editing !== null}
        size={520}
        title={editing ? `${editing.queue.name} (${editing.queue.id})` : ""}
        onClose={() => setEditing(null)}
        extra={
          <Space>
            <Button onClick={() => setEditing(null)}>{t("cancel")}</Button>
            <Button type="primary" onClick={() => void save()} disabled={stale !== null}>{t("save")}</Button>
          </Space>
        }
      >
        {stale && (
          <Alert
            type="warning"
            showIcon
            role="alert"
            data-testid="stale"
            style={{ marginBottom: 16 }}
            title={t("staleTitle")}
            description={
              <>
                {t("staleHelp")}
                <ul>{stale.map((c) => <li key={c.field}>{fieldLabel(c.field)}: {JSON.stringify(c.before)} → {JSON.stringify(c.after)}</li>)}</ul>
              </>
            }
            action={editing && <Button size="small" onClick={() => void open(editing.queue.id)}>{t("reload")}</Button>}
          />
        )}
        <Form form={form} layout="vertical" disabled={!mayEdit}>
          <Tabs
            items={[
              { key: "basics", label: t("queueBasics"), forceRender: true, children: (<>
          <Form.Item name="name" label={t("queueName")} rules={[{ required: true, max: 64 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="strategy" label={t("strategy")}>
            <Select options={STRATEGIES.map((s) => ({ value: s, label: label("strategy", s) }))} />
          </Form.Item>
          <Space size="large" wrap>
            <Form.Item name="service_level_secs" label={t("slSecs")} tooltip={t("slSecsHelp")} rules={[{ required: true }]}>
              <InputNumber min={1} max={3600} />
            </Form.Item>
            <Form.Item name="service_level_target_pct" label={t("slTarget")} tooltip={t("slTargetHelp")} rules={[{ required: true }]}>
              <InputNumber min={1} max={100} />
            </Form.Item>
            <Form.Item name="offer_timeout_secs" label={t("offerTimeout")} tooltip={t("offerTimeoutHelp")} rules={[{ required: true }]}>
              <InputNumber min={1} max={600} />
            </Form.Item>
            <Form.Item name="wrap_up_secs" label={t("wrapUpSecs")} tooltip={t("wrapUpHelp")} rules={[{ required: true }]}>
              <InputNumber min={0} max={3600} />
            </Form.Item>
            <Form.Item name="max_wait_secs" label={t("maxWait")} tooltip={t("maxWaitHelp")}>
              <InputNumber min={1} max={86400} />
            </Form.Item>
          </Space>
          <Form.Item name="give_up_action" label={t("giveUp")}>
            <Select options={GIVE_UP.map((g) => ({ value: g, label: label("giveUp", g) }))} />
          </Form.Item>
          <Space size="large" wrap>
            <Form.Item name="overflow_queue" label={t("overflowQueue")} tooltip={t("overflowQueueHelp")}>
              <Select allowClear style={{ minWidth: 160 }} options={queues.filter((q) => q.id !== editing?.queue.id).map((q) => ({ value: q.id, label: q.name }))} />
            </Form.Item>
            <Form.Item name="overflow_after_secs" label={t("overflowAfter")}>
              <InputNumber min={1} max={86400} />
            </Form.Item>
          </Space>
          <Form.Item name="enabled" label={t("enabledQueue")} valuePropName="checked">
            <Switch />
          </Form.Item>
</>) },
              { key: "steps", label: t("routingSteps"), forceRender: true, children: <RoutingSteps t={t} skills={skills} /> },
              { key: "caller", label: t("callerExperience"), forceRender: true, children: <CallerExperience t={t} prompts={prompts} flows={flows} /> },
            ]}
          />
        </Form>
      </Drawer>
    </>
  );
}
