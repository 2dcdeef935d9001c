import { useCallback, useEffect, useState } from "react";
import { Alert, Button, Form, Input, Table } from "antd";
import { api } from "../api";
import type { T } from "../i18n";

interface Entry {
  id: number;
  at: number;
  actor: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  detail: string;
}

interface Filter {
  actor?: string;
  action?: string;
  target?: string;
}

/** A change's fields, before → after, when the entry records them. */
function changes(detail: string): string {
  try {
    const d = JSON.parse(detail) as { changed?: { field: string; before: unknown; after: unknown }[] };
    if (Array.isArray(d.changed)) return d.changed.map((c) => `${c.field}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`).join("; ");
  } catch {
    // a plain-text detail
  }
  return detail;
}

/** The audit log for admins and auditors: who did what to which object,
 * when and from where, with each change's fields before and after;
 * filtered by user, action (or kind of object: `queue`) and object. */
export function AuditPage(props: { t: T }) {
  const { t } = props;
  const [rows, setRows] = useState<Entry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<Filter>();

  const load = useCallback(async (f: Filter) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v && v.trim()) q.set(k, v.trim());
    q.set("limit", "500");
    try {
      setRows(await api<Entry[]>("GET", `/audit?${q}`));
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    void load({});
  }, [load]);

  return (
    <>
      <Form form={form} layout="inline" onFinish={(f) => void load(f)} style={{ marginBottom: 16 }}>
        <Form.Item name="actor" label={t("auditActor")}><Input name="actor" allowClear /></Form.Item>
        <Form.Item name="action" label={t("auditAction")}><Input name="action" allowClear placeholder="queue / queue.update" /></Form.Item>
        <Form.Item name="target" label={t("auditTarget")}><Input name="target" allowClear /></Form.Item>
        <Button type="primary" htmlType="submit">{t("filterSearch")}</Button>
      </Form>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<Entry>
        rowKey="id"
        size="small"
        dataSource={rows}
        pagination={{ pageSize: 50, showSizeChanger: false }}
        columns={[
          { title: t("auditAt"), dataIndex: "at", render: (at: number) => new Date(at).toLocaleString(), sorter: (a, b) => a.at - b.at, defaultSortOrder: "descend" },
          { title: t("auditActor"), dataIndex: "actor" },
          { title: t("auditAction"), dataIndex: "action" },
          { title: t("auditTarget"), dataIndex: "target" },
          { title: t("auditIp"), dataIndex: "ip" },
          { title: t("auditChanges"), dataIndex: "detail", render: (d: string) => <span data-testid="audit-detail">{changes(d)}</span> },
        ]}
      />
    </>
  );
}
