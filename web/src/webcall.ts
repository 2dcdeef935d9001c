// Click to call: the browser calls the contact center's IVR over WebRTC,
// as a website's "call us" button does. No account: the server answers the
// offer for an IVR number and gives a token to hang up with.

import { errorOf } from "./api";
import { micConstraints, waitForIceGathering } from "./softphone";

export type WebCallState = "idle" | "calling" | "connected" | "ended" | "failed";

export interface WebCallAnswer {
  sdp: string;
  token: string;
}

/** Posts the offer with the page's call token; the server's answer and the hang-up token. */
export async function placeCall(number: string, offer: string, f: typeof fetch = fetch): Promise<WebCallAnswer> {
  const t = await f("/api/v1/public/call-token");
  if (!t.ok) throw await errorOf(t);
  const { token } = (await t.json()) as { token: string };
  const r = await f(`/api/v1/public/calls/${encodeURIComponent(number)}`, {
    method: "POST",
    headers: { "content-type": "application/sdp", "x-call-token": token },
    body: offer,
  });
  if (!r.ok) throw await errorOf(r);
  return (await r.json()) as WebCallAnswer;
}

export class WebCall {
  private pc: RTCPeerConnection | null = null;
  private stream: MediaStream | null = null;
  private sender: RTCRtpSender | null = null;
  private token: string | null = null;

  constructor(
    private audio: HTMLAudioElement,
    private onState: (s: WebCallState, error?: string) => void,
  ) {}

  /** Calls an IVR number (click to call). */
  async call(number: string): Promise<void> {
    return this.callWith((offer) => placeCall(number, offer));
  }

  /** Calls with the offer sent by `place` (the designer's test call of a draft). */
  async callWith(place: (offer: string) => Promise<WebCallAnswer>): Promise<void> {
    this.onState("calling");
    try {
      this.stream = await navigator.mediaDevices.getUserMedia(micConstraints(null));
      const pc = new RTCPeerConnection({ iceServers: [] });
      this.pc = pc;
      const tr = pc.addTransceiver(this.stream.getAudioTracks()[0], { direction: "sendrecv", streams: [this.stream] });
      this.sender = tr.sender;
      pc.ontrack = (e) => {
        this.audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
        void this.audio.play().catch(() => {});
      };
      pc.onconnectionstatechange = () => {
        if (pc.connectionState === "connected") this.onState("connected");
        if (pc.connectionState === "failed" || pc.connectionState === "closed") this.finish("ended");
      };
      await pc.setLocalDescription(await pc.createOffer());
      await waitForIceGathering(pc, 3000);
      const answer = await place(pc.localDescription?.sdp ?? "");
      this.token = answer.token;
      await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    } catch (e) {
      this.finish("failed", e instanceof Error ? e.message : String(e));
    }
  }

  /** Sends keys to the IVR as RFC 4733 events. */
  sendDtmf(keys: string): boolean {
    const dtmf = this.sender?.dtmf;
    if (!dtmf || !dtmf.canInsertDTMF) return false;
    dtmf.insertDTMF(keys, 120, 80);
    return true;
  }

  /** Ends the media here only (the server was told some other way). */
  end(): void {
    this.finish("ended");
  }

  async hangup(): Promise<void> {
    const token = this.token;
    this.finish("ended");
    if (token) await fetch(`/api/v1/public/calls/${token}/hangup`, { method: "POST", keepalive: true }).catch(() => {});
  }

  private finish(state: WebCallState, error?: string): void {
    this.pc?.close();
    this.pc = null;
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.token = null;
    this.onState(state, error);
  }
}
