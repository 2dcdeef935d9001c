import { useCallback, useEffect, useState } from "react";
import { Alert, Button, Checkbox, Form, Input, Modal, Select, Space, Table, Typography } from "antd";
import { api, ApiError, Me } from "../api";
import type { Key, T } from "../i18n";

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  roles: string[];
  agent_id: string | null;
  enabled: boolean;
}

const ROLES = ["admin", "supervisor", "agent", "qa", "auditor"] as const;
const roleKey: Record<(typeof ROLES)[number], Key> = {
  admin: "roleAdmin",
  supervisor: "roleSupervisor",
  agent: "roleAgent",
  qa: "roleQa",
  auditor: "roleAuditor",
};

/** An admin's users: roles and whether each may sign in (saved per user,
 * effective at once: open desktops follow the new roles, a disabled user's
 * sessions end), new users and password resets (the password generated,
 * shown once, to be changed at the first sign-in). */
export function UsersPage(props: { t: T; me: Me }) {
  const { t } = props;
  const [users, setUsers] = useState<UserRow[]>([]);
  const [agents, setAgents] = useState<{ id: string; extension: string; name: string }[]>([]);
  const [edits, setEdits] = useState<Record<string, { roles: string[]; enabled: boolean }>>({});
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [password, setPassword] = useState<{ username: string; password: string } | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();

  const load = useCallback(async () => {
    setUsers(await api<UserRow[]>("GET", "/users"));
    setEdits({});
  }, []);
  useEffect(() => {
    load().catch((e) => setNotice({ ok: false, text: String(e) }));
    void api<{ id: string; extension: string; name: string }[]>("GET", "/agents").then(setAgents).catch(() => {});
  }, [load]);

  const draft = (u: UserRow) => edits[u.id] ?? { roles: u.roles, enabled: u.enabled };
  const change = (u: UserRow, next: { roles: string[]; enabled: boolean }) => setEdits({ ...edits, [u.id]: next });
  const toggleRole = (u: UserRow, role: string) => {
    const d = draft(u);
    change(u, { ...d, roles: d.roles.includes(role) ? d.roles.filter((r) => r !== role) : [...d.roles, role] });
  };
  const failed = (e: unknown) => setNotice({ ok: false, text: e instanceof ApiError ? e.message : String(e) });

  const save = async (u: UserRow) => {
    setNotice(null);
    try {
      await api("PATCH", `/users/${u.id}`, draft(u));
      await load();
      setNotice({ ok: true, text: `${t("saved")}: ${u.username}` });
    } catch (e) {
      failed(e);
    }
  };
  const reset = async (u: UserRow) => {
    try {
      const r = await api<{ password: string }>("POST", `/users/${u.id}/password`, {});
      setPassword({ username: u.username, password: r.password });
    } catch (e) {
      failed(e);
    }
  };
  const create = async () => {
    const v = await form.validateFields();
    try {
      const r = await api<{ user: UserRow; password: string }>("POST", "/users", { ...v, agent_id: v.agent_id ?? null });
      setCreating(false);
      setPassword({ username: r.user.username, password: r.password });
      setNotice({ ok: true, text: `${t("userCreated")}${r.user.username}` });
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.field) form.setFields([{ name: e.field.split(/[.[]/)[0], errors: [e.message] }]);
      else failed(e);
    }
  };

  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Button type="primary" onClick={() => { form.resetFields(); setCreating(true); }}>{t("newUser")}</Button>
      {notice && <Alert type={notice.ok ? "success" : "error"} role={notice.ok ? "status" : "alert"} showIcon title={notice.text} />}
      {password && (
        <Alert type="info" showIcon closable onClose={() => setPassword(null)} data-testid="generated-password"
          title={`${password.username}: ${t("generatedPassword")}`} description={<Typography.Text code copyable>{password.password}</Typography.Text>} />
      )}
      <Table<UserRow>
        rowKey="id"
        dataSource={users}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        onRow={(u) => ({ "data-testid": `user-${u.username}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t("username"), dataIndex: "username", sorter: (a, b) => a.username.localeCompare(b.username) },
          { title: t("displayName"), dataIndex: "display_name" },
          {
            title: t("roles"),
            key: "roles",
            filters: ROLES.map((r) => ({ text: t(roleKey[r]), value: r })),
            onFilter: (v, u) => u.roles.includes(v as string),
            render: (_, u) => ROLES.map((r) => (
              <Checkbox key={r} name={`role-${r}`} checked={draft(u).roles.includes(r)} onChange={() => toggleRole(u, r)}>{t(roleKey[r])}</Checkbox>
            )),
          },
          {
            title: t("maySignIn"),
            key: "enabled",
            render: (_, u) => <Checkbox name="enabled" aria-label={t("maySignIn")} checked={draft(u).enabled} onChange={() => change(u, { ...draft(u), enabled: !draft(u).enabled })} />,
          },
          {
            title: "",
            key: "actions",
            render: (_, u) => (
              <Space>
                <Button disabled={!(u.id in edits)} onClick={() => void save(u)}>{t("save")}</Button>
                <Button onClick={() => void reset(u)}>{t("resetPassword")}</Button>
              </Space>
            ),
          },
        ]}
      />
      <Modal open={creating} title={t("newUser")} onCancel={() => setCreating(false)} onOk={() => void create()} okText={t("save")} cancelText={t("cancel")}>
        <Form form={form} layout="vertical" initialValues={{ roles: ["agent"] }}>
          <Form.Item name="username" label={t("username")} rules={[{ required: true, pattern: /^[A-Za-z0-9._-]{3,32}$/ }]}><Input name="new-username" /></Form.Item>
          <Form.Item name="display_name" label={t("displayName")} rules={[{ required: true, max: 64 }]}><Input name="new-display-name" /></Form.Item>
          <Form.Item name="roles" label={t("roles")} rules={[{ required: true }]}>
            <Checkbox.Group options={ROLES.map((r) => ({ value: r, label: t(roleKey[r]) }))} />
          </Form.Item>
          <Form.Item name="agent_id" label={t("linkedAgent")}>
            <Select allowClear showSearch optionFilterProp="label" options={agents.map((a) => ({ value: a.id, label: `${a.extension} ${a.name}` }))} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
