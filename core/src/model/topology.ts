import type { FlowEdge, FlowGraph, FlowNode } from './graph.js';

/** Adjacency of a graph; flows with a missing endpoint are left out. */
export interface GraphIndex {
  nodes: Map<string, FlowNode>;
  outgoing: Map<string, FlowEdge[]>;
  incoming: Map<string, FlowEdge[]>;
}

/** How the nodes reachable from the start event are ordered, and which flows point backwards. */
export interface Topology {
  /** Nodes reachable from the start event (over all flows). */
  reachable: Set<string>;
  /**
   * Ids of the backward flows (loops): flows into a node that is still open on the depth-first
   * path from the start. For the well-structured graphs flows are made of, these are exactly the
   * flows whose target dominates their source, whatever the order of the flows.
   */
  backEdges: Set<string>;
  /** Reachable nodes in topological order of the forward flows (every forward flow goes from earlier to later). */
  order: string[];
}

/** Builds the adjacency lists of `graph` (first node wins on duplicate ids). */
export function indexGraph(graph: FlowGraph): GraphIndex {
  const nodes = new Map<string, FlowNode>();
  const outgoing = new Map<string, FlowEdge[]>();
  const incoming = new Map<string, FlowEdge[]>();
  for (const node of graph.nodes) {
    if (nodes.has(node.id)) continue;
    nodes.set(node.id, node);
    outgoing.set(node.id, []);
    incoming.set(node.id, []);
  }
  for (const flow of graph.flows) {
    if (!nodes.has(flow.source) || !nodes.has(flow.target)) continue;
    outgoing.get(flow.source)!.push(flow);
    incoming.get(flow.target)!.push(flow);
  }
  return { nodes, outgoing, incoming };
}

/** Depth-first walk from `startId`: reachability, backward flows and a forward topological order. */
export function analyzeTopology(index: GraphIndex, startId: string): Topology {
  const reachable = new Set<string>();
  const backEdges = new Set<string>();
  const onPath = new Set<string>();
  const postorder: string[] = [];
  // Iterative, so a 10,000-node sequence does not overflow the call stack.
  const stack: { id: string; next: number }[] = [{ id: startId, next: 0 }];
  reachable.add(startId);
  onPath.add(startId);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const out = index.outgoing.get(frame.id) ?? [];
    if (frame.next < out.length) {
      const flow = out[frame.next]!;
      frame.next += 1;
      if (onPath.has(flow.target)) {
        backEdges.add(flow.id);
      } else if (!reachable.has(flow.target)) {
        reachable.add(flow.target);
        onPath.add(flow.target);
        stack.push({ id: flow.target, next: 0 });
      }
      continue;
    }
    stack.pop();
    onPath.delete(frame.id);
    postorder.push(frame.id);
  }
  return { reachable, backEdges, order: postorder.reverse() };
}

/** Nodes from which some end event can be reached (over all flows). */
export function nodesReachingEnd(index: GraphIndex): Set<string> {
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const node of index.nodes.values()) {
    if (node.type === 'end') {
      seen.add(node.id);
      queue.push(node.id);
    }
  }
  while (queue.length > 0) {
    const id = queue.pop()!;
    for (const flow of index.incoming.get(id) ?? []) {
      if (!seen.has(flow.source)) {
        seen.add(flow.source);
        queue.push(flow.source);
      }
    }
  }
  return seen;
}
