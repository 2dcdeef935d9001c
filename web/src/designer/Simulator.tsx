import { useRef, useState } from "react";
import { Alert, Button, Card, Form, Input, List, Select, Tag } from "antd";
import { api, send } from "../api";
import type { FlowDoc } from "./flowGraph";
import type { Labels } from "./labels";

interface SimResult {
  steps: { node: string; kind: string; detail: string }[];
  path: string[];
  outcome: string | null;
  target: string | null;
  waiting_at: string | null;
}

/** What a prompt says: the text of a `tts:` prompt, else its name. */
function spoken(p: string): string {
  const m = /^tts:[a-z]+:(.*)$/s.exec(p);
  return m ? m[1] : p;
}

/** Plays a `tts:` prompt as a caller will hear it. */
async function speak(prompt: string, player: HTMLAudioElement | null) {
  const m = /^tts:([a-z]+):(.*)$/s.exec(prompt);
  if (!m || !player) return;
  const r = await send("POST", "/prompts/speak", { body: JSON.stringify({ voice: m[1], text: m[2] }), type: "application/json" });
  player.src = URL.createObjectURL(await r.blob());
  await player.play();
}

/** Runs the draft on the server's interpreter with a caller's number, time,
 * language and keys; lists each step and highlights the path. */
export function Simulator(props: { L: Labels; doc: () => FlowDoc; onPath: (path: string[]) => void }) {
  const { L } = props;
  const [caller, setCaller] = useState("13800138000");
  const [time, setTime] = useState(() => {
    const d = new Date();
    d.setHours(10, 0, 0, 0);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  });
  const [lang, setLang] = useState<string | undefined>(undefined);
  const [keys, setKeys] = useState("");
  const [lookups, setLookups] = useState("{}");
  const [result, setResult] = useState<SimResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const player = useRef<HTMLAudioElement>(null);

  const run = async () => {
    setError(null);
    try {
      const r = await api<SimResult>("POST", "/ivr/simulate", {
        document: props.doc(),
        caller,
        at: new Date(time).getTime(),
        lang,
        keys,
        lookups: JSON.parse(lookups || "{}"),
      });
      setResult(r);
      props.onPath(r.path);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <Card size="small" title={L.simulator} data-testid="simulator">
      <audio ref={player} data-testid="sim-player" />
      <Form layout="vertical" size="small">
        <Form.Item label={L.caller}><Input name="sim-caller" value={caller} onChange={(e) => setCaller(e.target.value)} /></Form.Item>
        <Form.Item label={L.time}><Input name="sim-time" type="datetime-local" value={time} onChange={(e) => setTime(e.target.value)} /></Form.Item>
        <Form.Item label={L.fields.lang}>
          <Select allowClear value={lang} onChange={setLang} options={[{ value: "zh", label: "zh" }, { value: "en", label: "en" }]} />
        </Form.Item>
        <Form.Item label={L.lookupAnswers}><Input.TextArea name="sim-lookups" rows={2} value={lookups} onChange={(e) => setLookups(e.target.value)} style={{ fontFamily: "monospace" }} /></Form.Item>
        <Form.Item label={L.keysPressed}><Input name="sim-keys" value={keys} onChange={(e) => setKeys(e.target.value)} /></Form.Item>
        <Button type="primary" onClick={() => void run()}>{L.run}</Button>
      </Form>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 8 }} />}
      {result && (
        <>
          <div data-testid="sim-outcome" style={{ marginTop: 8 }}>
            {result.outcome ? (
              <Tag color="blue">{L.outcome}: {result.outcome}{result.target ? ` → ${result.target}` : ""}</Tag>
            ) : (
              <Tag color="orange">{L.waitingAt}: {result.waiting_at}</Tag>
            )}
          </div>
          <List
            size="small"
            style={{ maxHeight: 220, overflow: "auto" }}
            dataSource={result.steps.filter((s) => s.kind !== "enter")}
            renderItem={(s) => (
              <List.Item>
                <Tag>{s.node}</Tag>
                {s.kind === "play" ? (
                  s.detail.startsWith("tts:") ? (
                    <Button type="link" size="small" onClick={() => void speak(s.detail, player.current).catch((e) => setError((e as Error).message))}>🔊 {spoken(s.detail)}</Button>
                  ) : `🔊 ${spoken(s.detail)}`
                ) : s.kind === "key" ? `⌨ ${s.detail}` : `${s.kind} ${s.detail}`}
              </List.Item>
            )}
          />
        </>
      )}
    </Card>
  );
}
