import { useState } from "react";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
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

  const submit = async () => {
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
      <Card className="login-card">
        <Typography.Title level={3}>{t("appName")}</Typography.Title>
        <Form layout="vertical" onFinish={() => void submit()}>
          <Form.Item label={t("username")} required>
            <Input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
          </Form.Item>
          <Form.Item label={t("password")} required>
            <Input.Password name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          </Form.Item>
          {otp !== null && (
            <Form.Item label={t("otp")} required>
              <Input name="otp" inputMode="numeric" autoComplete="one-time-code" value={otp} onChange={(e) => setOtp(e.target.value)} autoFocus required />
            </Form.Item>
          )}
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
          <Button type="primary" htmlType="submit" block loading={busy}>{t("login")}</Button>
          <Button type="link" block onClick={props.onToggleLang}>{t("language")}</Button>
        </Form>
      </Card>
    </div>
  );
}
