import { useState } from "react";
import { Button, Card, List, Select, Space, Tag, Typography } from "antd";
import { compareDocs, FlowDoc } from "./flowGraph";
import type { Labels } from "./labels";

export interface FlowVersion {
  version: number;
  published_at?: number;
  created_at: number;
  created_by?: string;
  document: unknown;
}

/** The flow's versions (who saved each, when, which is live), a node-by-node
 * comparison of two, and rolling back by publishing an old one again. */
export function Versions(props: { L: Labels; info: { published_version: number | null; versions: FlowVersion[] }; onRollback: (v: FlowVersion) => void }) {
  const { L, info } = props;
  const [a, setA] = useState<number | undefined>(info.versions[1]?.version);
  const [b, setB] = useState<number | undefined>(info.versions[0]?.version);
  const doc = (v?: number) => info.versions.find((x) => x.version === v)?.document as FlowDoc | undefined;
  const diff = doc(a) && doc(b) ? compareDocs(doc(a)!, doc(b)!) : null;
  const options = info.versions.map((v) => ({ value: v.version, label: `v${v.version}` }));
  return (
    <Card size="small" title={L.versions} data-testid="versions">
      <List
        size="small"
        style={{ maxHeight: 200, overflow: "auto" }}
        dataSource={info.versions}
        renderItem={(v) => (
          <List.Item actions={v.version === info.published_version ? [] : [<Button size="small" key="rb" onClick={() => props.onRollback(v)}>{L.rollback}</Button>]}>
            <Space size={4} wrap>
              <b>v{v.version}</b>
              {v.version === info.published_version ? <Tag color="green">{L.published}</Tag> : v.published_at ? null : <Tag>{L.draft}</Tag>}
              <Typography.Text type="secondary">{new Date(v.created_at).toLocaleString()} {v.created_by ? `${L.by} ${v.created_by}` : ""}</Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      <Space style={{ marginTop: 8 }}>
        {L.compare}
        <Select size="small" value={a} onChange={setA} options={options} style={{ width: 70 }} />
        →
        <Select size="small" value={b} onChange={setB} options={options} style={{ width: 70 }} />
      </Space>
      {diff && (
        <div data-testid="diff" style={{ marginTop: 8 }}>
          <div>{L.added}: {diff.added.join(", ") || "—"}</div>
          <div>{L.removed}: {diff.removed.join(", ") || "—"}</div>
          <div>{L.changed}: {diff.changed.join(", ") || "—"}</div>
        </div>
      )}
    </Card>
  );
}
