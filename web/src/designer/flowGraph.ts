// The IVR flow document (what the server stores and calls run) and the
// designer's graph (nodes on a canvas, an edge per branch), converted both
// ways without losing anything: a node's own fields travel in its data, its
// branches (`next`, each menu key, `on_failure`, `open`/`closed`...) become
// edges from named handles, and positions live in the document's `layout`.

import type { Edge, Node } from "@xyflow/react";

export type FieldValue = string | number | boolean | null | string[] | Record<string, unknown>;

/** A flow document as stored (see the `hotline-ivr` crate). */
export interface FlowDoc {
  id: string;
  start: string;
  nodes: Record<string, Record<string, unknown> & { type: string }>;
  layout?: Record<string, { x: number; y: number }>;
}

/** What a node of one type holds: its own fields (with the value a new
 * node starts with) and its fixed branches. Menus also branch per key. */
export interface NodeSpec {
  fields: Record<string, FieldValue>;
  branches: string[];
}

export const NODE_SPECS: Record<string, NodeSpec> = {
  play: { fields: { prompts: [""] }, branches: ["next"] },
  menu: { fields: { prompt: "", timeout_secs: 5, retries: 2, invalid_prompt: null }, branches: ["on_failure"] },
  collect: {
    fields: { prompt: "", var: "", min_digits: 1, max_digits: 10, terminator: "#", timeout_secs: 5, validate: "none", retries: 2, invalid_prompt: null, secure: false },
    branches: ["next", "on_failure"],
  },
  say: { fields: { value: "", as: "number", lang: null }, branches: ["next"] },
  set: { fields: { var: "", value: "" }, branches: ["next"] },
  condition: { fields: { var: "", equals: "" }, branches: ["then", "otherwise"] },
  // A calendar kept by the center, by name (or `schedule` inline).
  schedule: { fields: { calendar: "", schedule: null }, branches: ["open", "closed"] },
  lookup: { fields: { backend: "", params: {}, prefix: "lookup", timeout_secs: 3 }, branches: ["next", "on_error"] },
  language: { fields: { lang: "zh" }, branches: ["next"] },
  enqueue: { fields: { queue: "", priority: 0 }, branches: [] },
  transfer: { fields: { number: "" }, branches: [] },
  voicemail: { fields: { mailbox: "" }, branches: [] },
  hangup: { fields: {}, branches: [] },
};

export const NODE_TYPES = Object.keys(NODE_SPECS);

/** What the canvas keeps for a node. */
export interface IvrNodeData extends Record<string, unknown> {
  kind: string;
  fields: Record<string, FieldValue>;
  /** A menu's keys, in order (each a branch `choices.<key>`). */
  keys: string[];
  start: boolean;
  /** Problems the server found, by field ("" for the node). */
  problems: { field: string; message: string }[];
  /** On the simulated caller's path. */
  visited: boolean;
}

export type IvrNode = Node<IvrNodeData, "ivr">;

/** The branches (source handles) a node has now. */
export function branchesOf(data: Pick<IvrNodeData, "kind" | "keys">): string[] {
  const spec = NODE_SPECS[data.kind];
  const keys = data.kind === "menu" ? data.keys.map((k) => `choices.${k}`) : [];
  return [...keys, ...(spec?.branches ?? [])];
}

/** A node's targets in the document, by branch. */
function targetsOf(node: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const spec = NODE_SPECS[node.type as string];
  for (const b of spec?.branches ?? []) if (typeof node[b] === "string") out[b] = node[b] as string;
  if (node.type === "menu" && node.choices && typeof node.choices === "object") {
    for (const [k, v] of Object.entries(node.choices as Record<string, string>)) out[`choices.${k}`] = v;
  }
  return out;
}

/** The canvas for a document. Nodes without a saved position are laid
 * out by `layout` (see `autoLayout`) by the caller. */
export function docToGraph(doc: FlowDoc): { nodes: IvrNode[]; edges: Edge[] } {
  const nodes: IvrNode[] = [];
  const edges: Edge[] = [];
  let i = 0;
  for (const [id, node] of Object.entries(doc.nodes)) {
    const spec = NODE_SPECS[node.type];
    const fields: Record<string, FieldValue> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "type" || k === "choices" || spec?.branches.includes(k)) continue;
      fields[k] = v as FieldValue;
    }
    const keys = node.type === "menu" ? Object.keys((node.choices as Record<string, string>) ?? {}) : [];
    const position = doc.layout?.[id] ?? { x: (i % 4) * 260, y: Math.floor(i / 4) * 160 };
    i++;
    nodes.push({ id, type: "ivr", position, data: { kind: node.type, fields, keys, start: id === doc.start, problems: [], visited: false } });
    for (const [handle, target] of Object.entries(targetsOf(node))) {
      if (target) edges.push(edgeOf(id, handle, target));
    }
  }
  return { nodes, edges };
}

export function edgeOf(source: string, handle: string, target: string): Edge {
  return { id: `${source}:${handle}`, source, sourceHandle: handle, target, label: handle.startsWith("choices.") ? handle.slice(8) : handle };
}

/** The document for a canvas: every branch from its edge ("" when not
 * connected, which the server names as a problem), positions in `layout`. */
export function graphToDoc(id: string, nodes: IvrNode[], edges: Edge[]): FlowDoc {
  const doc: FlowDoc = { id, start: nodes.find((n) => n.data.start)?.id ?? "", nodes: {}, layout: {} };
  for (const n of nodes) {
    const target = (handle: string) => edges.find((e) => e.source === n.id && e.sourceHandle === handle)?.target ?? "";
    const out: Record<string, unknown> & { type: string } = { type: n.data.kind };
    for (const [k, v] of Object.entries(n.data.fields)) {
      // Optional fields left empty are left out (the server's default).
      if (v === null || v === undefined) continue;
      out[k] = v;
    }
    if (n.data.kind === "menu") out.choices = Object.fromEntries(n.data.keys.map((k) => [k, target(`choices.${k}`)]));
    for (const b of NODE_SPECS[n.data.kind]?.branches ?? []) out[b] = target(b);
    doc.nodes[n.id] = out;
    doc.layout![n.id] = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
  }
  return doc;
}

/** A new node of `kind` with its starting fields. */
export function newNode(kind: string, id: string, position: { x: number; y: number }): IvrNode {
  const fields = structuredClone(NODE_SPECS[kind].fields);
  return { id, type: "ivr", position, data: { kind, fields, keys: kind === "menu" ? ["1"] : [], start: false, problems: [], visited: false } };
}

/** An id for a new node of `kind` that the flow does not use yet. */
export function freshId(kind: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let i = 1; ; i++) if (!used.has(`${kind}_${i}`)) return `${kind}_${i}`;
}

/** What changed between two versions of a flow, node by node. */
export function compareDocs(a: FlowDoc, b: FlowDoc): { added: string[]; removed: string[]; changed: string[] } {
  const ids = (d: FlowDoc) => Object.keys(d.nodes);
  const added = ids(b).filter((id) => !(id in a.nodes));
  const removed = ids(a).filter((id) => !(id in b.nodes));
  const changed = ids(b).filter((id) => id in a.nodes && JSON.stringify(sorted(a.nodes[id])) !== JSON.stringify(sorted(b.nodes[id])));
  if (a.start !== b.start) changed.unshift("(start)");
  return { added, removed, changed };
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)).map(([k, x]) => [k, sorted(x)]));
  return v;
}
