import { useEffect, useRef, useState } from "react";
import { Alert, Button, Card, Typography } from "antd";
import { clock, type T } from "../i18n";
import { WebCall, WebCallState } from "../webcall";
import { DTMF_KEYS } from "../softphone";

/** `/call`: a public page with a button that calls the hotline from the browser. */
export function CallUsPage(props: { t: T; onToggleLang: () => void }) {
  const { t } = props;
  const number = new URLSearchParams(window.location.search).get("number") ?? "1000";
  const audio = useRef<HTMLAudioElement>(null);
  const call = useRef<WebCall | null>(null);
  const [state, setState] = useState<WebCallState>("idle");
  const [error, setError] = useState<string | null>(null);
  const [since, setSince] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());
  const [keys, setKeys] = useState("");

  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    const bye = () => void call.current?.hangup();
    window.addEventListener("pagehide", bye);
    return () => {
      clearInterval(id);
      window.removeEventListener("pagehide", bye);
    };
  }, []);

  const start = () => {
    if (!audio.current) return;
    setError(null);
    setKeys("");
    call.current = new WebCall(audio.current, (s, err) => {
      setState(s);
      if (s === "connected") setSince(Date.now());
      if (err) setError(err);
    });
    void call.current.call(number);
  };

  const press = (k: string) => {
    if (call.current?.sendDtmf(k)) setKeys((v) => v + k);
  };

  const inCall = state === "calling" || state === "connected";
  return (
    <div className="call-us">
      <Card className="call-card" data-testid="call-us" data-state={state}>
        <Typography.Title level={3}>{t("appName")}</Typography.Title>
        <Typography.Paragraph type="secondary">{t("callUsHint")} {number}</Typography.Paragraph>
        {!inCall && (
          <Button type="primary" size="large" className="call-button" onClick={start}>
            {t("callUs")}
          </Button>
        )}
        {inCall && (
          <>
            <Typography.Paragraph className="call-status">
              {state === "calling" ? t("calling") : t("connected")} {since && state === "connected" ? clock(now - since) : ""}
            </Typography.Paragraph>
            <div className="phone-keys">
              {DTMF_KEYS.map((k) => (
                <Button key={k} disabled={state !== "connected"} onClick={() => press(k)}>
                  {k}
                </Button>
              ))}
            </div>
            <Typography.Paragraph type="secondary" className="keys-sent">{keys}</Typography.Paragraph>
            <Button danger type="primary" className="hangup" onClick={() => void call.current?.hangup()}>
              {t("hangUpCall")}
            </Button>
          </>
        )}
        {state === "ended" && <Typography.Paragraph type="secondary">{t("callEnded")}</Typography.Paragraph>}
        {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} />}
        <audio ref={audio} autoPlay data-testid="call-us-audio" />
        <Button type="link" onClick={props.onToggleLang}>{t("language")}</Button>
      </Card>
    </div>
  );
}
