import { useCallback, useEffect, useState } from "react";
import { Alert, Button, Card, Checkbox, Descriptions, Form, Input, Select, Space, Tag, message } from "antd";
import { api, ApiError, changedFields, getTagged, sendTagged } from "../api";
import type { Key, T } from "../i18n";

interface CenterSettings {
  center_name: string;
  default_language: string;
  unmasked_roles: string[];
}

const ROLE_KEYS: Record<string, Key> = { admin: "roleAdmin", supervisor: "roleSupervisor", agent: "roleAgent", qa: "roleQa", auditor: "roleAuditor" };

/** The center's settings: what changes at run time (saved with its
 * version, effective at once), and what the configuration file set (read
 * only, changed by a restart). */
export function SettingsPage(props: { t: T }) {
  const { t } = props;
  const [etag, setEtag] = useState<string | null>(null);
  const [config, setConfig] = useState<Record<string, Record<string, unknown> | unknown[]>>({});
  const [stale, setStale] = useState<string | null>(null);
  const [form] = Form.useForm<CenterSettings>();
  const [toast, holder] = message.useMessage();

  const load = useCallback(async () => {
    const s = await getTagged<CenterSettings>("/settings");
    setEtag(s.etag);
    setStale(null);
    form.setFieldsValue(s.data);
  }, [form]);
  useEffect(() => {
    void load();
    void api<Record<string, Record<string, unknown>>>("GET", "/settings/config").then(setConfig).catch(() => {});
  }, [load]);

  const save = async () => {
    const v = await form.validateFields();
    try {
      const r = await sendTagged<CenterSettings>("PUT", "/settings", v, etag);
      setEtag(r.etag);
      toast.success(t("settingsSaved"));
    } catch (e) {
      if (e instanceof ApiError && e.code === "precondition_failed") setStale(changedFields(e).map((c) => c.field).join(", "));
      else if (e instanceof ApiError && e.field) form.setFields([{ name: e.field.split(/[.[]/)[0] as keyof CenterSettings, errors: [e.message] }]);
      else toast.error((e as Error).message);
    }
  };

  const show = (v: unknown) => (Array.isArray(v) ? (v.length ? v.map((x) => <Tag key={JSON.stringify(x)}>{typeof x === "object" ? JSON.stringify(x) : String(x)}</Tag>) : "—") : typeof v === "boolean" ? (v ? t("yes") : t("no")) : String(v ?? "—"));
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      {holder}
      <Card size="small" title={t("runtimeSettings")} data-testid="runtime-settings">
        {stale !== null && <Alert type="warning" showIcon role="alert" title={t("staleTitle")} description={stale} action={<Button size="small" onClick={() => void load()}>{t("reload")}</Button>} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical" style={{ maxWidth: 560 }}>
          <Form.Item name="center_name" label={t("centerName")} rules={[{ required: true, max: 64 }]}><Input name="center_name" /></Form.Item>
          <Form.Item name="default_language" label={t("defaultLanguage")}>
            <Select options={[{ value: "zh-CN", label: "中文" }, { value: "en", label: "English" }]} />
          </Form.Item>
          <Form.Item name="unmasked_roles" label={t("unmaskedRoles")}>
            <Checkbox.Group options={Object.entries(ROLE_KEYS).map(([r, k]) => ({ value: r, label: t(k) }))} />
          </Form.Item>
          <Button type="primary" onClick={() => void save()}>{t("save")}</Button>
        </Form>
      </Card>
      <Card size="small" title={t("configReadOnly")} data-testid="config">
        {Object.entries(config).map(([section, values]) => (
          <Descriptions key={section} size="small" bordered column={2} style={{ marginBottom: 12 }}
            title={<>{section} <Tag color="orange">{t("restartNeeded")}</Tag></>}
            items={Array.isArray(values) ? [{ key: section, label: section, children: show(values) }] : Object.entries(values).map(([k, v]) => ({ key: k, label: k, children: show(v) }))} />
        ))}
      </Card>
    </Space>
  );
}
