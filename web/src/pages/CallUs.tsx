import { useEffect, useRef, useState } from "react";
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
      <div className="call-card" data-testid="call-us" data-state={state}>
        <h1>{t("appName")}</h1>
        <p className="muted">{t("callUsHint")} {number}</p>
        {!inCall && (
          <button type="button" className="call-button" onClick={start}>
            {t("callUs")}
          </button>
        )}
        {inCall && (
          <>
            <p className="call-status">
              {state === "calling" ? t("calling") : t("connected")} {since && state === "connected" ? clock(now - since) : ""}
            </p>
            <div className="phone-keys">
              {DTMF_KEYS.map((k) => (
                <button key={k} type="button" disabled={state !== "connected"} onClick={() => press(k)}>
                  {k}
                </button>
              ))}
            </div>
            <p className="muted keys-sent">{keys}</p>
            <button type="button" className="hangup" onClick={() => void call.current?.hangup()}>
              {t("hangUpCall")}
            </button>
          </>
        )}
        {state === "ended" && <p className="muted">{t("callEnded")}</p>}
        {error && <p className="error" role="alert">{error}</p>}
        <audio ref={audio} autoPlay data-testid="call-us-audio" />
        <button type="button" className="link" onClick={props.onToggleLang}>{t("language")}</button>
      </div>
    </div>
  );
}
