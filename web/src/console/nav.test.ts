import { describe, expect, it } from "vitest";
import { homeOf, mayOpen, navFor } from "./nav";

describe("navigation by role", () => {
  it("lands each role on its home", () => {
    expect(homeOf({ roles: ["agent"] })).toBe("/");
    expect(homeOf({ roles: ["admin"] })).toBe("/admin/queues");
    expect(homeOf({ roles: ["supervisor", "qa"] })).toBe("/supervisor");
    expect(homeOf({ roles: ["auditor"] })).toBe("/admin/audit");
    expect(homeOf({ roles: ["qa"] })).toBe("/security");
  });

  it("offers only the pages the role may open", () => {
    const paths = (roles: string[]) => navFor({ roles }).map((n) => n.path);
    expect(paths(["auditor"])).toEqual(["/admin/audit", "/security"]);
    expect(paths(["agent"])).toEqual(["/", "/security"]);
    expect(paths(["admin"])).toContain("/admin/ivr");
    expect(paths(["supervisor"])).not.toContain("/users");
    expect(mayOpen({ roles: ["agent"] }, "/admin/queues")).toBe(false);
    expect(mayOpen({ roles: ["agent"] }, "/some/desktop/path")).toBe(true);
  });
});
