import { Ref, useCallback, useEffect, useImperativeHandle, useRef, useState } from "react";
import { Alert, Button, Card, Select, Space, Typography } from "antd";
import { CallSnapshot, DTMF_KEYS, IDLE, isTerminal, RingTone, setSoftphoneOnline, Softphone as Phone } from "../softphone";
import { clock, type Key, type T } from "../i18n";

/** What the desktop asks of the softphone when the agent signs out. */
export interface SoftphoneHandle {
  /** Hangs up a call in progress and takes the softphone offline. */
  signOut(): Promise<void>;
}

const INPUT = "hotline.softphone.input";
const OUTPUT = "hotline.softphone.output";
/**
 * The softphone's presence is told again while on: soon after the desktop
 * opens (a reload's `pagehide` "offline" may reach the server after the new
 * page's "online"), then now and then (a server restart forgets it).
 */
const CONFIRM_MS = 3_000;
const REFRESH_MS = 30_000;

const STATE_LABEL: Record<CallSnapshot["state"], Key> = {
  idle: "phoneOnline",
  starting: "callStarting",
  answering: "callAnswering",
  connecting: "callConnecting",
  connected: "callConnected",
  reconnecting: "callReconnecting",
  ended: "callEnded",
  failed: "callFailed",
};

function failureKey(code: string | null): Key {
  switch (code) {
    case "conflict":
      return "callTaken";
    case "not_found":
      return "callGone";
    case "microphone":
      return "micUnavailable";
    case "network":
      return "networkFailed";
    default:
      return "callFailed";
  }
}

type Device = { id: string; label: string };

/**
 * The browser as the agent's phone: on/off, the ringing voice contact with
 * Answer / Reject and a ring tone, then Hang up, Mute, a keypad, the call
 * timer and its connection state; speaker and microphone choice.
 */
export function Softphone(props: {
  t: T;
  /** The voice contact ringing this agent, if any. */
  offer: string | null;
  /** The last contact that finished (the caller hung up, or the server ended it). */
  finished: string | null;
  ref?: Ref<SoftphoneHandle>;
}) {
  const { t, offer, finished } = props;
  const [online, setOnline] = useState<boolean | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [snap, setSnap] = useState<CallSnapshot>(IDLE);
  const [now, setNow] = useState(Date.now());
  const [inputs, setInputs] = useState<Device[]>([]);
  const [outputs, setOutputs] = useState<Device[]>([]);
  const [inputId, setInputId] = useState(() => localStorage.getItem(INPUT) ?? "");
  const [outputId, setOutputId] = useState(() => localStorage.getItem(OUTPUT) ?? "");
  const [keys, setKeys] = useState("");
  const [callInput, setCallInput] = useState("");
  const audio = useRef<HTMLAudioElement>(null);
  const phone = useRef<Phone | null>(null);
  const ring = useRef(new RingTone());
  const wanted = useRef(true); // what the agent chose: the softphone on or off

  const canChooseOutput = typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;

  // One phone for the component's life; the remote audio goes to the <audio> element.
  useEffect(() => {
    const p = new Phone(setSnap, (stream) => {
      const el = audio.current;
      if (!el) return;
      el.srcObject = stream;
      if (stream) void el.play().catch(() => {});
    });
    phone.current = p;
    return () => {
      if (!isTerminal(p.snapshot.state)) void p.hangup().catch(() => {});
      phone.current = null;
    };
  }, []);

  const goOnline = useCallback(async (on: boolean) => {
    wanted.current = on;
    try {
      await setSoftphoneOnline(on);
      setOnline(on);
      setUnavailable(false);
    } catch {
      setOnline(false);
      setUnavailable(true);
    }
  }, []);

  // On when the desktop opens, told again now and then; off when the page goes away.
  useEffect(() => {
    void goOnline(true);
    const again = () => {
      if (wanted.current) void setSoftphoneOnline(true).then(() => setOnline(true), () => {});
    };
    const confirm = setTimeout(again, CONFIRM_MS);
    const refresh = setInterval(again, REFRESH_MS);
    const onHide = () => {
      const p = phone.current;
      if (p && !isTerminal(p.snapshot.state)) void p.hangup(null, { keepalive: true }).catch(() => {});
      if (wanted.current) void setSoftphoneOnline(false, { keepalive: true }).catch(() => {});
    };
    const onShow = (e: PageTransitionEvent) => {
      if (e.persisted && wanted.current) void goOnline(true);
    };
    window.addEventListener("pagehide", onHide);
    window.addEventListener("pageshow", onShow);
    return () => {
      clearTimeout(confirm);
      clearInterval(refresh);
      window.removeEventListener("pagehide", onHide);
      window.removeEventListener("pageshow", onShow);
    };
  }, [goOnline]);

  useImperativeHandle(
    props.ref,
    () => ({
      async signOut() {
        const p = phone.current;
        if (p && !isTerminal(p.snapshot.state)) await p.hangup().catch(() => {});
        wanted.current = false;
        await setSoftphoneOnline(false).catch(() => {});
      },
    }),
    [],
  );

  // The devices, with their names once the microphone has been allowed.
  const loadDevices = useCallback(async () => {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const all = await navigator.mediaDevices.enumerateDevices().catch(() => [] as MediaDeviceInfo[]);
    const named = (kind: MediaDeviceKind, fallback: string) =>
      all
        .filter((d) => d.kind === kind && d.deviceId && d.deviceId !== "default")
        .map((d, i) => ({ id: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
    setInputs(named("audioinput", t("microphone")));
    setOutputs(named("audiooutput", t("speaker")));
  }, [t]);

  useEffect(() => {
    void loadDevices();
    const md = navigator.mediaDevices;
    md?.addEventListener?.("devicechange", loadDevices);
    return () => md?.removeEventListener?.("devicechange", loadDevices);
  }, [loadDevices]);

  useEffect(() => {
    if (snap.state === "connecting") void loadDevices();
  }, [snap.state, loadDevices]);

  // The chosen speaker, where the browser can choose one.
  useEffect(() => {
    const el = audio.current as (HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> }) | null;
    if (el?.setSinkId) void el.setSinkId(outputId).catch(() => {});
  }, [outputId]);

  const inCall = !isTerminal(snap.state);
  const ringing = online === true && offer !== null && !(inCall && snap.contactId === offer) ? offer : null;

  // The ring tone while a call rings here, and nothing else.
  useEffect(() => {
    const tone = ring.current;
    if (ringing && !inCall) tone.start(outputId || null);
    else tone.stop();
  }, [ringing, inCall, outputId]);
  useEffect(() => () => ring.current.stop(), []);

  // The call timer.
  useEffect(() => {
    if (!inCall) return;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [inCall]);

  // A call that finished elsewhere closes here; how the last one ended shows for a while.
  useEffect(() => {
    if (finished) phone.current?.ended(finished);
  }, [finished]);
  useEffect(() => {
    if (snap.state !== "ended" && snap.state !== "failed") return;
    setKeys("");
    const id = setTimeout(() => phone.current?.reset(), snap.state === "failed" ? 8000 : 4000);
    return () => clearTimeout(id);
  }, [snap.state]);

  const answer = (contact: string) => {
    ring.current.stop();
    setKeys("");
    setCallInput(inputId);
    void phone.current?.answer(contact, inputId || null).catch(() => {});
  };
  const reject = (contact: string) => {
    ring.current.stop();
    void phone.current?.hangup(contact).catch(() => {});
  };
  const press = (key: string) => {
    if (phone.current?.sendDtmf(key)) setKeys((k) => (k + key).slice(-16));
  };

  const connected = snap.state === "connected";
  const status = inCall || snap.state === "ended" || snap.state === "failed" ? t(STATE_LABEL[snap.state]) : online ? t("phoneOnline") : t("phoneOffline");

  const deviceOptions = (list: { id: string; label: string }[]) => [{ value: "", label: t("defaultDevice") }, ...list.map((d) => ({ value: d.id, label: d.label }))];
  return (
    <Card
      size="small"
      className={`softphone call-${snap.state} ${online ? "online" : "offline"}`}
      data-testid="softphone"
      aria-label={t("softphone")}
      title={
        <Space>
          {t("softphone")}
          <span className="phone-status" data-testid="softphone-status" data-state={snap.state} data-connection={snap.connection ?? ""} title={snap.connection ? `WebRTC: ${snap.connection}` : undefined}>
            {status}
          </span>
        </Space>
      }
      extra={
        <Button type="link" className="phone-toggle" data-testid="softphone-toggle" aria-pressed={online === true} disabled={inCall} onClick={() => void goOnline(!online)}>
          {online ? t("phoneTurnOff") : t("phoneTurnOn")}
        </Button>
      }
    >
      {unavailable && <Typography.Paragraph type="secondary" className="phone-note">{t("phoneUnavailable")}</Typography.Paragraph>}
      {snap.state === "failed" && <Alert type="error" showIcon className="phone-note" title={t(failureKey(snap.error))} />}

      {ringing && !inCall && (
        <div className="phone-ringing" data-testid="softphone-ringing">
          <span className="phone-ring-label">{t("phoneRinging")}</span>
          <Button type="primary" className="phone-answer" onClick={() => answer(ringing)}>{t("answer")}</Button>
          <Button danger type="primary" className="phone-reject" onClick={() => reject(ringing)}>{t("reject")}</Button>
        </div>
      )}

      {inCall && (
        <div className="phone-call">
          <div className="phone-call-line">
            <span className="phone-timer" data-testid="softphone-timer" title={t("callTime")}>
              {clock(snap.connectedAt ? now - snap.connectedAt : 0)}
            </span>
            <Button className={`phone-mute ${snap.muted ? "on" : ""}`} aria-pressed={snap.muted} disabled={!connected} onClick={() => phone.current?.setMuted(!snap.muted)}>
              {snap.muted ? t("unmute") : t("mute")}
            </Button>
            <Button danger type="primary" className="phone-hangup" onClick={() => void phone.current?.hangup().catch(() => {})}>{t("hangUp")}</Button>
          </div>
          <div className="phone-keypad" role="group" aria-label={t("keypad")}>
            {DTMF_KEYS.map((k) => (
              <Button key={k} disabled={!connected} onClick={() => press(k)}>{k}</Button>
            ))}
          </div>
          {keys && <div className="phone-keys muted">{keys}</div>}
        </div>
      )}

      <div className="phone-devices">
        <label>
          {t("speaker")}
          <Select
            size="small"
            aria-label={t("speaker")}
            value={outputId}
            disabled={!canChooseOutput}
            options={deviceOptions(outputs)}
            onChange={(v) => {
              setOutputId(v);
              localStorage.setItem(OUTPUT, v);
            }}
          />
        </label>
        <label>
          {t("microphone")}
          <Select
            size="small"
            aria-label={t("microphone")}
            value={inputId}
            options={deviceOptions(inputs)}
            onChange={(v) => {
              setInputId(v);
              localStorage.setItem(INPUT, v);
            }}
          />
        </label>
        {inCall && inputId !== callInput && <Typography.Paragraph type="secondary" className="phone-note">{t("micNextCall")}</Typography.Paragraph>}
      </div>
      <audio ref={audio} autoPlay data-testid="softphone-audio" />
    </Card>
  );
}
