import { describe, expect, it } from "vitest";
import { placeCall } from "./webcall";

describe("placeCall", () => {
  it("posts the offer to the number and reads the answer and token", async () => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const f = (async (url: string, init?: RequestInit) => {
      seen.push({ url, init });
      return new Response(JSON.stringify({ sdp: "v=0 answer", token: "t1" }), { status: 200 });
    }) as typeof fetch;
    const a = await placeCall("1000", "v=0 offer", f);
    expect(a).toEqual({ sdp: "v=0 answer", token: "t1" });
    expect(seen[0].url).toBe("/api/v1/public/calls/1000");
    expect(seen[0].init?.body).toBe("v=0 offer");
  });

  it("turns a refusal into an error with the server's code", async () => {
    const f = (async () => new Response(JSON.stringify({ error: { code: "not_found", message: "no number 9" } }), { status: 404 })) as unknown as typeof fetch;
    await expect(placeCall("9", "v=0", f)).rejects.toMatchObject({ status: 404, code: "not_found" });
  });
});
