import { analyzeGraph, type FlowEdge, type FlowGraph, type FlowNode } from '../../model/index.js';

/** A task's graph with the indexes the engine walks; built once per task (the snapshot never changes). */
export interface RunGraph {
  graph: FlowGraph;
  node(id: string): FlowNode;
  outgoing(id: string): FlowEdge[];
  incoming(id: string): FlowEdge[];
  /** Converge id → the fork gateway whose tokens it gathers. */
  joins: Map<string, string>;
  /** Fork / exclusive gateway id → its converge. */
  converges: Map<string, string>;
  start: FlowNode;
}

export function buildRunGraph(graph: FlowGraph): RunGraph {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const out = new Map<string, FlowEdge[]>();
  const inc = new Map<string, FlowEdge[]>();
  for (const f of graph.flows) {
    (out.get(f.source) ?? out.set(f.source, []).get(f.source)!).push(f);
    (inc.get(f.target) ?? inc.set(f.target, []).get(f.target)!).push(f);
  }
  const analysis = analyzeGraph(graph);
  const start = graph.nodes.find((n) => n.type === 'start');
  if (!start) throw new Error('graph has no start node');
  return {
    graph, start, joins: analysis.joins, converges: analysis.converges,
    node(id) {
      const n = nodes.get(id);
      if (!n) throw new Error(`node ${id} is not in the graph`);
      return n;
    },
    outgoing: (id) => out.get(id) ?? [],
    incoming: (id) => inc.get(id) ?? [],
  };
}

/** A small LRU of run graphs by task id. */
export class GraphCache {
  private readonly map = new Map<string, RunGraph>();
  constructor(private readonly capacity = 500) {}

  get(taskId: string, load: () => FlowGraph): RunGraph {
    let g = this.map.get(taskId);
    if (g) {
      this.map.delete(taskId);
      this.map.set(taskId, g);
      return g;
    }
    g = buildRunGraph(load());
    this.map.set(taskId, g);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
    return g;
  }
}
