// The browser softphone: one WebRTC call at a time with the server.
//
// The server is ICE-lite and takes no trickled candidates, so answering an
// offered call is one round trip: the microphone first (which also lets
// Chromium put real host addresses, not mDNS names, in its candidates), a
// sendrecv audio transceiver, the offer, every candidate gathered, then
// `POST /calls/{contact}/answer` with the whole SDP and the server's SDP
// answer back. Media is PCMU both ways; keys go out as RFC 4733 events.
//
// Everything the browser provides (the peer connection, the microphone,
// fetch, the clock) comes in through `SoftphoneDeps`, so the logic here is
// unit-tested with fakes.

import { ApiError, errorOf, token } from "./api";

/** Where a call stands, as the agent sees it. */
export type CallState =
  | "idle" // no call
  | "starting" // microphone and offer
  | "answering" // the offer is with the server
  | "connecting" // answered: ICE and DTLS under way
  | "connected"
  | "reconnecting" // connectivity lost, the browser is still trying
  | "ended"
  | "failed";

/** What the component renders. */
export interface CallSnapshot {
  state: CallState;
  contactId: string | null;
  muted: boolean;
  /** When media first flowed (the call timer's start), ms since the epoch. */
  connectedAt: number | null;
  /** The peer connection's own state, as the browser reports it. */
  connection: RTCPeerConnectionState | null;
  /** Why the call failed: an `ApiError` code (`not_found`, `conflict`, …), `microphone` or `network`. */
  error: string | null;
}

export const IDLE: CallSnapshot = { state: "idle", contactId: null, muted: false, connectedAt: null, connection: null, error: null };

const TERMINAL: CallState[] = ["idle", "ended", "failed"];

export function isTerminal(s: CallState): boolean {
  return TERMINAL.includes(s);
}

/**
 * The call state after the peer connection reports `connection`. A call
 * that ended or failed stays so; one that was up and drops is
 * `reconnecting` (ICE may recover) until the browser gives up (`failed`).
 */
export function stateAfter(current: CallState, connection: RTCPeerConnectionState): CallState {
  if (isTerminal(current)) return current;
  switch (connection) {
    case "new":
    case "connecting":
      return current === "connected" || current === "reconnecting" ? "reconnecting" : current === "answering" || current === "starting" ? current : "connecting";
    case "connected":
      return current === "starting" || current === "answering" ? current : "connected";
    case "disconnected":
      return current === "connected" || current === "reconnecting" ? "reconnecting" : current;
    case "failed":
      return "failed";
    case "closed":
      return "ended";
  }
}

/** The part of a peer connection that gathering needs (a fake in tests). */
export interface GatheringTarget {
  readonly iceGatheringState: RTCIceGatheringState;
  addEventListener(type: "icegatheringstatechange", listener: () => void): void;
  removeEventListener(type: "icegatheringstatechange", listener: () => void): void;
}

/**
 * Resolves once ICE gathering is complete (`true`), or after `timeoutMs`
 * with whatever was gathered by then (`false`): the server takes no
 * trickled candidates, so the offer must wait for them.
 */
export function waitForIceGathering(pc: GatheringTarget, timeoutMs: number, timers: Pick<Clock, "setTimeout" | "clearTimeout"> = defaultClock): Promise<boolean> {
  if (pc.iceGatheringState === "complete") return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (complete: boolean) => {
      timers.clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", onChange);
      resolve(complete);
    };
    const onChange = () => {
      if (pc.iceGatheringState === "complete") done(true);
    };
    const timer = timers.setTimeout(() => done(false), timeoutMs);
    pc.addEventListener("icegatheringstatechange", onChange);
  });
}

/** The microphone constraints: the browser's echo canceller, no gain or noise processing on top of the contact center's. */
export function micConstraints(deviceId: string | null): MediaStreamConstraints {
  const audio: MediaTrackConstraints = { echoCancellation: true, autoGainControl: false, noiseSuppression: false, channelCount: 1 };
  if (deviceId) audio.deviceId = { exact: deviceId };
  return { audio, video: false };
}

/** `a=candidate` lines in an SDP: an offer without any cannot connect to an ICE-lite server. */
export function candidateCount(sdp: string): number {
  return sdp.split(/\r?\n/).filter((l) => l.startsWith("a=candidate:")).length;
}

/** Why an answer was refused: `not_found` (not ringing here any more), `conflict` (taken), or the server's code. */
export function apiFailure(e: ApiError): string {
  return e.status === 404 ? "not_found" : e.status === 409 ? "conflict" : e.code;
}

/** DTMF keys a telephone keypad sends. */
export const DTMF_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"] as const;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

const defaultClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

export interface SoftphoneDeps {
  createPeerConnection(config: RTCConfiguration): RTCPeerConnection;
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  fetch: typeof fetch;
  token(): string | null;
  clock: Clock;
  /** The API's root. */
  base: string;
  /** How long to wait for ICE gathering before sending what there is. */
  gatherTimeoutMs: number;
  /** How long an answered call may take to connect before it is given up (and hung up). */
  connectTimeoutMs: number;
}

export function browserDeps(): SoftphoneDeps {
  return {
    createPeerConnection: (config) => new RTCPeerConnection(config),
    getUserMedia: (c) => navigator.mediaDevices.getUserMedia(c),
    fetch: (input, init) => fetch(input, init),
    token,
    clock: defaultClock,
    base: "/api/v1",
    gatherTimeoutMs: 3000,
    connectTimeoutMs: 10_000,
  };
}

function authHeaders(tk: string | null, contentType?: string): Record<string, string> {
  const h: Record<string, string> = {};
  if (tk) h["authorization"] = `Bearer ${tk}`;
  if (contentType) h["content-type"] = contentType;
  return h;
}

/**
 * Marks this browser as the agent's phone (or not). `keepalive` lets the
 * request outlive the page (for `pagehide`).
 */
export async function setSoftphoneOnline(online: boolean, opts: { keepalive?: boolean; deps?: Pick<SoftphoneDeps, "fetch" | "token" | "base"> } = {}): Promise<void> {
  const d = opts.deps ?? browserDeps();
  const r = await d.fetch(`${d.base}/softphone`, {
    method: "PUT",
    headers: authHeaders(d.token(), "application/json"),
    body: JSON.stringify({ online }),
    keepalive: opts.keepalive ?? false,
  });
  if (!r.ok) throw await errorOf(r);
}

/** One call at a time between this browser and the server. */
export class Softphone {
  private snap: CallSnapshot = IDLE;
  private pc: RTCPeerConnection | null = null;
  private mic: MediaStream | null = null;
  private sender: RTCRtpSender | null = null;
  /** Bumped by every new call and every hang-up: a late step of an older one changes nothing. */
  private generation = 0;

  constructor(
    private onChange: (s: CallSnapshot) => void,
    private onRemoteStream: (s: MediaStream | null) => void,
    private deps: SoftphoneDeps = browserDeps(),
  ) {}

  get snapshot(): CallSnapshot {
    return this.snap;
  }

  private set(patch: Partial<CallSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    this.onChange(this.snap);
  }

  /**
   * Answers the contact ringing this agent: microphone (`inputDeviceId`,
   * or the default), offer, gathering, the server's answer. Resolves when
   * the answer is applied (media follows); on failure the call is `failed`
   * with `error` set and the microphone released.
   */
  async answer(contactId: string, inputDeviceId: string | null = null): Promise<void> {
    if (!isTerminal(this.snap.state)) throw new Error("a call is in progress");
    const gen = ++this.generation;
    this.snap = { ...IDLE };
    this.set({ state: "starting", contactId });
    const stale = () => gen !== this.generation;
    try {
      let mic: MediaStream;
      try {
        mic = await this.deps.getUserMedia(micConstraints(inputDeviceId));
      } catch (e) {
        // A device that went away: the default one rather than no call.
        if (!inputDeviceId) throw Object.assign(new Error(String(e)), { code: "microphone" });
        try {
          mic = await this.deps.getUserMedia(micConstraints(null));
        } catch (e2) {
          throw Object.assign(new Error(String(e2)), { code: "microphone" });
        }
      }
      if (stale()) {
        mic.getTracks().forEach((t) => t.stop());
        return;
      }
      this.mic = mic;
      const pc = this.deps.createPeerConnection({ iceServers: [], bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
      this.pc = pc;
      pc.addEventListener("connectionstatechange", () => this.onConnection(gen, pc.connectionState));
      pc.addEventListener("track", (e: Event) => {
        if (stale()) return;
        const te = e as RTCTrackEvent;
        this.onRemoteStream(te.streams[0] ?? new MediaStream([te.track]));
      });
      const track = mic.getAudioTracks()[0];
      const transceiver = pc.addTransceiver(track ?? "audio", { direction: "sendrecv", streams: [mic] });
      this.sender = transceiver.sender;
      await pc.setLocalDescription(await pc.createOffer());
      await waitForIceGathering(pc, this.deps.gatherTimeoutMs, this.deps.clock);
      if (stale()) return;
      const offer = pc.localDescription?.sdp ?? "";
      if (candidateCount(offer) === 0) throw Object.assign(new Error("no ICE candidate gathered"), { code: "network" });
      this.set({ state: "answering" });
      const r = await this.deps.fetch(`${this.deps.base}/calls/${encodeURIComponent(contactId)}/answer`, {
        method: "POST",
        headers: authHeaders(this.deps.token(), "application/sdp"),
        body: offer,
      });
      if (!r.ok) throw await errorOf(r);
      const answer = await r.text();
      if (stale()) return;
      await pc.setRemoteDescription({ type: "answer", sdp: answer });
      if (stale()) return;
      this.set({ state: stateAfter("connecting", pc.connectionState), connection: pc.connectionState });
      if (pc.connectionState === "connected") this.set({ connectedAt: this.deps.clock.now() });
      // The caller is bridged to this browser now: dead air must not last.
      this.deps.clock.setTimeout(() => {
        if (!stale() && this.snap.connectedAt === null) this.onConnection(gen, "failed");
      }, this.deps.connectTimeoutMs);
    } catch (e) {
      if (stale()) return;
      const code = e instanceof ApiError ? apiFailure(e) : ((e as { code?: string }).code ?? "failed");
      this.teardown();
      this.set({ state: "failed", error: code });
    }
  }

  private onConnection(gen: number, connection: RTCPeerConnectionState): void {
    if (gen !== this.generation) return;
    const before = this.snap.state;
    const state = stateAfter(before, connection);
    const patch: Partial<CallSnapshot> = { state, connection };
    if (state === "connected" && this.snap.connectedAt === null) patch.connectedAt = this.deps.clock.now();
    if (state === "failed" && before !== "failed") patch.error = "network";
    this.set(patch);
    if (state === "failed" && before !== "failed") {
      // The browser gave up: release the call here and tell the server the agent is gone.
      const contact = this.snap.contactId;
      this.generation++;
      this.teardown();
      if (contact) void this.hangup(contact).catch(() => {});
    } else if (state === "ended") {
      this.generation++;
      this.teardown();
    }
  }

  /**
   * Hangs up the current call, or declines `contactId` ringing before it
   * is answered: the local side closes at once, then `POST
   * /calls/{contact}/hangup`. A contact the server no longer has (404)
   * counts as hung up.
   */
  async hangup(contactId: string | null = null, opts: { keepalive?: boolean } = {}): Promise<void> {
    const contact = contactId ?? this.snap.contactId;
    if (!contact) return;
    if (contact === this.snap.contactId && !isTerminal(this.snap.state)) {
      this.generation++;
      this.teardown();
      this.set({ state: "ended" });
    }
    const r = await this.deps.fetch(`${this.deps.base}/calls/${encodeURIComponent(contact)}/hangup`, {
      method: "POST",
      headers: authHeaders(this.deps.token()),
      keepalive: opts.keepalive ?? false,
    });
    if (!r.ok && r.status !== 404) throw await errorOf(r);
  }

  /** The call ended elsewhere (the caller hung up, the server finished it): close without telling the server. */
  ended(contactId: string): void {
    if (this.snap.contactId !== contactId || isTerminal(this.snap.state)) return;
    this.generation++;
    this.teardown();
    this.set({ state: "ended" });
  }

  /** Back to no call (after the agent has seen how the last one ended). */
  reset(): void {
    if (!isTerminal(this.snap.state)) return;
    this.snap = { ...IDLE };
    this.onChange(this.snap);
  }

  setMuted(muted: boolean): void {
    this.mic?.getAudioTracks().forEach((t) => (t.enabled = !muted));
    this.set({ muted });
  }

  /** Sends keys as RFC 4733 events; false when there is no call to send them in. */
  sendDtmf(keys: string): boolean {
    const dtmf = this.sender?.dtmf;
    if (!dtmf || this.snap.state !== "connected" || !dtmf.canInsertDTMF) return false;
    dtmf.insertDTMF(keys, 120, 70);
    return true;
  }

  /** Closes the peer connection and releases the microphone. */
  private teardown(): void {
    const pc = this.pc;
    this.pc = null;
    this.sender = null;
    if (pc && pc.signalingState !== "closed") pc.close();
    this.mic?.getTracks().forEach((t) => t.stop());
    this.mic = null;
    this.onRemoteStream(null);
  }
}

/**
 * A ring tone in WebAudio: two short 440+480 Hz bursts every three
 * seconds, until `stop()`. Plays on `sinkId` where the browser can choose
 * an AudioContext's output.
 */
export class RingTone {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  start(sinkId: string | null = null): void {
    if (this.ctx) return;
    let ctx: AudioContext;
    try {
      ctx = new AudioContext();
    } catch {
      return; // no WebAudio: the screen pop still shows the call
    }
    this.ctx = ctx;
    const sink = ctx as AudioContext & { setSinkId?: (id: string) => Promise<void> };
    if (sinkId && sink.setSinkId) void sink.setSinkId(sinkId).catch(() => {});
    void ctx.resume().catch(() => {});
    const ring = () => {
      const t0 = ctx.currentTime + 0.05;
      for (const start of [t0, t0 + 0.6]) {
        const gain = ctx.createGain();
        gain.gain.setValueAtTime(0, start);
        gain.gain.linearRampToValueAtTime(0.15, start + 0.02);
        gain.gain.setValueAtTime(0.15, start + 0.38);
        gain.gain.linearRampToValueAtTime(0, start + 0.4);
        gain.connect(ctx.destination);
        for (const hz of [440, 480]) {
          const osc = ctx.createOscillator();
          osc.frequency.value = hz;
          osc.connect(gain);
          osc.start(start);
          osc.stop(start + 0.4);
        }
      }
    };
    ring();
    this.timer = setInterval(ring, 3000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const ctx = this.ctx;
    this.ctx = null;
    if (ctx) void ctx.close().catch(() => {});
  }

  get ringing(): boolean {
    return this.ctx !== null;
  }
}
