/**
 * Decides, as the user draws, whether a new flow may be added. A graph under construction is
 * always incomplete (unconnected nodes, gateways without converge yet), so only problems that
 * no later edit could fix without removing this flow refuse it: wrong degrees, self loops,
 * duplicates, and the block rules of {@link analyzeGraph} that this very flow breaks.
 */
import { analyzeGraph, type FlowEdge, type FlowGraph, type GraphError, type NodeType } from '@opsloom/core/model';
import { kindLabel } from './node-kinds.js';
import { addFlow, uniqueId } from './graph-edit.js';

/** The verdict of {@link checkConnection}. */
export type ConnectionVerdict =
  | { ok: true; flow: FlowEdge; graph: FlowGraph }
  | { ok: false; reason: string; rule: string };

/** Most outgoing flows a node type may have (undefined: any number). */
const MAX_OUT: Partial<Record<NodeType, number>> = { start: 1, end: 0, task: 1, subflow: 1, converge: 1 };

/** Rules of the structural analysis that a single flow can break for good. */
const BLOCKING = new Set<string>([
  'merge_outside_converge', 'branches_cross', 'converge_shared_by_parallels', 'converge_outside_block',
  'parallel_multiple_converges', 'loop_into_parallel_converge', 'loop_leaves_block',
]);

/**
 * Checks a flow from `sourceId` to `targetId` and returns the graph with it, or the reason it is refused.
 *
 * @example
 * const v = checkConnection(graph, 'start', 'end');
 * if (!v.ok) toast(v.reason);
 */
export function checkConnection(graph: FlowGraph, sourceId: string, targetId: string): ConnectionVerdict {
  const source = graph.nodes.find((n) => n.id === sourceId);
  const target = graph.nodes.find((n) => n.id === targetId);
  if (!source || !target) return refuse('dangling_flow', 'both ends of a flow must be nodes of this flow');
  if (sourceId === targetId) return refuse('self_loop', `a node cannot connect to itself; loop back through a gateway instead`);
  if (graph.flows.some((f) => f.source === sourceId && f.target === targetId)) {
    return refuse('duplicate_flow', `${describe(source.type, sourceId)} is already connected to ${targetId}`);
  }
  if (target.type === 'start') return refuse('degree', 'the start event cannot have incoming flows');
  const maxOut = MAX_OUT[source.type];
  const outCount = graph.flows.filter((f) => f.source === sourceId).length;
  if (maxOut !== undefined && outCount >= maxOut) {
    return refuse('degree', maxOut === 0
      ? 'an end event has no outgoing flows'
      : `${describe(source.type, sourceId)} already has its outgoing flow; add a gateway after it to branch`);
  }
  const flow: FlowEdge = { id: uniqueId(graph, 'f'), source: sourceId, target: targetId };
  const next = addFlow(graph, flow);
  const before = keys(analyzeGraph(graph).errors);
  const introduced = analyzeGraph(next).errors.filter((e) => !before.has(key(e)) && blocks(e, flow, target.type));
  if (introduced.length > 0) return refuse(introduced[0]!.rule, introduced[0]!.message);
  return { ok: true, flow, graph: next };
}

function blocks(e: GraphError, flow: FlowEdge, targetType: NodeType): boolean {
  if (BLOCKING.has(e.rule)) return true;
  // A branch that runs into an end event from inside a parallel block; the other report of this
  // rule (a branch that has not reached the converge yet) only means "not finished".
  return e.rule === 'branch_leaves_block' && e.flowId === flow.id && targetType === 'end';
}

function refuse(rule: string, reason: string): ConnectionVerdict {
  return { ok: false, rule, reason };
}

function describe(type: NodeType, id: string): string {
  return `${kindLabel(type).toLowerCase()} ${id}`;
}

function key(e: GraphError): string {
  return `${e.rule}\u0000${e.nodeId ?? ''}\u0000${e.flowId ?? ''}`;
}

function keys(errors: GraphError[]): Set<string> {
  return new Set(errors.map(key));
}
