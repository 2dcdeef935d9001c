import { useCallback, useEffect, useState } from "react";
import { api, ApiError, Me } from "../api";
import { SubPage } from "../components/SubPage";
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

/** An admin's list of users: roles and whether each may sign in. A change
 * is saved per user and takes effect at once on the server (open desktops
 * follow the new roles; a disabled user's sessions end). */
export function UsersPage(props: { t: T; me: Me; onToggleLang: () => void }) {
  const { t, me } = props;
  const [users, setUsers] = useState<UserRow[]>([]);
  const [edits, setEdits] = useState<Record<string, { roles: string[]; enabled: boolean }>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setUsers(await api<UserRow[]>("GET", "/users"));
    setEdits({});
  }, []);
  useEffect(() => {
    load().catch((e) => setError(String(e)));
  }, [load]);

  const draft = (u: UserRow) => edits[u.id] ?? { roles: u.roles, enabled: u.enabled };
  const change = (u: UserRow, next: { roles: string[]; enabled: boolean }) => setEdits({ ...edits, [u.id]: next });
  const toggleRole = (u: UserRow, role: string) => {
    const d = draft(u);
    const roles = d.roles.includes(role) ? d.roles.filter((r) => r !== role) : [...d.roles, role];
    change(u, { ...d, roles });
  };

  const save = async (u: UserRow) => {
    setError(null);
    setMessage(null);
    try {
      await api("PATCH", `/users/${u.id}`, draft(u));
      await load();
      setMessage(`${t("saved")}: ${u.username}`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <SubPage t={t} me={me} onToggleLang={props.onToggleLang} title={t("users")} testId="users" error={error} message={message}>
      <table>
        <thead>
          <tr>
            <th>{t("username")}</th>
            <th>{t("displayName")}</th>
            <th>{t("roles")}</th>
            <th>{t("maySignIn")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.map((u) => {
            const d = draft(u);
            const dirty = u.id in edits;
            return (
              <tr key={u.id} data-testid={`user-${u.username}`}>
                <td>{u.username}</td>
                <td>{u.display_name}</td>
                <td>
                  {ROLES.map((r) => (
                    <label key={r} className="inline">
                      <input type="checkbox" name={`role-${r}`} checked={d.roles.includes(r)} onChange={() => toggleRole(u, r)} />
                      {t(roleKey[r])}
                    </label>
                  ))}
                </td>
                <td>
                  <input type="checkbox" name="enabled" aria-label={t("maySignIn")} checked={d.enabled} onChange={() => change(u, { ...d, enabled: !d.enabled })} />
                </td>
                <td>
                  <button type="button" disabled={!dirty} onClick={() => void save(u)}>{t("save")}</button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </SubPage>
  );
}
