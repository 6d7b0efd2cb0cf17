import type { FlowEdge, FlowGraph } from './graph.js';
import { InvalidGraphError, NodeNotOptionalError, UnknownNodeError } from './errors.js';
import { analyzeGraph } from './validate.js';

/**
 * Leaves optional nodes out of a graph, as bk-sops does when a task is created with excluded
 * nodes (reference/bk-sops.md §3), and rewires what is left:
 * - every flow into an excluded node is redirected to the node it led to (conditions and the
 *   default mark stay on the redirected flow); a flow that ends up pointing at its own source
 *   (an emptied loop) is dropped;
 * - a branch of a `parallel` gateway that became empty (gateway straight to its converge)
 *   disappears; a parallel block left with no branch disappears (and so does a loop flow left
 *   pointing at its own source), and one left with a single branch is replaced by that branch.
 *   `conditional-parallel` and `exclusive` branches are kept even when empty, since their
 *   conditions still decide what happens.
 *
 * The input is not modified. Variables only an excluded node produced stay declared nowhere:
 * validate the result before running it.
 *
 * @throws {UnknownNodeError} when an id is not a node of the graph.
 * @throws {NodeNotOptionalError} when a node is not a task or subflow marked `optional: true`.
 * @example
 * const taskGraph = excludeOptionalNodes(templateGraph, ['notify_chat']);
 */
export function excludeOptionalNodes(graph: FlowGraph, nodeIds: readonly string[]): FlowGraph {
  const out = JSON.parse(JSON.stringify(graph)) as FlowGraph;
  const byId = new Map(out.nodes.map((n) => [n.id, n]));
  for (const id of nodeIds) {
    const node = byId.get(id);
    if (!node) throw new UnknownNodeError(id);
    if ((node.type !== 'task' && node.type !== 'subflow') || node.optional !== true) throw new NodeNotOptionalError(id);
  }
  if (nodeIds.length === 0) return out;
  const converges = analyzeGraph(graph).converges;
  for (const id of new Set(nodeIds)) removeNode(out, id);
  while (simplifyParallels(out, converges)) { /* repeat: dissolving an inner block may empty an outer branch */ }
  return out;
}

/** Removes one node, redirecting its incoming flows to its single successor. */
function removeNode(graph: FlowGraph, id: string): void {
  const leaving = graph.flows.filter((f) => f.source === id);
  if (leaving.length !== 1) {
    throw new InvalidGraphError([{ nodeId: id, rule: 'degree', message: `node ${id} has ${leaving.length} outgoing flows; it can be excluded only with exactly 1` }]);
  }
  const next = leaving[0]!.target;
  graph.flows = graph.flows
    .filter((f) => f !== leaving[0])
    .map((f) => (f.target === id ? { ...f, target: next } : f))
    .filter((f) => f.source !== f.target);
  dropNodes(graph, [id]);
}

/** One pass of parallel-block clean-up; returns true when it changed something. */
function simplifyParallels(graph: FlowGraph, converges: Map<string, string>): boolean {
  const present = new Set(graph.nodes.map((n) => n.id));
  for (const gateway of graph.nodes) {
    if (gateway.type !== 'parallel') continue;
    const convergeId = converges.get(gateway.id);
    if (!convergeId || !present.has(convergeId)) continue;
    const branches = graph.flows.filter((f) => f.source === gateway.id);
    const empty = branches.filter((f) => f.target === convergeId);
    const kept = branches.filter((f) => f.target !== convergeId);
    const intoConverge = (): FlowEdge[] => graph.flows.filter((f) => f.target === convergeId);
    const afterConverge = graph.flows.find((f) => f.source === convergeId);
    if (!afterConverge) continue;

    if (kept.length === 0) {
      if (intoConverge().some((f) => f.source !== gateway.id)) continue;
      // The whole block is empty: whatever led into the gateway now leads past the converge.
      // A loop that went back to the gateway from just past the block is emptied with it: drop it.
      graph.flows = graph.flows
        .filter((f) => f.source !== gateway.id && f.source !== convergeId)
        .map((f) => (f.target === gateway.id ? { ...f, target: afterConverge.target } : f))
        .filter((f) => f.source !== f.target);
      dropNodes(graph, [gateway.id, convergeId]);
      return true;
    }
    if (empty.length > 0) {
      graph.flows = graph.flows.filter((f) => !empty.includes(f));
      return true;
    }
    const gathered = intoConverge();
    if (kept.length === 1 && gathered.length === 1) {
      // One branch left: splice it in place of the block.
      const first = kept[0]!.target;
      const last = gathered[0]!;
      graph.flows = graph.flows
        .filter((f) => f !== kept[0] && f !== afterConverge)
        .map((f) => {
          if (f === last) return { ...f, target: afterConverge.target };
          return f.target === gateway.id ? { ...f, target: first } : f;
        });
      dropNodes(graph, [gateway.id, convergeId]);
      return true;
    }
  }
  return false;
}

function dropNodes(graph: FlowGraph, ids: string[]): void {
  graph.nodes = graph.nodes.filter((n) => !ids.includes(n.id));
  if (graph.layout) for (const id of ids) delete graph.layout[id];
}
