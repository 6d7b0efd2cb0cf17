import type { NodeType } from './graph.js';
import type { GraphError } from './errors.js';
import type { GraphIndex, Topology } from './topology.js';
import { nodesReachingEnd } from './topology.js';

/** Allowed numbers of incoming and outgoing flows per node type (bamboo-engine's rules). */
const DEGREES: Record<NodeType, { inMin: number; inMax?: number; outMin: number; outMax?: number }> = {
  start: { inMin: 0, inMax: 0, outMin: 1, outMax: 1 },
  end: { inMin: 1, outMin: 0, outMax: 0 },
  task: { inMin: 1, outMin: 1, outMax: 1 },
  subflow: { inMin: 1, outMin: 1, outMax: 1 },
  exclusive: { inMin: 1, outMin: 1 },
  parallel: { inMin: 1, outMin: 1 },
  'conditional-parallel': { inMin: 1, outMin: 1 },
  converge: { inMin: 1, outMin: 1, outMax: 1 },
};

/** Node degrees, isolated nodes, nodes the start cannot reach, and nodes that cannot reach an end. */
export function checkDegrees(index: GraphIndex, topology: Topology | undefined): GraphError[] {
  const errors: GraphError[] = [];
  const isolated = new Set<string>();
  for (const node of index.nodes.values()) {
    const inCount = index.incoming.get(node.id)!.length;
    const outCount = index.outgoing.get(node.id)!.length;
    if (inCount === 0 && outCount === 0) {
      isolated.add(node.id);
      errors.push({ nodeId: node.id, rule: 'isolated_node', message: `${node.type} node ${node.id} has no flows; connect it or delete it` });
      continue;
    }
    const rule = DEGREES[node.type];
    const inOk = inCount >= rule.inMin && (rule.inMax === undefined || inCount <= rule.inMax);
    const outOk = outCount >= rule.outMin && (rule.outMax === undefined || outCount <= rule.outMax);
    if (!inOk) {
      errors.push({ nodeId: node.id, rule: 'degree',
        message: `${node.type} node ${node.id} has ${inCount} incoming flow(s); it needs ${describe(rule.inMin, rule.inMax)}` });
    }
    if (!outOk) {
      errors.push({ nodeId: node.id, rule: 'degree',
        message: `${node.type} node ${node.id} has ${outCount} outgoing flow(s); it needs ${describe(rule.outMin, rule.outMax)}` });
    }
  }
  if (!topology) return errors;
  for (const node of index.nodes.values()) {
    if (!isolated.has(node.id) && !topology.reachable.has(node.id)) {
      errors.push({ nodeId: node.id, rule: 'unreachable_node', message: `${node.type} node ${node.id} cannot be reached from the start event` });
    }
  }
  const hasEnd = [...index.nodes.values()].some((n) => n.type === 'end');
  if (hasEnd) {
    const reachingEnd = nodesReachingEnd(index);
    for (const id of topology.order) {
      if (!reachingEnd.has(id)) {
        const node = index.nodes.get(id)!;
        errors.push({ nodeId: id, rule: 'no_path_to_end', message: `no path leads from ${node.type} node ${id} to an end event; the flow could never finish` });
      }
    }
  }
  return errors;
}

function describe(min: number, max: number | undefined): string {
  if (max === min) return `exactly ${min}`;
  if (max === undefined) return `at least ${min}`;
  return `${min} to ${max}`;
}
