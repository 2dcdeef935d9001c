import { useCallback, useEffect, useState } from "react";
import { Alert, Button, Card, Checkbox, Input, Select, Space, Table, Tag, Typography, message } from "antd";
import { api } from "../api";
import type { T } from "../i18n";

interface NumberRow {
  number: string;
  flow_id: string;
}

interface Broadcast {
  number: string;
  prompt: string;
  instead: boolean;
  updated_at: number;
  updated_by?: string;
}

interface Trunk {
  name: string;
  gateway: string;
  transport: string;
  register: boolean;
  username: string;
  registered: boolean;
  last_error: string | null;
  max_concurrent: number;
}

/** Which number runs which IVR flow, the broadcast on each (an outage
 * message before, or instead of, the menu), and the SIP trunks with their
 * live registration. */
export function NumbersPage(props: { t: T }) {
  const { t } = props;
  const [numbers, setNumbers] = useState<NumberRow[]>([]);
  const [flows, setFlows] = useState<string[]>([]);
  const [broadcasts, setBroadcasts] = useState<Record<string, Broadcast>>({});
  const [trunks, setTrunks] = useState<Trunk[]>([]);
  const [drafts, setDrafts] = useState<Record<string, { prompt: string; instead: boolean }>>({});
  const [newNumber, setNewNumber] = useState("");
  const [toast, holder] = message.useMessage();

  const load = useCallback(async () => {
    const [n, f, b] = await Promise.all([
      api<NumberRow[]>("GET", "/ivr/numbers"),
      api<{ id: string }[]>("GET", "/ivr/flows"),
      api<Broadcast[]>("GET", "/ivr/broadcasts"),
    ]);
    setNumbers(n);
    setFlows(f.map((x) => x.id));
    setBroadcasts(Object.fromEntries(b.map((x) => [x.number, x])));
  }, []);
  const loadTrunks = useCallback(async () => setTrunks(await api<Trunk[]>("GET", "/trunks").catch(() => [])), []);
  useEffect(() => {
    void load();
    void loadTrunks();
    const timer = setInterval(() => void loadTrunks(), 5000);
    return () => clearInterval(timer);
  }, [load, loadTrunks]);

  const run = async (what: () => Promise<unknown>, ok: string) => {
    try {
      await what();
      toast.success(ok);
      await load();
    } catch (e) {
      toast.error((e as Error).message);
    }
  };
  const draft = (n: string) => drafts[n] ?? { prompt: broadcasts[n]?.prompt ?? "", instead: broadcasts[n]?.instead ?? false };

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      {holder}
      <Card size="small" title={t("numbersTitle")}>
        <Space style={{ marginBottom: 12 }}>
          <Input name="new-number" placeholder={t("number")} value={newNumber} onChange={(e) => setNewNumber(e.target.value)} style={{ width: 160 }} />
          <Button disabled={!/^\d{2,20}$/.test(newNumber) || flows.length === 0}
            onClick={() => void run(() => api("PUT", `/ivr/numbers/${newNumber}`, { flow_id: flows[0] }), `${t("numberSaved")}${flows[0]}`)}>
            {t("addNumber")}
          </Button>
        </Space>
        <Table<NumberRow>
          rowKey="number"
          size="small"
          pagination={false}
          dataSource={numbers}
          onRow={(n) => ({ "data-testid": `number-${n.number}` }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: t("number"), dataIndex: "number" },
            {
              title: t("flowCol"),
              key: "flow",
              render: (_, n) => (
                <Select value={n.flow_id} style={{ width: 160 }} options={flows.map((f) => ({ value: f, label: f }))}
                  onChange={(flow) => void run(() => api("PUT", `/ivr/numbers/${n.number}`, { flow_id: flow }), `${t("numberSaved")}${flow}`)} />
              ),
            },
            {
              title: t("broadcast"),
              key: "broadcast",
              render: (_, n) => (
                <Space wrap>
                  {broadcasts[n.number] && <Tag color="red">{t("broadcast")}</Tag>}
                  <Input name={`broadcast-${n.number}`} placeholder={t("broadcastPrompt")} style={{ width: 320 }} value={draft(n.number).prompt}
                    onChange={(e) => setDrafts({ ...drafts, [n.number]: { ...draft(n.number), prompt: e.target.value } })} />
                  <Checkbox checked={draft(n.number).instead} onChange={(e) => setDrafts({ ...drafts, [n.number]: { ...draft(n.number), instead: e.target.checked } })}>{t("instead")}</Checkbox>
                  <Button disabled={!draft(n.number).prompt.trim()} onClick={() => void run(() => api("PUT", `/ivr/numbers/${n.number}/broadcast`, draft(n.number)), t("setBroadcast"))}>{t("setBroadcast")}</Button>
                  {broadcasts[n.number] && (
                    <Button danger onClick={() => void run(async () => { await api("DELETE", `/ivr/numbers/${n.number}/broadcast`); setDrafts({ ...drafts, [n.number]: { prompt: "", instead: false } }); }, t("clearBroadcast"))}>{t("clearBroadcast")}</Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Card size="small" title={t("trunksTitle")} data-testid="trunks">
        <Alert type="info" showIcon title={t("trunksFromConfig")} style={{ marginBottom: 12 }} />
        <Table<Trunk>
          rowKey="name"
          size="small"
          pagination={false}
          dataSource={trunks}
          columns={[
            { title: t("promptName"), dataIndex: "name" },
            { title: t("gateway"), dataIndex: "gateway" },
            { title: t("transport"), dataIndex: "transport" },
            { title: t("username"), dataIndex: "username" },
            {
              title: t("registration"),
              key: "reg",
              render: (_, tr) =>
                !tr.register ? <Tag>{t("noRegister")}</Tag> : tr.registered ? <Tag color="green">{t("registeredYes")}</Tag> : (
                  <Space><Tag color="red">{t("registeredNo")}</Tag>{tr.last_error && <Typography.Text type="danger">{tr.last_error}</Typography.Text>}</Space>
                ),
            },
            { title: t("maxConcurrent"), dataIndex: "max_concurrent", render: (n: number) => (n ? n : t("noLimit")) },
          ]}
        />
      </Card>
    </Space>
  );
}
