import type { FlowEdge, FlowGraph, FlowNode } from './graph.js';

/**
 * Test helper: builds a graph from a compact description. Node types follow the id:
 * `start`, `end*`, `par*` parallel, `cpar*` conditional-parallel, `ex*` exclusive, `conv*`
 * converge, anything else a task of plugin `demo@1.0.0`. Flows are `"a>b"` (id `a-b`),
 * `"a>b ?expr"` (condition) or `"a>b default"`; chains `"a>b>c"` are split into flows.
 *
 * @example
 * build(['start>par', 'par>a>conv', 'par>b>conv', 'conv>end'])
 */
export function build(flows: string[], extra: { nodes?: Partial<Record<string, Partial<FlowNode>>>; variables?: FlowGraph['variables'] } = {}): FlowGraph {
  const edges: FlowEdge[] = [];
  const ids: string[] = [];
  const note = (id: string): void => {
    if (!ids.includes(id)) ids.push(id);
  };
  for (const spec of flows) {
    const [path, ...rest] = spec.trim().split(/\s+/);
    const suffix = rest.join(' ');
    const hops = path!.split('>');
    hops.forEach(note);
    // The suffix belongs to the first hop that leaves a conditional gateway (or the last hop).
    const gatewayHop = hops.slice(0, -1).findIndex((h) => /^(ex|cpar)/.test(h));
    const marked = gatewayHop === -1 ? hops.length - 2 : gatewayHop;
    for (let i = 0; i + 1 < hops.length; i++) {
      const edge: FlowEdge = { id: `${hops[i]}-${hops[i + 1]}`, source: hops[i]!, target: hops[i + 1]! };
      if (i === marked && suffix === 'default') edge.default = true;
      else if (i === marked && suffix.startsWith('?')) edge.condition = { expression: suffix.slice(1) };
      edges.push(edge);
    }
  }
  // Flows leaving a conditional gateway without a suffix get a harmless condition, to keep tables short.
  for (const edge of edges) {
    if (/^(ex|cpar)/.test(edge.source) && !edge.condition && !edge.default) edge.condition = { expression: 'true' };
  }
  for (const id of Object.keys(extra.nodes ?? {})) note(id);
  const nodes = ids.map((id) => ({ ...nodeFor(id), ...(extra.nodes?.[id] ?? {}) }) as FlowNode);
  return { name: 'test', nodes, flows: edges, variables: extra.variables ?? {}, outputs: [] };
}

function nodeFor(id: string): FlowNode {
  if (id === 'start' || id.startsWith('start')) return { id, type: 'start' };
  if (id.startsWith('end')) return { id, type: 'end' };
  if (id.startsWith('cpar')) return { id, type: 'conditional-parallel' };
  if (id.startsWith('par')) return { id, type: 'parallel' };
  if (id.startsWith('ex')) return { id, type: 'exclusive' };
  if (id.startsWith('conv')) return { id, type: 'converge' };
  return { id, type: 'task', plugin: { name: 'demo', version: '1.0.0' }, inputs: {} };
}
