import { useEffect, useRef, useState } from "react";
import { Button, Card, Space, Tag, Typography } from "antd";
import { api } from "../api";
import { WebCall, WebCallAnswer, WebCallState } from "../webcall";
import type { FlowDoc } from "./flowGraph";
import type { Labels } from "./labels";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/** Calls the draft from the browser before it is published: the real
 * prompts, speech and keys, and the queue at the end. */
export function TestCall(props: { L: Labels; doc: () => FlowDoc }) {
  const { L } = props;
  const audio = useRef<HTMLAudioElement>(null);
  const call = useRef<WebCall | null>(null);
  const [state, setState] = useState<WebCallState>("idle");
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState("");
  useEffect(() => () => void call.current?.hangup(), []);

  const start = () => {
    if (!audio.current) return;
    setError(null);
    setSent("");
    const c = new WebCall(audio.current, (s, e) => {
      setState(s);
      if (e) setError(e);
    });
    call.current = c;
    void c.callWith((offer) => api<WebCallAnswer>("POST", "/ivr/test-call", { document: props.doc(), sdp: offer }));
  };
  const busy = state === "calling" || state === "connected";
  return (
    <Card size="small" title={L.testCall} data-testid="test-call">
      <audio ref={audio} data-testid="test-call-audio" />
      <Typography.Paragraph type="secondary">{L.testCallHelp}</Typography.Paragraph>
      <Space wrap>
        <Tag data-testid="test-call-state" data-state={state} color={state === "connected" ? "green" : state === "failed" ? "red" : undefined}>{L.testCallState[state]}</Tag>
        {busy ? <Button danger onClick={() => void call.current?.hangup()}>{L.hangUp}</Button> : <Button type="primary" onClick={start}>{L.testCall}</Button>}
      </Space>
      {error && <Typography.Paragraph type="danger">{error}</Typography.Paragraph>}
      {state === "connected" && (
        <div className="test-call-keys">
          {KEYS.map((k) => (
            <Button key={k} size="small" onClick={() => call.current?.sendDtmf(k) && setSent((x) => x + k)}>{k}</Button>
          ))}
          <Typography.Text code>{sent}</Typography.Text>
        </div>
      )}
    </Card>
  );
}
