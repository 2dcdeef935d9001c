import { describe, expect, it } from "vitest";
import { backoff, EventStream, HotlineEvent, streamUrl } from "./events";

describe("event stream", () => {
  it("resumes where it left off, on the page's own host and scheme", () => {
    expect(streamUrl({ protocol: "http:", host: "127.0.0.1:8080" }, "t1ck", null)).toBe("ws://127.0.0.1:8080/api/v1/events?ticket=t1ck");
    expect(streamUrl({ protocol: "https:", host: "cc.example" }, "a b", 42)).toBe("wss://cc.example/api/v1/events?ticket=a+b&since=42");
  });

  it("backs off up to ten seconds", () => {
    expect([0, 1, 2, 5, 20].map(backoff)).toEqual([500, 1000, 2000, 10_000, 10_000]);
  });

  it("drops events replayed after a reconnect", () => {
    const seen: HotlineEvent[] = [];
    const s = new EventStream("t", (e) => seen.push(e), () => {});
    expect(s.accept({ type: "agent_state", seq: 5 })).toBe(true);
    expect(s.accept({ type: "agent_state", seq: 5 })).toBe(false);
    expect(s.accept({ type: "agent_state", seq: 4 })).toBe(false);
    expect(s.accept({ type: "hello" })).toBe(true);
    expect(s.accept({ type: "agent_state", seq: 6 })).toBe(true);
    expect(seen.map((e) => e.seq ?? e.type)).toEqual([5, "hello", 6]);
  });
});
