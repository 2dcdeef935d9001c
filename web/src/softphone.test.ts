import { describe, expect, it, vi } from "vitest";
import {
  CallSnapshot,
  candidateCount,
  Clock,
  GatheringTarget,
  micConstraints,
  setSoftphoneOnline,
  Softphone,
  SoftphoneDeps,
  stateAfter,
  waitForIceGathering,
} from "./softphone";

/** A clock whose timers run only when the test advances it. */
class FakeClock implements Clock {
  t = 1_000_000;
  private timers: { id: number; at: number; fn: () => void }[] = [];
  private next = 1;
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = this.next++;
    this.timers.push({ id, at: this.t + ms, fn });
    return id;
  }
  clearTimeout(id: unknown) {
    this.timers = this.timers.filter((x) => x.id !== id);
  }
  advance(ms: number) {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    due.forEach((x) => x.fn());
  }
  get pending() {
    return this.timers.length;
  }
}

class FakeGathering implements GatheringTarget {
  iceGatheringState: RTCIceGatheringState = "gathering";
  listeners = new Set<() => void>();
  addEventListener(_: string, l: () => void) {
    this.listeners.add(l);
  }
  removeEventListener(_: string, l: () => void) {
    this.listeners.delete(l);
  }
  become(s: RTCIceGatheringState) {
    this.iceGatheringState = s;
    this.listeners.forEach((l) => l());
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("waitForIceGathering", () => {
  it("resolves at once when gathering is already complete", async () => {
    const pc = new FakeGathering();
    pc.iceGatheringState = "complete";
    await expect(waitForIceGathering(pc, 1000, new FakeClock())).resolves.toBe(true);
    expect(pc.listeners.size).toBe(0);
  });

  it("waits for complete, then lets go of the listener and the timer", async () => {
    const pc = new FakeGathering();
    const clock = new FakeClock();
    let result: boolean | null = null;
    void waitForIceGathering(pc, 1000, clock).then((r) => (result = r));
    pc.become("gathering");
    await flush();
    expect(result).toBeNull();
    pc.become("complete");
    await flush();
    expect(result).toBe(true);
    expect(pc.listeners.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("gives up after the timeout with what there is", async () => {
    const pc = new FakeGathering();
    const clock = new FakeClock();
    let result: boolean | null = null;
    void waitForIceGathering(pc, 1000, clock).then((r) => (result = r));
    clock.advance(999);
    await flush();
    expect(result).toBeNull();
    clock.advance(1);
    await flush();
    expect(result).toBe(false);
    expect(pc.listeners.size).toBe(0);
  });
});

describe("call states", () => {
  it("follows the peer connection from answered to connected and back", () => {
    expect(stateAfter("connecting", "connecting")).toBe("connecting");
    expect(stateAfter("connecting", "connected")).toBe("connected");
    expect(stateAfter("connected", "disconnected")).toBe("reconnecting");
    expect(stateAfter("reconnecting", "connected")).toBe("connected");
    expect(stateAfter("reconnecting", "failed")).toBe("failed");
    expect(stateAfter("connected", "closed")).toBe("ended");
  });

  it("does not jump ahead of the answer, nor out of an end", () => {
    expect(stateAfter("starting", "new")).toBe("starting");
    expect(stateAfter("answering", "connected")).toBe("answering");
    expect(stateAfter("answering", "failed")).toBe("failed");
    expect(stateAfter("ended", "connected")).toBe("ended");
    expect(stateAfter("failed", "connecting")).toBe("failed");
    expect(stateAfter("idle", "connected")).toBe("idle");
  });
});

describe("helpers", () => {
  it("asks for the echo canceller without gain or noise processing, on a chosen device", () => {
    expect(micConstraints(null)).toEqual({ audio: { echoCancellation: true, autoGainControl: false, noiseSuppression: false, channelCount: 1 }, video: false });
    expect((micConstraints("usb-1").audio as MediaTrackConstraints).deviceId).toEqual({ exact: "usb-1" });
  });

  it("counts candidates in an SDP", () => {
    expect(candidateCount("v=0\r\na=candidate:1 1 udp 1 10.0.0.1 5000 typ host\r\na=candidate:2 1 udp 1 127.0.0.1 5001 typ host\r\n")).toBe(2);
    expect(candidateCount("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n")).toBe(0);
  });

  it("puts the softphone online with the session's token", async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    await setSoftphoneOnline(true, { keepalive: true, deps: { fetch, token: () => "tk", base: "/api/v1" } });
    expect(fetch).toHaveBeenCalledWith("/api/v1/softphone", {
      method: "PUT",
      headers: { authorization: "Bearer tk", "content-type": "application/json" },
      body: '{"online":true}',
      keepalive: true,
    });
  });

  it("reports the server's refusal", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ error: { code: "forbidden", message: "agents only" } }), { status: 403 }));
    await expect(setSoftphoneOnline(false, { deps: { fetch, token: () => null, base: "/api/v1" } })).rejects.toMatchObject({ status: 403, code: "forbidden" });
  });
});

// ---- the whole answer with a fake browser ----

const OFFER = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\na=setup:actpass\r\n";
const CANDIDATE = "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\n";
const ANSWER = "v=0\r\na=ice-lite\r\nm=audio 40000 UDP/TLS/RTP/SAVPF 0 101\r\na=setup:passive\r\n";

class FakeTrack {
  enabled = true;
  stopped = false;
  stop() {
    this.stopped = true;
  }
}

class FakeStream {
  track = new FakeTrack();
  getTracks() {
    return [this.track];
  }
  getAudioTracks() {
    return [this.track];
  }
}

class FakeDtmf {
  canInsertDTMF = true;
  sent: [string, number, number][] = [];
  insertDTMF(keys: string, duration: number, gap: number) {
    this.sent.push([keys, duration, gap]);
  }
}

class FakePc extends EventTarget {
  iceGatheringState: RTCIceGatheringState = "new";
  connectionState: RTCPeerConnectionState = "new";
  signalingState: RTCSignalingState = "stable";
  localDescription: { type: string; sdp: string } | null = null;
  remote: { type: string; sdp: string } | null = null;
  transceivers: { track: unknown; init: RTCRtpTransceiverInit }[] = [];
  dtmf = new FakeDtmf();
  closed = false;
  constructor(public config: RTCConfiguration, private gatherNow = true) {
    super();
  }
  addTransceiver(track: unknown, init: RTCRtpTransceiverInit) {
    this.transceivers.push({ track, init });
    return { sender: { dtmf: this.dtmf } };
  }
  async createOffer() {
    return { type: "offer", sdp: OFFER };
  }
  async setLocalDescription(d: { type: string; sdp: string }) {
    this.localDescription = d;
    this.iceGatheringState = "gathering";
    if (this.gatherNow) queueMicrotask(() => this.finishGathering());
  }
  finishGathering() {
    this.localDescription = { type: "offer", sdp: OFFER + CANDIDATE };
    this.iceGatheringState = "complete";
    this.dispatchEvent(new Event("icegatheringstatechange"));
  }
  async setRemoteDescription(d: { type: string; sdp: string }) {
    this.remote = d;
    this.connectionState = "connecting";
  }
  become(s: RTCPeerConnectionState) {
    this.connectionState = s;
    this.dispatchEvent(new Event("connectionstatechange"));
  }
  close() {
    this.closed = true;
    this.signalingState = "closed";
  }
}

function harness(respond: (url: string, init: RequestInit) => Response, opts: { gatherNow?: boolean; mic?: () => Promise<FakeStream> } = {}) {
  const pcs: FakePc[] = [];
  const streams: FakeStream[] = [];
  const calls: { url: string; init: RequestInit }[] = [];
  const snaps: CallSnapshot[] = [];
  const remote: (MediaStream | null)[] = [];
  const clock = new FakeClock();
  const constraints: MediaStreamConstraints[] = [];
  const deps: SoftphoneDeps = {
    createPeerConnection: (config) => {
      const pc = new FakePc(config, opts.gatherNow ?? true);
      pcs.push(pc);
      return pc as unknown as RTCPeerConnection;
    },
    getUserMedia: async (c) => {
      constraints.push(c);
      const s = opts.mic ? await opts.mic() : new FakeStream();
      streams.push(s);
      return s as unknown as MediaStream;
    },
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return respond(url, init);
    }) as typeof fetch,
    token: () => "tk",
    clock,
    base: "/api/v1",
    gatherTimeoutMs: 2000,
    connectTimeoutMs: 10_000,
  };
  const phone = new Softphone((s) => snaps.push(s), (s) => remote.push(s), deps);
  return { phone, pcs, streams, calls, snaps, remote, clock, constraints };
}

const sdpAnswer = () => new Response(ANSWER, { status: 200, headers: { "content-type": "application/sdp" } });

describe("Softphone", () => {
  it("answers with the gathered offer as application/sdp and applies the server's answer", async () => {
    const h = harness((url) => (url.endsWith("/answer") ? sdpAnswer() : new Response(null, { status: 204 })));
    await h.phone.answer("c-42", "mic-2");
    expect(h.constraints[0]).toEqual(micConstraints("mic-2"));
    const pc = h.pcs[0];
    expect(pc.config).toMatchObject({ iceServers: [], bundlePolicy: "max-bundle" });
    expect(pc.transceivers[0].init.direction).toBe("sendrecv");
    expect(h.calls[0].url).toBe("/api/v1/calls/c-42/answer");
    expect(h.calls[0].init.method).toBe("POST");
    expect(h.calls[0].init.headers).toEqual({ authorization: "Bearer tk", "content-type": "application/sdp" });
    expect(h.calls[0].init.body).toBe(OFFER + CANDIDATE);
    expect(pc.remote).toEqual({ type: "answer", sdp: ANSWER });
    expect(h.snaps.map((s) => s.state)).toEqual(["starting", "answering", "connecting"]);

    h.clock.t += 50;
    pc.become("connected");
    expect(h.phone.snapshot).toMatchObject({ state: "connected", contactId: "c-42", connection: "connected", connectedAt: h.clock.t });
  });

  it("mutes the microphone track and sends keys only while connected", async () => {
    const h = harness(() => sdpAnswer());
    await h.phone.answer("c-1");
    expect(h.phone.sendDtmf("1")).toBe(false);
    h.pcs[0].become("connected");
    h.phone.setMuted(true);
    expect(h.streams[0].track.enabled).toBe(false);
    expect(h.phone.snapshot.muted).toBe(true);
    h.phone.setMuted(false);
    expect(h.streams[0].track.enabled).toBe(true);
    expect(h.phone.sendDtmf("5#")).toBe(true);
    expect(h.pcs[0].dtmf.sent).toEqual([["5#", 120, 70]]);
  });

  it("hangs up: closes, releases the microphone, tells the server", async () => {
    const h = harness((url) => (url.endsWith("/answer") ? sdpAnswer() : new Response(null, { status: 204 })));
    await h.phone.answer("c-7");
    h.pcs[0].become("connected");
    await h.phone.hangup();
    expect(h.pcs[0].closed).toBe(true);
    expect(h.streams[0].track.stopped).toBe(true);
    expect(h.calls[1].url).toBe("/api/v1/calls/c-7/hangup");
    expect(h.phone.snapshot.state).toBe("ended");
    expect(h.remote.at(-1)).toBeNull();
    // A late state change of the closed connection changes nothing.
    h.pcs[0].become("failed");
    expect(h.phone.snapshot.state).toBe("ended");
    expect(h.calls).toHaveLength(2);
  });

  it("declines a ringing call without touching the microphone", async () => {
    const h = harness(() => new Response(null, { status: 204 }));
    await h.phone.hangup("c-9");
    expect(h.calls.map((c) => c.url)).toEqual(["/api/v1/calls/c-9/hangup"]);
    expect(h.streams).toHaveLength(0);
    expect(h.phone.snapshot.state).toBe("idle");
  });

  it("a call taken by someone else fails with the server's code and frees everything", async () => {
    const h = harness(() => new Response(JSON.stringify({ error: { code: "conflict", message: "taken" } }), { status: 409 }));
    await h.phone.answer("c-3");
    expect(h.phone.snapshot).toMatchObject({ state: "failed", error: "conflict" });
    expect(h.pcs[0].closed).toBe(true);
    expect(h.streams[0].track.stopped).toBe(true);
    h.phone.reset();
    expect(h.phone.snapshot.state).toBe("idle");
  });

  it("no microphone: fails before any request", async () => {
    const h = harness(() => sdpAnswer(), { mic: () => Promise.reject(new DOMException("denied", "NotAllowedError")) });
    await h.phone.answer("c-4");
    expect(h.phone.snapshot).toMatchObject({ state: "failed", error: "microphone" });
    expect(h.calls).toHaveLength(0);
  });

  it("sends what was gathered when gathering does not finish", async () => {
    const h = harness(() => sdpAnswer(), { gatherNow: false });
    const done = h.phone.answer("c-5");
    await flush();
    const pc = h.pcs[0];
    pc.localDescription = { type: "offer", sdp: OFFER + CANDIDATE };
    h.clock.advance(2000);
    await done;
    expect(h.calls[0].init.body).toBe(OFFER + CANDIDATE);
    expect(h.phone.snapshot.state).toBe("connecting");
  });

  it("a hang-up while the offer is gathered stops the answer", async () => {
    const h = harness(() => new Response(null, { status: 204 }), { gatherNow: false });
    const done = h.phone.answer("c-6");
    await flush();
    await h.phone.hangup();
    h.pcs[0].finishGathering();
    await done;
    expect(h.calls.map((c) => c.url)).toEqual(["/api/v1/calls/c-6/hangup"]);
    expect(h.phone.snapshot.state).toBe("ended");
  });

  it("the browser giving up fails the call and hangs it up on the server", async () => {
    const h = harness((url) => (url.endsWith("/answer") ? sdpAnswer() : new Response(null, { status: 204 })));
    await h.phone.answer("c-8");
    h.pcs[0].become("connected");
    h.pcs[0].become("disconnected");
    expect(h.phone.snapshot.state).toBe("reconnecting");
    h.pcs[0].become("failed");
    await flush();
    expect(h.phone.snapshot).toMatchObject({ state: "failed", error: "network" });
    expect(h.calls.at(-1)?.url).toBe("/api/v1/calls/c-8/hangup");
    expect(h.pcs[0].closed).toBe(true);
  });

  it("an answered call that never connects is given up and hung up", async () => {
    const h = harness((url) => (url.endsWith("/answer") ? sdpAnswer() : new Response(null, { status: 204 })));
    await h.phone.answer("c-11");
    h.clock.advance(9_999);
    expect(h.phone.snapshot.state).toBe("connecting");
    h.clock.advance(1);
    await flush();
    expect(h.phone.snapshot).toMatchObject({ state: "failed", error: "network" });
    expect(h.calls.at(-1)?.url).toBe("/api/v1/calls/c-11/hangup");
    expect(h.pcs[0].closed).toBe(true);
  });

  it("a call that connected in time is not given up", async () => {
    const h = harness(() => sdpAnswer());
    await h.phone.answer("c-12");
    h.pcs[0].become("connected");
    h.clock.advance(60_000);
    expect(h.phone.snapshot.state).toBe("connected");
    expect(h.calls).toHaveLength(1);
  });

  it("a call the server ended closes without a request", async () => {
    const h = harness(() => sdpAnswer());
    await h.phone.answer("c-10");
    h.pcs[0].become("connected");
    h.phone.ended("other");
    expect(h.phone.snapshot.state).toBe("connected");
    h.phone.ended("c-10");
    expect(h.phone.snapshot.state).toBe("ended");
    expect(h.calls).toHaveLength(1);
    expect(h.pcs[0].closed).toBe(true);
  });
});

describe("RingTone", () => {
  it("rings 440 + 480 Hz bursts until stopped, once however often started", async () => {
    const oscillators: { hz: number; started: number }[] = [];
    let contexts = 0;
    let closed = 0;
    class FakeParam {
      value = 0;
      setValueAtTime() {}
      linearRampToValueAtTime() {}
    }
    class FakeContext {
      currentTime = 0;
      destination = {};
      constructor() {
        contexts++;
      }
      resume() {
        return Promise.resolve();
      }
      close() {
        closed++;
        return Promise.resolve();
      }
      createGain() {
        return { gain: new FakeParam(), connect() {} };
      }
      createOscillator() {
        const o = { frequency: new FakeParam(), connect() {}, start: (t: number) => oscillators.push({ hz: o.frequency.value, started: t }), stop() {} };
        return o;
      }
    }
    vi.useFakeTimers();
    vi.stubGlobal("AudioContext", FakeContext);
    try {
      const { RingTone } = await import("./softphone");
      const tone = new RingTone();
      tone.start();
      tone.start();
      expect(contexts).toBe(1);
      expect(tone.ringing).toBe(true);
      expect(oscillators.map((o) => o.hz)).toEqual([440, 480, 440, 480]);
      vi.advanceTimersByTime(3000);
      expect(oscillators).toHaveLength(8);
      tone.stop();
      expect(tone.ringing).toBe(false);
      expect(closed).toBe(1);
      vi.advanceTimersByTime(9000);
      expect(oscillators).toHaveLength(8);
    } finally {
      vi.unstubAllGlobals();
      vi.useRealTimers();
    }
  });
});
