import { FormEvent, useState } from "react";
import { ApiError, login } from "../api";
import type { T } from "../i18n";

export function LoginPage(props: { t: T; onToggleLang: () => void; onLoggedIn: () => void }) {
  const { t } = props;
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  // Shown once the server asks for the second factor.
  const [otp, setOtp] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password, otp?.trim() || undefined);
      props.onLoggedIn();
    } catch (err) {
      if (err instanceof ApiError && err.code === "second_factor_required") {
        setOtp("");
        setError(otp === null ? null : t("otpRequired"));
      } else if (err instanceof ApiError && err.status === 429) {
        setError(t("tooManyAttempts"));
      } else {
        setError(otp === null ? t("loginFailed") : t("otpWrong"));
      }
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
        {otp !== null && (
          <label>
            {t("otp")}
            <input name="otp" inputMode="numeric" autoComplete="one-time-code" value={otp} onChange={(e) => setOtp(e.target.value)} autoFocus required />
          </label>
        )}
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{t("login")}</button>
        <button type="button" className="link" onClick={props.onToggleLang}>{t("language")}</button>
      </form>
    </div>
  );
}
