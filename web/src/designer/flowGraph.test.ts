import { describe, expect, it } from "vitest";
import { compareDocs, docToGraph, FlowDoc, graphToDoc, newNode, NODE_TYPES, freshId } from "./flowGraph";

/** One node of every type, every branch connected, optional fields set. */
const EVERY_TYPE: FlowDoc = {
  id: "all",
  start: "hours",
  nodes: {
    hours: { type: "schedule", schedule: { utc_offset_minutes: 480, open: [{ days: [1, 2, 3, 4, 5], from: "08:00", to: "22:00" }], holidays: ["2026-10-01"] }, open: "who", closed: "bye" },
    who: { type: "lookup", backend: "crm", params: { phone: "{caller}" }, prefix: "c", timeout_secs: 2, next: "lang", on_error: "lang" },
    lang: { type: "language", lang: "en", next: "welcome" },
    welcome: { type: "play", prompts: ["tts:eng:Welcome", "beep"], next: "main" },
    main: { type: "menu", prompt: "main_menu", choices: { "1": "id", "2": "vip", "0": "agent" }, timeout_secs: 4, retries: 1, invalid_prompt: "invalid", on_failure: "agent" },
    id: { type: "collect", prompt: "enter_id", var: "id", min_digits: 18, max_digits: 18, terminator: "#", timeout_secs: 8, validate: "chinese_id", retries: 2, next: "tag", on_failure: "agent" },
    tag: { type: "set", var: "topic", value: "id {id}", next: "amount" },
    amount: { type: "say", value: "{c.balance}", as: "amount", lang: "zh", next: "agent" },
    vip: { type: "condition", var: "c.vip", equals: "true", then: "out", otherwise: "box" },
    out: { type: "transfer", number: "4008001234" },
    box: { type: "voicemail", mailbox: "vip" },
    agent: { type: "enqueue", queue: "support", priority: 3 },
    bye: { type: "hangup" },
  },
  layout: {},
};
EVERY_TYPE.layout = Object.fromEntries(Object.keys(EVERY_TYPE.nodes).map((id, i) => [id, { x: i * 10, y: i * 20 }]));

describe("flow document ↔ designer graph", () => {
  it("covers every node type", () => {
    const types = new Set(Object.values(EVERY_TYPE.nodes).map((n) => n.type));
    expect([...types].sort()).toEqual([...NODE_TYPES].sort());
  });

  it("round-trips a document with every node type unchanged", () => {
    const { nodes, edges } = docToGraph(EVERY_TYPE);
    expect(nodes).toHaveLength(13);
    // One edge per connected branch: 3 menu keys + on_failure, and so on.
    expect(edges.filter((e) => e.source === "main").map((e) => e.sourceHandle).sort()).toEqual(["choices.0", "choices.1", "choices.2", "on_failure"]);
    expect(graphToDoc("all", nodes, edges)).toEqual(EVERY_TYPE);
  });

  it("writes an unconnected branch as empty, for the server to name", () => {
    const { nodes, edges } = docToGraph(EVERY_TYPE);
    const doc = graphToDoc("all", nodes, edges.filter((e) => e.id !== "main:choices.2"));
    expect(doc.nodes.main.choices).toEqual({ "0": "agent", "1": "id", "2": "" });
  });

  it("starts new nodes with every field a type needs", () => {
    for (const kind of NODE_TYPES) {
      const n = newNode(kind, freshId(kind, []), { x: 0, y: 0 });
      const doc = graphToDoc("f", [{ ...n, data: { ...n.data, start: true } }], []);
      expect(doc.nodes[n.id].type).toBe(kind);
      expect(doc.start).toBe(n.id);
    }
    expect(freshId("menu", ["menu_1", "menu_2"])).toBe("menu_3");
  });

  it("compares two versions node by node", () => {
    const next: FlowDoc = structuredClone(EVERY_TYPE);
    delete next.nodes.box;
    next.nodes.extra = { type: "hangup" };
    (next.nodes.main as Record<string, unknown>).timeout_secs = 9;
    expect(compareDocs(EVERY_TYPE, next)).toEqual({ added: ["extra"], removed: ["box"], changed: ["main"] });
  });
});
