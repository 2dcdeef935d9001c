// Where each role may go: one table of the app's pages and the roles that
// see them (the server enforces the same roles on every API call; this only
// decides what the navigation offers), and each role's home.

import type { Me } from "../api";
import type { Key } from "../i18n";

export interface NavItem {
  path: string;
  label: Key;
  roles: string[];
}

export const NAV: NavItem[] = [
  { path: "/", label: "navDesk", roles: ["agent"] },
  { path: "/supervisor", label: "navWallboard", roles: ["admin", "supervisor"] },
  { path: "/admin/queues", label: "navQueues", roles: ["admin", "supervisor"] },
  { path: "/admin/agents", label: "navAgents", roles: ["admin", "supervisor"] },
  { path: "/admin/codes", label: "navCodes", roles: ["admin"] },
  { path: "/admin/prompts", label: "navPrompts", roles: ["admin", "supervisor"] },
  { path: "/admin/numbers", label: "navNumbers", roles: ["admin"] },
  { path: "/admin/calendars", label: "navCalendars", roles: ["admin", "supervisor"] },
  { path: "/admin/ivr", label: "navIvr", roles: ["admin", "supervisor"] },
  { path: "/admin/agents/import", label: "navImport", roles: ["admin"] },
  { path: "/users", label: "users", roles: ["admin"] },
  { path: "/admin/audit", label: "navAudit", roles: ["admin", "auditor"] },
  { path: "/admin/settings", label: "navSettings", roles: ["admin"] },
  { path: "/security", label: "security", roles: ["admin", "supervisor", "agent", "qa", "auditor"] },
  { path: "/tv", label: "navWallboard", roles: ["display"] },
];

/** The pages `me` may open, in menu order. */
export function navFor(me: Pick<Me, "roles">): NavItem[] {
  return NAV.filter((n) => n.roles.some((r) => me.roles.includes(r)));
}

/** Where `me` lands after signing in: an agent at the desktop, an admin at
 * the queues, a supervisor at the wallboard, an auditor at the audit log; anyone else (QA,
 * until its pages exist) at their account's security. */
export function homeOf(me: Pick<Me, "roles">): string {
  if (me.roles.includes("display")) return "/tv";
  if (me.roles.includes("agent")) return "/";
  if (me.roles.includes("admin")) return "/admin/queues";
  if (me.roles.includes("supervisor")) return "/supervisor";
  if (me.roles.includes("auditor")) return "/admin/audit";
  return "/security";
}

/** Whether `me` may open `path` (a console page); pages outside the table
 * are the desktop's. */
export function mayOpen(me: Pick<Me, "roles">, path: string): boolean {
  const item = NAV.find((n) => n.path === path);
  return !item || navFor(me).includes(item);
}
