import { Handle, NodeProps, Position } from "@xyflow/react";
import { branchesOf, IvrNode } from "./flowGraph";
import type { Labels } from "./labels";

/** A node on the canvas: its type and id, a start badge, what the server
 * found wrong with it, an input on top and one output per branch below. */
export function makeNodeView(L: Labels) {
  return function IvrNodeView({ id, data, selected }: NodeProps<IvrNode>) {
    const branches = branchesOf(data);
    const cls = ["ivr-node", selected ? "selected" : "", data.problems.length ? "has-problems" : "", data.visited ? "visited" : ""].join(" ");
    const branchLabel = (b: string) => (b.startsWith("choices.") ? b.slice(8) : (L.branches[b] ?? b));
    return (
      <div className={cls} data-testid={`node-${id}`}>
        <Handle type="target" position={Position.Top} />
        <div className="ivr-node-head">
          <span className="ivr-kind">{(L.kinds as Record<string, string>)[data.kind] ?? data.kind}</span>
          {data.start && <span className="ivr-start">{L.start}</span>}
        </div>
        <div className="ivr-id">{id}</div>
        {data.problems.map((p, i) => (
          <div key={i} className="ivr-problem" data-testid="node-problem">{p.field ? `${p.field}: ` : ""}{p.message}</div>
        ))}
        {branches.length > 0 && (
          <div className="ivr-branches">
            {branches.map((b) => (
              <div key={b} className="ivr-branch">
                {branchLabel(b)}
                <Handle type="source" id={b} position={Position.Bottom} data-testid={`handle-${id}-${b}`} />
              </div>
            ))}
          </div>
        )}
      </div>
    );
  };
}
