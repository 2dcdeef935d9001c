import { useCallback, useEffect, useState } from "react";
import { Button, Form, Input, Modal, Select, Switch, Table, Tabs, Tag, message } from "antd";
import { api, ApiError } from "../api";
import type { Key, T } from "../i18n";

type Kind = "skill" | "reason" | "wrap_up" | "team";

/** One row of any of the three lists, with its English label. */
interface Row {
  id: string;
  name: string;
  en: string;
  /** skill: kind (skill / language); reason: paid; wrap-up: category. */
  extra: string | boolean;
}

interface Editing {
  kind: Kind;
  row: Row | null;
}

/** Skills and languages, not-ready reasons and wrap-up codes: their names
 * in Chinese (as configured) and in English (labels), with what each kind
 * carries (a skill or a language; paid time; a report category). */
export function CodesPage(props: { t: T }) {
  const { t } = props;
  const [rows, setRows] = useState<Record<Kind, Row[]>>({ skill: [], reason: [], wrap_up: [], team: [] });
  const [editing, setEditing] = useState<Editing | null>(null);
  const [form] = Form.useForm();
  const [toast, holder] = message.useMessage();

  const load = useCallback(async () => {
    const [skills, reasons, codes, labels, teams] = await Promise.all([
      api<{ id: string; name: string; kind: string }[]>("GET", "/skills"),
      api<{ id: string; label: string; paid: boolean }[]>("GET", "/reason-codes"),
      api<{ id: string; label: string; category: string }[]>("GET", "/wrap-up-codes"),
      api<{ kind: string; id: string; lang: string; label: string }[]>("GET", "/labels"),
      api<{ id: string; name: string; members: number }[]>("GET", "/teams"),
    ]);
    const en = (kind: Kind, id: string) => labels.find((l) => l.kind === kind && l.id === id && l.lang === "en")?.label ?? "";
    setRows({
      skill: skills.map((s) => ({ id: s.id, name: s.name, en: en("skill", s.id), extra: s.kind })),
      reason: reasons.map((r) => ({ id: r.id, name: r.label, en: en("reason", r.id), extra: r.paid })),
      wrap_up: codes.map((c) => ({ id: c.id, name: c.label, en: en("wrap_up", c.id), extra: c.category })),
      team: teams.map((x) => ({ id: x.id, name: x.name, en: en("team", x.id), extra: String(x.members) })),
    });
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const open = (kind: Kind, row: Row | null) => {
    form.resetFields();
    form.setFieldsValue(row ?? { extra: kind === "skill" ? "skill" : kind === "reason" ? true : "resolution" });
    setEditing({ kind, row });
  };

  const save = async () => {
    if (!editing) return;
    const v = await form.validateFields();
    const id = editing.row?.id ?? v.id;
    try {
      if (editing.kind === "skill") {
        if (editing.row) await api("PATCH", `/skills/${id}`, { name: v.name });
        else await api("POST", "/skills", { id, name: v.name, kind: v.extra });
      } else if (editing.kind === "team") {
        await api("PUT", `/teams/${id}`, { name: v.name });
      } else if (editing.kind === "reason") {
        await api("PUT", `/reason-codes/${id}`, { label: v.name, paid: v.extra });
      } else {
        await api("PUT", `/wrap-up-codes/${id}`, { label: v.name, category: v.extra });
      }
      await api("PUT", `/labels/${editing.kind}/${id}`, { en: v.en ?? "" });
      toast.success(`${t("codeSaved")}${v.name}`);
      setEditing(null);
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.field) form.setFields([{ name: e.field === "label" ? "name" : e.field === "category" || e.field === "kind" ? "extra" : e.field, errors: [e.message] }]);
      else toast.error(e instanceof Error ? e.message : String(e));
    }
  };

  const table = (kind: Kind, extraTitle: Key, extra: (r: Row) => React.ReactNode) => (
    <>
      <Button type="primary" style={{ marginBottom: 12 }} onClick={() => open(kind, null)}>{t("add")}</Button>
      <Table<Row>
        rowKey="id"
        size="small"
        dataSource={rows[kind]}
        pagination={false}
        onRow={(r) => ({ "data-testid": `${kind}-${r.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t("codeId"), dataIndex: "id" },
          { title: t("codeName"), dataIndex: "name" },
          { title: t("codeNameEn"), dataIndex: "en" },
          { title: t(extraTitle), key: "extra", render: (_, r) => extra(r) },
          { title: "", key: "edit", render: (_, r) => <Button onClick={() => open(kind, r)}>{t("edit")}</Button> },
        ]}
      />
    </>
  );

  return (
    <>
      {holder}
      <Tabs
        items={[
          { key: "skill", label: t("skillsTab"), children: table("skill", "kindCol", (r) => <Tag>{t(r.extra === "language" ? "kind_language" : "kind_skill")}</Tag>) },
          { key: "reason", label: t("reasonsTab"), children: table("reason", "paid", (r) => (r.extra ? t("yes") : t("no"))) },
          { key: "team", label: t("teamsTab"), children: table("team", "navAgents", (r) => String(r.extra)) },
          { key: "wrap_up", label: t("wrapUpsTab"), children: table("wrap_up", "category", (r) => <Tag>{String(r.extra)}</Tag>) },
        ]}
      />
      <Modal open={editing !== null} title={editing?.row ? editing.row.id : t("add")} onCancel={() => setEditing(null)} onOk={() => void save()} okText={t("save")} cancelText={t("cancel")}>
        <Form form={form} layout="vertical">
          {!editing?.row && (
            <Form.Item name="id" label={t("codeId")} rules={[{ required: true, pattern: /^[a-z0-9_-]{1,32}$/ }]}><Input name="id" /></Form.Item>
          )}
          <Form.Item name="name" label={t("codeName")} rules={[{ required: true, max: 64 }]}><Input name="name" /></Form.Item>
          <Form.Item name="en" label={t("codeNameEn")} rules={[{ max: 64 }]}><Input name="en" /></Form.Item>
          {editing?.kind === "skill" && (
            <Form.Item name="extra" label={t("kindCol")}>
              <Select disabled={!!editing.row} options={[{ value: "skill", label: t("kind_skill") }, { value: "language", label: t("kind_language") }]} />
            </Form.Item>
          )}
          {editing?.kind === "reason" && <Form.Item name="extra" label={t("paid")} valuePropName="checked"><Switch /></Form.Item>}
          {editing?.kind === "wrap_up" && (
            <Form.Item name="extra" label={t("category")} rules={[{ required: true, pattern: /^[a-z0-9_-]{1,32}$/ }]}><Input name="category" /></Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
