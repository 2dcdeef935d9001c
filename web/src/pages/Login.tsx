import { FormEvent, useState } from "react";
import { ApiError, login } from "../api";
import type { T } from "../i18n";

export function LoginPage(props: { t: T; onToggleLang: () => void; onLoggedIn: () => void }) {
  const { t } = props;
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
      props.onLoggedIn();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t("tooManyAttempts") : t("loginFailed"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <form className="login-card" onSubmit={submit}>
        <h1>{t("appName")}</h1>
        <label>
          {t("username")}
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          {t("password")}
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{t("login")}</button>
        <button type="button" className="link" onClick={props.onToggleLang}>{t("language")}</button>
      </form>
    </div>
  );
}
