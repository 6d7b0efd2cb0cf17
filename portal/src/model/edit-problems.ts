/**
 * The problems a check found that still stand after an edit: those on the nodes and flows the edit
 * changed (or removed) are dropped until the next check, so a corrected value no longer shows the
 * old problem; the others stay where they were.
 */
import type { FlowGraph, GraphError } from '@opsloom/core/model';

export function problemsAfterEdit(problems: readonly GraphError[], before: FlowGraph, after: FlowGraph): GraphError[] {
  if (problems.length === 0) return [];
  const changed = (list: readonly { id: string }[], next: readonly { id: string }[]) => {
    const now = new Map(next.map((x) => [x.id, JSON.stringify(x)]));
    return new Set(list.filter((x) => now.get(x.id) !== JSON.stringify(x)).map((x) => x.id));
  };
  const nodes = changed(before.nodes, after.nodes);
  const flows = changed(before.flows, after.flows);
  return problems.filter((p) => !(p.nodeId !== undefined && nodes.has(p.nodeId)) && !(p.flowId !== undefined && flows.has(p.flowId)));
}
