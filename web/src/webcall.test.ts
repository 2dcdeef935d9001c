import { describe, expect, it } from "vitest";
import { placeCall } from "./webcall";

describe("placeCall", () => {
  it("takes the page's call token, posts the offer with it and reads the answer and hang-up token", async () => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const f = (async (url: string, init?: RequestInit) => {
      seen.push({ url, init });
      if (url === "/api/v1/public/call-token") return new Response(JSON.stringify({ token: "page1", expires_in_secs: 600 }), { status: 200 });
      return new Response(JSON.stringify({ sdp: "v=0 answer", token: "t1" }), { status: 200 });
    }) as typeof fetch;
    const a = await placeCall("1000", "v=0 offer", f);
    expect(a).toEqual({ sdp: "v=0 answer", token: "t1" });
    expect(seen[1].url).toBe("/api/v1/public/calls/1000");
    expect(seen[1].init?.body).toBe("v=0 offer");
    expect((seen[1].init?.headers as Record<string, string>)["x-call-token"]).toBe("page1");
  });

  it("turns a refusal into an error with the server's code", async () => {
    const f = (async (url: string) =>
      url === "/api/v1/public/call-token"
        ? new Response(JSON.stringify({ token: "p" }), { status: 200 })
        : new Response(JSON.stringify({ error: { code: "not_found", message: "no number 9" } }), { status: 404 })) as unknown as typeof fetch;
    await expect(placeCall("9", "v=0", f)).rejects.toMatchObject({ status: 404, code: "not_found" });
  });
});
