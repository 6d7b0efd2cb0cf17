/**
 * Edits of a flow graph as pure functions: each returns a new graph and leaves its argument
 * untouched, so the editor can keep every state for undo/redo and compare them cheaply.
 */
import type { FlowEdge, FlowGraph, FlowNode, Position, VariableDef } from '@opsloom/core/model';

/** An empty graph with a start and an end event. */
export function emptyGraph(name = 'New flow'): FlowGraph {
  return {
    name,
    nodes: [{ id: 'start', type: 'start', name: 'Start' }, { id: 'end', type: 'end', name: 'End' }],
    flows: [],
    variables: {},
    outputs: [],
    layout: { start: { x: 80, y: 200 }, end: { x: 600, y: 200 } },
  };
}

/** An id not yet used by a node or flow of `graph` (nodes and flows share one id space). */
export function uniqueId(graph: FlowGraph, prefix: string, taken: ReadonlySet<string> = new Set()): string {
  const used = new Set<string>([...graph.nodes.map((n) => n.id), ...graph.flows.map((f) => f.id), ...taken]);
  const base = prefix.replace(/[^a-zA-Z0-9_-]/g, '_') || 'n';
  let i = 1;
  while (used.has(`${base}${i}`)) i += 1;
  return `${base}${i}`;
}

/** Adds a node at a position. */
export function addNode(graph: FlowGraph, node: FlowNode, at: Position): FlowGraph {
  return { ...graph, nodes: [...graph.nodes, node], layout: { ...graph.layout, [node.id]: round(at) } };
}

/** Removes nodes (with every flow touching them) and flows. */
export function removeElements(graph: FlowGraph, nodeIds: Iterable<string>, flowIds: Iterable<string> = []): FlowGraph {
  const nodes = new Set(nodeIds);
  const flows = new Set(flowIds);
  const layout = { ...graph.layout };
  for (const id of nodes) delete layout[id];
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => !nodes.has(n.id)),
    flows: graph.flows.filter((f) => !flows.has(f.id) && !nodes.has(f.source) && !nodes.has(f.target)),
    layout,
  };
}

/** Sets the positions of some nodes. */
export function moveNodes(graph: FlowGraph, moves: Record<string, Position>): FlowGraph {
  const layout = { ...graph.layout };
  for (const [id, p] of Object.entries(moves)) layout[id] = round(p);
  return { ...graph, layout };
}

/** Shifts nodes by a delta (keyboard moves). Nodes without a position start at the origin. */
export function nudgeNodes(graph: FlowGraph, ids: Iterable<string>, dx: number, dy: number): FlowGraph {
  const moves: Record<string, Position> = {};
  for (const id of ids) {
    const p = graph.layout?.[id] ?? { x: 0, y: 0 };
    moves[id] = { x: Math.max(0, p.x + dx), y: Math.max(0, p.y + dy) };
  }
  return moveNodes(graph, moves);
}

/** Appends a flow. */
export function addFlow(graph: FlowGraph, flow: FlowEdge): FlowGraph {
  return { ...graph, flows: [...graph.flows, flow] };
}

/** Replaces a node by id (the id itself cannot change here). */
export function replaceNode(graph: FlowGraph, node: FlowNode): FlowGraph {
  return { ...graph, nodes: graph.nodes.map((n) => (n.id === node.id ? node : n)) };
}

/** Replaces a flow by id. */
export function replaceFlow(graph: FlowGraph, flow: FlowEdge): FlowGraph {
  return { ...graph, flows: graph.flows.map((f) => (f.id === flow.id ? flow : f)) };
}

/**
 * Sets the condition of a flow leaving a conditional gateway: an expression, or the default mark
 * (which clears the default mark of its siblings, since a gateway has at most one default flow).
 */
export function setFlowCondition(graph: FlowGraph, flowId: string, condition: { expression: string; name?: string } | 'default' | null): FlowGraph {
  const flow = graph.flows.find((f) => f.id === flowId);
  if (!flow) return graph;
  return {
    ...graph,
    flows: graph.flows.map((f) => {
      if (f.id === flowId) {
        const { condition: _c, default: _d, ...rest } = f;
        if (condition === 'default') return { ...rest, default: true };
        if (condition === null) return rest;
        return { ...rest, condition: condition.name ? { expression: condition.expression, name: condition.name } : { expression: condition.expression } };
      }
      if (condition === 'default' && f.source === flow.source && f.default) {
        const { default: _d, ...rest } = f;
        return rest;
      }
      return f;
    }),
  };
}

/** Adds or replaces a variable. Renaming is {@link renameVariable}. */
export function setVariable(graph: FlowGraph, key: string, def: VariableDef): FlowGraph {
  return { ...graph, variables: { ...graph.variables, [key]: def } };
}

/** Removes a variable and its entry in the flow's outputs. */
export function removeVariable(graph: FlowGraph, key: string): FlowGraph {
  const variables = { ...graph.variables };
  delete variables[key];
  return { ...graph, variables, outputs: graph.outputs.filter((o) => o !== key) };
}

/** Renames a variable, keeping its place in the list and in the outputs (references in expressions are not rewritten). */
export function renameVariable(graph: FlowGraph, from: string, to: string): FlowGraph {
  if (from === to || !(from in graph.variables) || to in graph.variables) return graph;
  const variables: Record<string, VariableDef> = {};
  for (const [k, v] of Object.entries(graph.variables)) variables[k === from ? to : k] = v;
  return { ...graph, variables, outputs: graph.outputs.map((o) => (o === from ? to : o)) };
}

/** Marks or unmarks a variable as one of the flow's outputs. */
export function toggleOutput(graph: FlowGraph, key: string, on: boolean): FlowGraph {
  const has = graph.outputs.includes(key);
  if (on === has) return graph;
  return { ...graph, outputs: on ? [...graph.outputs, key] : graph.outputs.filter((o) => o !== key) };
}

function round(p: Position): Position {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}
