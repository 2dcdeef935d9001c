import { useEffect, useState } from "react";
import { Button, Card, Form, Input, InputNumber, Select, Space, Switch, Typography } from "antd";
import type { Edge } from "@xyflow/react";
import { branchesOf, FieldValue, IvrNode } from "./flowGraph";
import type { Labels } from "./labels";

const CHOICES: Record<string, string[]> = {
  validate: ["none", "chinese_id"],
  as: ["number", "digits", "amount", "date"],
  lang: ["zh", "en"],
};

/** A JSON field (a schedule, lookup parameters): edited as text, taken
 * when it parses. */
function JsonField(props: { name: string; value: FieldValue; onChange: (v: FieldValue) => void }) {
  const [text, setText] = useState(JSON.stringify(props.value, null, 2));
  const [bad, setBad] = useState(false);
  useEffect(() => setText(JSON.stringify(props.value, null, 2)), [props.value]);
  return (
    <Input.TextArea
      name={props.name}
      rows={5}
      status={bad ? "error" : undefined}
      value={text}
      style={{ fontFamily: "monospace", fontSize: 12 }}
      onChange={(e) => {
        setText(e.target.value);
        try {
          props.onChange(JSON.parse(e.target.value));
          setBad(false);
        } catch {
          setBad(true);
        }
      }}
    />
  );
}

/** The side panel: the selected node's fields (with the server's problems
 * beside them), where each branch goes, its menu keys, start and delete. */
export function NodeEditor(props: {
  L: Labels;
  node: IvrNode | null;
  nodes: IvrNode[];
  edges: Edge[];
  queues: { id: string; name: string }[];
  calendars: { id: string; name: string }[];
  onFields: (id: string, fields: Record<string, FieldValue>) => void;
  onKeys: (id: string, keys: string[]) => void;
  onConnect: (id: string, branch: string, target: string | null) => void;
  onStart: (id: string) => void;
  onDelete: (id: string) => void;
}) {
  const { L, node } = props;
  if (!node) return <Card size="small"><Typography.Text type="secondary">{L.noSelection}</Typography.Text></Card>;
  const set = (field: string, v: FieldValue) => props.onFields(node.id, { ...node.data.fields, [field]: v });
  const problem = (field: string) => node.data.problems.find((p) => p.field === field || p.field.startsWith(field + "."))?.message;
  const label = (f: string) => L.fields[f] ?? f;
  const editor = (f: string, v: FieldValue) => {
    if (f === "queue")
      return <Select id={f} value={v as string} style={{ width: "100%" }} onChange={(x) => set(f, x)} options={props.queues.map((q) => ({ value: q.id, label: `${q.name} (${q.id})` }))} />;
    if (f === "calendar")
      return <Select id={f} value={(v as string) || undefined} allowClear style={{ width: "100%" }} onChange={(x) => set(f, x ?? null)} options={props.calendars.map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }))} />;
    if (f === "schedule") return <JsonField name={f} value={v} onChange={(x) => set(f, x)} />;
    if (CHOICES[f])
      return <Select id={f} value={v as string} allowClear={f === "lang"} style={{ width: "100%" }} onChange={(x) => set(f, x ?? null)} options={CHOICES[f].map((c) => ({ value: c, label: c }))} />;
    if (typeof v === "boolean") return <Switch id={f} checked={v} onChange={(x) => set(f, x)} />;
    if (Array.isArray(v)) return <Input.TextArea name={f} rows={3} value={v.join("\n")} onChange={(e) => set(f, e.target.value.split("\n"))} />;
    if (typeof v === "number" || ["timeout_secs", "retries", "min_digits", "max_digits", "priority"].includes(f))
      return <InputNumber id={f} name={f} min={0} value={v as number} onChange={(x) => set(f, x ?? 0)} />;
    if (v !== null && typeof v === "object") return <JsonField name={f} value={v} onChange={(x) => set(f, x)} />;
    return <Input name={f} value={(v as string) ?? ""} onChange={(e) => set(f, e.target.value === "" && f === "invalid_prompt" ? null : e.target.value)} />;
  };
  const target = (b: string) => props.edges.find((e) => e.source === node.id && e.sourceHandle === b)?.target ?? null;
  return (
    <Card size="small" title={`${(L.kinds as Record<string, string>)[node.data.kind]} · ${node.id}`} data-testid="node-editor">
      <Form layout="vertical" size="small">
        {Object.entries(node.data.fields).map(([f, v]) => (
          <Form.Item key={f} label={label(f)} validateStatus={problem(f) ? "error" : undefined} help={problem(f)}>
            {editor(f, v)}
          </Form.Item>
        ))}
        {node.data.kind === "menu" && (
          <Form.Item label={L.keys} validateStatus={problem("choices") ? "error" : undefined} help={problem("choices")}>
            <Input
              name="keys"
              defaultValue={node.data.keys.join(",")}
              key={node.id}
              onBlur={(e) => props.onKeys(node.id, [...new Set(e.target.value.split(/[,，\s]+/).map((k) => k.trim()).filter((k) => /^[0-9*#]$/.test(k)))])}
            />
          </Form.Item>
        )}
        {branchesOf(node.data).map((b) => (
          <Form.Item key={b} label={`${L.target}: ${b.startsWith("choices.") ? b.slice(8) : (L.branches[b] ?? b)}`} validateStatus={problem(b) ? "error" : undefined} help={problem(b)}>
            <Select
              id={`branch-${b}`}
              allowClear
              value={target(b)}
              style={{ width: "100%" }}
              onChange={(t) => props.onConnect(node.id, b, t ?? null)}
              options={props.nodes.filter((n) => n.id !== node.id).map((n) => ({ value: n.id, label: n.id }))}
            />
          </Form.Item>
        ))}
        <Space>
          <Button disabled={node.data.start} onClick={() => props.onStart(node.id)}>{L.setStart}</Button>
          <Button danger onClick={() => props.onDelete(node.id)}>{L.deleteNode}</Button>
        </Space>
      </Form>
    </Card>
  );
}
