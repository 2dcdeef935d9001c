import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Alert, Button, Card, Col, Input, List, Row, Select, Space, Tag, Typography } from "antd";
import { addEdge, Background, Connection, Controls, Edge, MiniMap, ReactFlow, ReactFlowProvider, useEdgesState, useNodesState, useReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import dagre from "@dagrejs/dagre";
import { api, ApiError, getTagged, sendTagged } from "../api";
import type { Lang } from "../i18n";
import { docToGraph, edgeOf, FlowDoc, freshId, graphToDoc, IvrNode, newNode, NODE_TYPES } from "./flowGraph";
import { makeNodeView } from "./IvrNodeView";
import { labels } from "./labels";
import { NodeEditor } from "./NodeEditor";
import { Simulator } from "./Simulator";
import { TestCall } from "./TestCall";
import { Versions, FlowVersion } from "./Versions";

interface FlowInfo {
  id: string;
  published_version: number | null;
  versions: FlowVersion[];
}

const DRAG_TYPE = "application/x-hotline-node";

/** Lays the graph out top to bottom, start first (dagre). */
function autoLayout(nodes: IvrNode[], edges: Edge[]): IvrNode[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "TB", nodesep: 40, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: 190, height: 90 });
  for (const e of edges) g.setEdge(e.source, e.target);
  dagre.layout(g);
  return nodes.map((n) => {
    const p = g.node(n.id);
    return { ...n, position: { x: p.x - 95, y: p.y - 45 } };
  });
}

function Designer(props: { lang: Lang }) {
  const L = labels(props.lang);
  const nodeTypes = useMemo(() => ({ ivr: makeNodeView(L) }), [L]);
  const flow = useReactFlow();
  const [flowId, setFlowId] = useState(() => new URLSearchParams(window.location.search).get("flow") ?? "demo");
  const [flows, setFlows] = useState<string[]>([]);
  const [info, setInfo] = useState<FlowInfo | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [nodes, setNodes, onNodesChange] = useNodesState<IvrNode>([]);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [problems, setProblems] = useState<{ node: string; field: string; message: string }[]>([]);
  const [notice, setNotice] = useState<{ type: "success" | "error" | "warning"; text: string } | null>(null);
  const [queues, setQueues] = useState<{ id: string; name: string }[]>([]);
  const [calendars, setCalendars] = useState<{ id: string; name: string }[]>([]);
  const [newId, setNewId] = useState("");
  const [number, setNumber] = useState("");
  const history = useRef<{ past: string[]; future: string[] }>({ past: [], future: [] });

  const doc = useCallback((): FlowDoc => graphToDoc(flowId, nodes, edges), [flowId, nodes, edges]);

  const show = useCallback(
    (d: FlowDoc) => {
      let { nodes: n, edges: e } = docToGraph(d);
      if (!d.layout || Object.keys(d.layout).length === 0) n = autoLayout(n, e);
      setNodes(n);
      setEdges(e);
      setSelected(null);
    },
    [setNodes, setEdges],
  );

  const load = useCallback(
    async (id: string) => {
      const { data, etag } = await getTagged<FlowInfo>(`/ivr/flows/${encodeURIComponent(id)}`);
      setInfo(data);
      setEtag(etag);
      history.current = { past: [], future: [] };
      if (data.versions[0]) show(data.versions[0].document as FlowDoc);
    },
    [show],
  );

  useEffect(() => {
    api<{ id: string }[]>("GET", "/ivr/flows").then((l) => setFlows(l.map((f) => f.id))).catch(() => {});
    api<{ id: string; name: string }[]>("GET", "/queues").then(setQueues).catch(() => {});
    api<{ id: string; name: string }[]>("GET", "/calendars").then(setCalendars).catch(() => {});
  }, []);
  useEffect(() => {
    load(flowId).catch(() => {
      setInfo(null);
      setEtag(null);
      show({ id: flowId, start: "", nodes: {} });
    });
    // (Only when the flow changes.)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flowId]);

  // The server's validator, as the flow is edited.
  const docJson = JSON.stringify(graphToDoc(flowId, nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })), edges));
  useEffect(() => {
    const timer = setTimeout(() => {
      api<{ node: string; field: string; message: string }[]>("POST", "/ivr/validate", { document: JSON.parse(docJson) })
        .then((p) => {
          setProblems(p);
          setNodes((ns) =>
            ns.map((n) => {
              const mine = p.filter((x) => x.node === n.id).map((x) => ({ field: x.field, message: x.message }));
              return JSON.stringify(mine) === JSON.stringify(n.data.problems) ? n : { ...n, data: { ...n.data, problems: mine } };
            }),
          );
        })
        .catch(() => {});
    }, 300);
    return () => clearTimeout(timer);
  }, [docJson, setNodes]);

  // Undo / redo: a snapshot before each change.
  const remember = useCallback(() => {
    history.current.past.push(JSON.stringify(doc()));
    if (history.current.past.length > 100) history.current.past.shift();
    history.current.future = [];
  }, [doc]);
  const undo = () => {
    const prev = history.current.past.pop();
    if (!prev) return;
    history.current.future.push(JSON.stringify(doc()));
    show(JSON.parse(prev));
  };
  const redo = () => {
    const next = history.current.future.pop();
    if (!next) return;
    history.current.past.push(JSON.stringify(doc()));
    show(JSON.parse(next));
  };

  const update = (id: string, f: (n: IvrNode) => IvrNode) => {
    remember();
    setNodes((ns) => ns.map((n) => (n.id === id ? f(n) : n)));
  };
  const connect = (source: string, handle: string, target: string | null) => {
    remember();
    setEdges((es) => {
      const rest = es.filter((e) => !(e.source === source && e.sourceHandle === handle));
      return target ? [...rest, edgeOf(source, handle, target)] : rest;
    });
  };
  const onConnect = (c: Connection) => {
    if (!c.source || !c.target || !c.sourceHandle) return;
    remember();
    setEdges((es) => addEdge(edgeOf(c.source!, c.sourceHandle!, c.target!), es.filter((e) => !(e.source === c.source && e.sourceHandle === c.sourceHandle))));
  };
  const add = (kind: string, position?: { x: number; y: number }) => {
    remember();
    const id = freshId(kind, nodes.map((n) => n.id));
    const at = position ?? flow.screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 3 });
    const n = newNode(kind, id, at);
    if (nodes.length === 0) n.data.start = true;
    setNodes((ns) => [...ns, n]);
    setSelected(id);
  };

  const save = async () => {
    setNotice(null);
    try {
      const r = await sendTagged<FlowVersion>("PUT", `/ivr/flows/${encodeURIComponent(flowId)}`, doc(), etag);
      setNotice({ type: "success", text: `${L.savedDraft}${r.data.version}` });
      await load(flowId);
      if (!flows.includes(flowId)) setFlows([...flows, flowId]);
      return r.data.version;
    } catch (e) {
      setNotice({ type: e instanceof ApiError && e.code === "precondition_failed" ? "warning" : "error", text: e instanceof ApiError && e.code === "precondition_failed" ? L.stale : String((e as Error).message) });
      return null;
    }
  };
  const publish = async (version?: number) => {
    const v = version ?? (await save());
    if (v === null || v === undefined) return;
    try {
      await api("POST", `/ivr/flows/${encodeURIComponent(flowId)}/versions/${v}/publish`, {});
      setNotice({ type: "success", text: `${L.publishedVersion}${v}` });
      await load(flowId);
    } catch (e) {
      setNotice({ type: "error", text: (e as Error).message });
    }
  };
  const rollback = async (v: FlowVersion) => {
    show(v.document as FlowDoc);
    // (The canvas shows it at once; saving reads the state on the next render.)
    const r = await sendTagged<FlowVersion>("PUT", `/ivr/flows/${encodeURIComponent(flowId)}`, v.document, etag).catch((e) => {
      setNotice({ type: "error", text: (e as Error).message });
      return null;
    });
    if (r) {
      await load(flowId);
      await publish(r.data.version);
    }
  };
  const pointNumber = async () => {
    try {
      await api("PUT", `/ivr/numbers/${encodeURIComponent(number)}`, { flow_id: flowId });
      setNotice({ type: "success", text: `${L.numberSet}${number}` });
    } catch (e) {
      setNotice({ type: "error", text: (e as Error).message });
    }
  };

  const selectedNode = nodes.find((n) => n.id === selected) ?? null;
  return (
    <div className="designer" onKeyDown={(e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "z") undo();
      if ((e.ctrlKey || e.metaKey) && e.key === "y") redo();
    }}>
      <Space wrap style={{ marginBottom: 12 }}>
        <Typography.Text>{L.flow}</Typography.Text>
        <Select data-testid="flow-select" value={flowId} style={{ minWidth: 140 }} onChange={setFlowId} options={flows.map((f) => ({ value: f, label: f }))} />
        <Input name="new-flow" placeholder={L.newFlow} value={newId} onChange={(e) => setNewId(e.target.value)} style={{ width: 140 }} />
        <Button onClick={() => { if (/^[a-z0-9_-]{1,32}$/.test(newId)) { setFlowId(newId); setNewId(""); } }}>{L.newFlow}</Button>
        <Button onClick={undo}>{L.undo}</Button>
        <Button onClick={redo}>{L.redo}</Button>
        <Button onClick={() => { remember(); setNodes(autoLayout(nodes, edges)); }}>{L.layout}</Button>
        <Button onClick={() => void save()}>{L.saveDraft}</Button>
        <Button type="primary" onClick={() => void publish()}>{L.publish}</Button>
        <Input name="number" placeholder={L.numberTo} value={number} onChange={(e) => setNumber(e.target.value)} style={{ width: 170 }} />
        <Button onClick={() => void pointNumber()} disabled={!/^\d{2,20}$/.test(number)}>{L.pointNumber}</Button>
      </Space>
      {notice && <Alert type={notice.type} showIcon title={notice.text} role="status" style={{ marginBottom: 12 }} closable onClose={() => setNotice(null)} />}
      <Row gutter={12}>
        <Col flex="150px">
          <Card size="small" title={L.palette} data-testid="palette">
            <Space orientation="vertical" style={{ width: "100%" }}>
              {NODE_TYPES.map((k) => (
                <Button key={k} block draggable data-testid={`add-${k}`} onDragStart={(e) => e.dataTransfer.setData(DRAG_TYPE, k)} onClick={() => add(k)}>
                  {(L.kinds as Record<string, string>)[k]}
                </Button>
              ))}
            </Space>
          </Card>
        </Col>
        <Col flex="auto">
          <div className="designer-canvas" data-testid="canvas"
            onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = "move"; }}
            onDrop={(e) => {
              e.preventDefault();
              const kind = e.dataTransfer.getData(DRAG_TYPE);
              if (kind) add(kind, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
            }}>
            <ReactFlow<IvrNode, Edge>
              nodes={nodes}
              edges={edges.map((e) => ({ ...e, label: e.sourceHandle?.startsWith("choices.") ? e.sourceHandle.slice(8) : (L.branches[e.sourceHandle ?? ""] ?? e.sourceHandle) }))}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={(c) => { if (c.some((x) => x.type === "remove")) remember(); onEdgesChange(c); }}
              onNodeDragStart={() => remember()}
              onConnect={onConnect}
              onNodeClick={(_, n) => setSelected(n.id)}
              onPaneClick={() => setSelected(null)}
              deleteKeyCode={null}
              fitView
            >
              <Background />
              <Controls />
              <MiniMap pannable zoomable style={{ width: 120, height: 80 }} />
            </ReactFlow>
          </div>
          <Card size="small" title={L.problems} style={{ marginTop: 12 }} data-testid="problems">
            {problems.length === 0 ? (
              <Typography.Text type="success">{L.noProblems}</Typography.Text>
            ) : (
              <List size="small" dataSource={problems} renderItem={(p) => (
                <List.Item onClick={() => p.node && setSelected(p.node)} style={{ cursor: "pointer" }}>
                  <Tag color="red">{p.node || L.flow}</Tag>{p.field && <Tag>{p.field}</Tag>}{p.message}
                </List.Item>
              )} />
            )}
          </Card>
        </Col>
        <Col flex="340px">
          <Space orientation="vertical" style={{ width: "100%" }}>
            <NodeEditor
              L={L}
              node={selectedNode}
              nodes={nodes}
              edges={edges}
              queues={queues}
              calendars={calendars}
              onFields={(id, fields) => update(id, (n) => ({ ...n, data: { ...n.data, fields } }))}
              onKeys={(id, keys) => {
                update(id, (n) => ({ ...n, data: { ...n.data, keys } }));
                setEdges((es) => es.filter((e) => !(e.source === id && e.sourceHandle?.startsWith("choices.") && !keys.includes(e.sourceHandle.slice(8)))));
              }}
              onConnect={connect}
              onStart={(id) => { remember(); setNodes((ns) => ns.map((n) => ({ ...n, data: { ...n.data, start: n.id === id } }))); }}
              onDelete={(id) => {
                remember();
                setNodes((ns) => ns.filter((n) => n.id !== id));
                setEdges((es) => es.filter((e) => e.source !== id && e.target !== id));
                setSelected(null);
              }}
            />
            <TestCall L={L} doc={doc} />
            <Simulator L={L} doc={doc} onPath={(path) => setNodes((ns) => ns.map((n) => ({ ...n, data: { ...n.data, visited: path.includes(n.id) } })))} />
            {info && <Versions L={L} info={info} onRollback={(v) => void rollback(v)} />}
          </Space>
        </Col>
      </Row>
    </div>
  );
}

/** The IVR flow designer (admins edit; supervisors look). */
export function FlowDesignerPage(props: { lang: Lang }) {
  return (
    <ReactFlowProvider>
      <Designer lang={props.lang} />
    </ReactFlowProvider>
  );
}
