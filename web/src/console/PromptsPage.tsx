import { useCallback, useEffect, useRef, useState } from "react";
import { Alert, Button, Card, Input, Select, Space, Table, Tag, Typography, Upload, message } from "antd";
import { api, Me, send } from "../api";
import type { T } from "../i18n";
import { recordMicrophone } from "../wav";

interface Prompt {
  name: string;
  duration_ms: number;
}

/** Sends or fetches audio with the session (not JSON, so not `api`). */
async function audio(method: "GET" | "PUT" | "POST", path: string, body?: BodyInit, type?: string): Promise<Blob> {
  return (await send(method, path, { body, type })).blob();
}

/** Every string in a document (a flow, a queue). */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => strings(x, out));
  return out;
}

/** The prompts: uploaded or recorded in the browser, played back, and
 * where each is used (flows, queues); spoken text previewed as a caller
 * will hear it, with the name to write in a flow. */
export function PromptsPage(props: { t: T; me: Me }) {
  const { t, me } = props;
  const mayEdit = me.roles.includes("admin");
  const [prompts, setPrompts] = useState<Prompt[]>([]);
  const [uses, setUses] = useState<Record<string, string[]>>({});
  const [name, setName] = useState("");
  const [recording, setRecording] = useState<{ stop: () => Promise<Uint8Array> } | null>(null);
  const [text, setText] = useState("您好，欢迎致电热线服务中心。");
  const [voice, setVoice] = useState("cmn");
  const player = useRef<HTMLAudioElement>(null);
  const [toast, holder] = message.useMessage();

  const load = useCallback(async () => {
    const list = await api<Prompt[]>("GET", "/prompts");
    setPrompts(list);
    // Where each is used: the latest version of every flow, and the queues.
    const found: Record<string, string[]> = {};
    const note = (where: string, values: string[]) => {
      for (const p of list) if (values.some((v) => v === p.name || v.endsWith(`/${p.name}`))) (found[p.name] ??= []).push(where);
    };
    const flows = await api<{ id: string }[]>("GET", "/ivr/flows").catch(() => []);
    for (const f of flows) {
      const flow = await api<{ versions: { version: number; document: unknown }[] }>("GET", `/ivr/flows/${f.id}`).catch(() => null);
      if (flow?.versions[0]) note(`IVR ${f.id} v${flow.versions[0].version}`, strings(flow.versions[0].document));
    }
    const queues = await api<{ id: string; caller_experience: unknown }[]>("GET", "/queues").catch(() => []);
    for (const q of queues) note(`${t("navQueues")} ${q.id}`, strings(q.caller_experience));
    setUses(found);
  }, [t]);
  useEffect(() => {
    void load();
  }, [load]);

  const play = (blob: Blob) => {
    if (!player.current) return;
    player.current.src = URL.createObjectURL(blob);
    void player.current.play();
  };
  const validName = /^[a-z0-9_-]{1,32}$/.test(name);
  const upload = async (wav: BodyInit) => {
    try {
      await audio("PUT", `/prompts/${name}`, wav, "audio/wav");
      toast.success(`${t("promptSaved")}${name}`);
      await load();
    } catch (e) {
      toast.error((e as Error).message);
    }
  };

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      {holder}
      <audio ref={player} data-testid="prompt-player" />
      {mayEdit && (
        <Card size="small">
          <Space wrap>
            <Input name="prompt-name" placeholder={t("newPromptName")} value={name} onChange={(e) => setName(e.target.value)} style={{ width: 320 }} />
            <Upload accept=".wav,audio/wav" showUploadList={false} disabled={!validName} beforeUpload={(file) => { void upload(file); return false; }}>
              <Button disabled={!validName}>{t("upload")}</Button>
            </Upload>
            {recording ? (
              <Button danger onClick={async () => { const wav = await recording.stop(); setRecording(null); await upload(new Blob([wav as BlobPart], { type: "audio/wav" })); }}>{t("stopRecord")}</Button>
            ) : (
              <Button disabled={!validName} onClick={async () => setRecording(await recordMicrophone().catch((e) => { toast.error(String(e)); return null; }))}>{t("record")}</Button>
            )}
          </Space>
        </Card>
      )}
      <Card size="small" title={t("ttsText")} data-testid="tts">
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Input.TextArea name="tts-text" rows={2} maxLength={500} value={text} onChange={(e) => setText(e.target.value)} />
          <Space wrap>
            <Select value={voice} onChange={setVoice} style={{ width: 120 }} options={[{ value: "cmn", label: t("voice_cmn") }, { value: "eng", label: t("voice_eng") }]} />
            <Button onClick={async () => { try { play(await audio("POST", "/prompts/speak", JSON.stringify({ text, voice }), "application/json")); } catch (e) { toast.error((e as Error).message); } }}>{t("preview")}</Button>
            <Typography.Text type="secondary">{t("asPrompt")}</Typography.Text>
            <Typography.Text code copyable data-testid="tts-name">{`tts:${voice}:${text}`}</Typography.Text>
          </Space>
        </Space>
      </Card>
      {prompts.length === 0 && <Alert type="info" title="—" />}
      <Table<Prompt>
        rowKey="name"
        dataSource={prompts}
        pagination={false}
        onRow={(p) => ({ "data-testid": `prompt-${p.name}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t("promptName"), dataIndex: "name", sorter: (a, b) => a.name.localeCompare(b.name) },
          { title: t("duration"), dataIndex: "duration_ms", render: (ms: number) => `${(ms / 1000).toFixed(1)} s` },
          { title: t("usedBy"), key: "uses", render: (_, p) => (uses[p.name] ?? []).map((u) => <Tag key={u}>{u}</Tag>).concat(uses[p.name] ? [] : [<Typography.Text key="-" type="secondary">{t("unused")}</Typography.Text>]) },
          { title: "", key: "play", render: (_, p) => <Button onClick={async () => play(await audio("GET", `/prompts/${p.name}`))}>{t("play")}</Button> },
        ]}
      />
    </Space>
  );
}
