import { FormEvent, useCallback, useEffect, useState } from "react";
import { api, ApiError, Me } from "../api";
import { SubPage } from "../components/SubPage";
import type { T } from "../i18n";

interface SessionRow {
  id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ip: string | null;
  current: boolean;
}

interface Enrolment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}

const when = (ms: number) => new Date(ms).toLocaleString();

/** One's own account: open sessions (end the others), the password, and
 * the second factor (scan the QR code, confirm with a code, keep the
 * recovery codes). Every action is the user's own, checked by the server. */
export function SecurityPage(props: { t: T; me: Me; onToggleLang: () => void }) {
  const { t, me } = props;
  const [sessions, setSessions] = useState<SessionRow[]>([]);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState("");
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => setSessions(await api<SessionRow[]>("GET", "/me/sessions")), []);
  useEffect(() => {
    void load();
  }, [load]);

  const fail = (e: unknown) => setError(e instanceof ApiError ? e.message : String(e));

  const end = async (id: string) => {
    setError(null);
    try {
      await api("DELETE", `/me/sessions/${id}`);
      await load();
    } catch (e) {
      fail(e);
    }
  };

  const startTotp = async () => {
    setError(null);
    setRecovery(null);
    try {
      setEnrolment(await api<Enrolment>("POST", "/me/totp"));
    } catch (e) {
      fail(e);
    }
  };

  const confirmTotp = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ recovery_codes: string[] }>("POST", "/me/totp/confirm", { code: code.trim() });
      setRecovery(r.recovery_codes);
      setEnrolment(null);
      setCode("");
    } catch (err) {
      setError(err instanceof ApiError && err.field === "code" ? t("otpWrong") : String(err));
    }
  };

  const changePassword = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setMessage(null);
    try {
      await api("POST", "/me/password", { current_password: current, new_password: next });
      setCurrent("");
      setNext("");
      setMessage(t("passwordChanged"));
    } catch (err) {
      fail(err);
    }
  };

  return (
    <SubPage t={t} me={me} onToggleLang={props.onToggleLang} title={t("security")} testId="security" error={error} message={message}>

      <section>
        <h3>{t("sessions")}</h3>
        <table data-testid="sessions">
          <thead>
            <tr>
              <th>{t("signedInAt")}</th>
              <th>{t("lastSeen")}</th>
              <th>{t("address")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td>{when(s.created_at)}</td>
                <td>{when(s.last_seen_at)}</td>
                <td>{s.ip ?? "—"}</td>
                <td>{s.current ? <span className="muted">{t("thisSession")}</span> : <button type="button" onClick={() => void end(s.id)}>{t("endSession")}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section>
        <h3>{t("twoFactor")}</h3>
        {!enrolment && !recovery && (
          <button type="button" data-testid="totp-start" onClick={() => void startTotp()}>
            {t("setUpTwoFactor")}
          </button>
        )}
        {enrolment && (
          <form onSubmit={confirmTotp} data-testid="totp-enrol">
            <p>{t("scanQr")}</p>
            <img alt={t("qrCode")} width={200} height={200} src={`data:image/svg+xml;base64,${btoa(enrolment.qr_svg)}`} />
            <p className="muted">
              {t("orType")} <code data-testid="totp-secret">{enrolment.secret}</code>
            </p>
            <label>
              {t("otp")}
              <input name="totp-code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required />
            </label>
            <button type="submit">{t("confirm")}</button>
          </form>
        )}
        {recovery && (
          <div data-testid="recovery-codes">
            <p>{t("recoveryCodesOnce")}</p>
            <ul>
              {recovery.map((c) => (
                <li key={c}>
                  <code>{c}</code>
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <section>
        <h3>{t("changePassword")}</h3>
        <form onSubmit={changePassword}>
          <label>
            {t("currentPassword")}
            <input name="current-password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
          </label>
          <label>
            {t("newPassword")}
            <input name="new-password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required />
          </label>
          <p className="muted">{t("passwordPolicy")}</p>
          <button type="submit">{t("changePassword")}</button>
        </form>
      </section>
    </SubPage>
  );
}
