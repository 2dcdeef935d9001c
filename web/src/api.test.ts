import { describe, expect, it } from "vitest";
import { errorOf } from "./api";

describe("errorOf", () => {
  it("reads the server's error body with its field", async () => {
    const r = new Response(JSON.stringify({ error: { code: "invalid_field", message: "1-32 digits", field: "number" } }), { status: 422 });
    const e = await errorOf(r);
    expect([e.status, e.code, e.message, e.field]).toEqual([422, "invalid_field", "1-32 digits", "number"]);
  });

  it("turns anything else into a plain HTTP error", async () => {
    const e = await errorOf(new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    expect([e.status, e.code, e.message]).toEqual([502, "http_502", "Bad Gateway"]);
  });
});
