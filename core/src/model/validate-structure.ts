import type { FlowGraph } from './graph.js';
import { isConditionalGateway, NODE_TYPES } from './graph.js';
import type { GraphError } from './errors.js';
import type { GraphIndex } from './topology.js';

/** The longest node or flow id: a task stores them in 64-character columns, and node routes take no longer one. */
export const MAX_ID_LENGTH = 64;
/** The longest graph name, and the most nodes and flows a graph may have: bounds that keep a save's work finite. */
export const GRAPH_LIMITS = { name: 200, nodes: 20_000, flows: 40_000 } as const;

/**
 * Checks that `value` has the outline of a {@link FlowGraph} (object, node and flow arrays with
 * string ids, a known type on every node). Returns the errors; when there are any, nothing
 * deeper can be checked.
 */
export function checkOutline(value: unknown): GraphError[] {
  const errors: GraphError[] = [];
  const shape = (message: string, at: { nodeId?: string; flowId?: string } = {}): void => {
    errors.push({ ...at, rule: 'invalid_shape', message });
  };
  if (!isObject(value)) {
    shape('the flow graph must be a JSON object with nodes, flows, variables and outputs');
    return errors;
  }
  if (typeof value.name !== 'string') shape('the flow graph needs a name (a string)');
  else if (value.name.length > GRAPH_LIMITS.name) shape(`the flow graph's name is ${value.name.length} characters long; use at most ${GRAPH_LIMITS.name}`);
  if (!Array.isArray(value.nodes)) shape('"nodes" must be an array');
  else if (value.nodes.length > GRAPH_LIMITS.nodes) shape(`the flow graph has ${value.nodes.length} nodes; at most ${GRAPH_LIMITS.nodes} are allowed`);
  if (!Array.isArray(value.flows)) shape('"flows" must be an array');
  else if (value.flows.length > GRAPH_LIMITS.flows) shape(`the flow graph has ${value.flows.length} flows; at most ${GRAPH_LIMITS.flows} are allowed`);
  if (value.variables !== undefined && !isObject(value.variables)) shape('"variables" must be an object keyed by variable name');
  if (value.outputs !== undefined && (!Array.isArray(value.outputs) || !value.outputs.every((o) => typeof o === 'string'))) {
    shape('"outputs" must be an array of variable keys');
  }
  if (value.layout !== undefined && !isObject(value.layout)) shape('"layout" must be an object keyed by node id');
  else if (value.layout !== undefined) {
    const misplaced = Object.entries(value.layout).find(([, at]) => !isObject(at) || !Number.isFinite(at.x) || !Number.isFinite(at.y));
    if (misplaced) shape(`layout of ${misplaced[0].slice(0, 64)} must be {x, y} with finite numbers`, { nodeId: misplaced[0].slice(0, 64) });
  }
  if (errors.length > 0) return errors;
  (value.nodes as unknown[]).forEach((node, i) => {
    if (!isObject(node) || typeof node.id !== 'string' || node.id === '') {
      shape(`nodes[${i}] must be an object with a non-empty string id`);
    } else if (node.id.length > MAX_ID_LENGTH) {
      shape(`node id ${node.id.slice(0, 16)}… is ${node.id.length} characters long; use at most ${MAX_ID_LENGTH}`, { nodeId: node.id });
    } else if (typeof node.type !== 'string' || !(NODE_TYPES as readonly string[]).includes(node.type)) {
      errors.push({ nodeId: node.id, rule: 'unknown_node_type',
        message: `node ${node.id} has type ${JSON.stringify(node.type)}; expected one of ${NODE_TYPES.join(', ')}` });
    }
  });
  (value.flows as unknown[]).forEach((flow, i) => {
    if (!isObject(flow) || typeof flow.id !== 'string' || flow.id === '' ||
      typeof flow.source !== 'string' || typeof flow.target !== 'string') {
      shape(`flows[${i}] must be an object with string id, source and target`);
    } else if (flow.id.length > MAX_ID_LENGTH) {
      shape(`flow id ${flow.id.slice(0, 16)}… is ${flow.id.length} characters long; use at most ${MAX_ID_LENGTH}`, { flowId: flow.id });
    }
  });
  return errors;
}

/** Unique ids, flow endpoints, the start and end events, and the conditions of flows. */
export function checkStructure(graph: FlowGraph, index: GraphIndex): GraphError[] {
  const errors: GraphError[] = [];
  const seen = new Map<string, 'node' | 'flow'>();
  for (const node of graph.nodes) {
    const prior = seen.get(node.id);
    if (prior) errors.push({ nodeId: node.id, rule: 'duplicate_id', message: `id ${node.id} is used by more than one ${prior === 'node' ? 'node' : 'flow and node'}` });
    else seen.set(node.id, 'node');
  }
  for (const flow of graph.flows) {
    const prior = seen.get(flow.id);
    if (prior) errors.push({ flowId: flow.id, rule: 'duplicate_id', message: `id ${flow.id} is used by more than one ${prior === 'flow' ? 'flow' : 'node and flow'}` });
    else seen.set(flow.id, 'flow');
    for (const end of ['source', 'target'] as const) {
      if (!index.nodes.has(flow[end])) {
        errors.push({ flowId: flow.id, rule: 'dangling_flow', message: `flow ${flow.id} has ${end} ${flow[end]}, which is not a node of the graph` });
      }
    }
    if (flow.source === flow.target) {
      errors.push({ flowId: flow.id, nodeId: flow.source, rule: 'self_loop', message: `flow ${flow.id} leads from node ${flow.source} back to itself; loop through a gateway instead` });
    }
  }
  const starts = graph.nodes.filter((n) => n.type === 'start');
  if (starts.length !== 1) {
    errors.push({ nodeId: starts[1]?.id, rule: 'start_count',
      message: starts.length === 0 ? 'the flow has no start event; add exactly one' : `the flow has ${starts.length} start events (${starts.map((s) => s.id).join(', ')}); keep exactly one` });
  }
  if (!graph.nodes.some((n) => n.type === 'end')) errors.push({ rule: 'end_missing', message: 'the flow has no end event; add at least one' });
  errors.push(...checkConditions(graph, index));
  return errors;
}

function checkConditions(graph: FlowGraph, index: GraphIndex): GraphError[] {
  const errors: GraphError[] = [];
  for (const flow of graph.flows) {
    const source = index.nodes.get(flow.source);
    if (!source) continue;
    if (flow.condition !== undefined &&
      (!isObject(flow.condition) || typeof flow.condition.expression !== 'string' ||
        (flow.condition.name !== undefined && typeof flow.condition.name !== 'string'))) {
      errors.push({ flowId: flow.id, rule: 'invalid_condition', message: `flow ${flow.id}: a condition is {expression: string, name?: string}` });
      continue;
    }
    if (flow.default !== undefined && typeof flow.default !== 'boolean') {
      errors.push({ flowId: flow.id, rule: 'invalid_condition', message: `flow ${flow.id}: "default" must be true or false` });
      continue;
    }
    if (!isConditionalGateway(source.type)) {
      if (flow.condition !== undefined || flow.default) {
        errors.push({ flowId: flow.id, rule: 'invalid_condition',
          message: `flow ${flow.id} leaves ${source.type} node ${source.id}; only flows leaving an exclusive or conditional-parallel gateway carry a condition or the default mark` });
      }
    } else if (flow.default) {
      if (flow.condition !== undefined) {
        errors.push({ flowId: flow.id, rule: 'invalid_condition', message: `flow ${flow.id} is the default flow of gateway ${source.id} and cannot also have a condition` });
      }
    } else if (!flow.condition || flow.condition.expression.trim() === '') {
      errors.push({ flowId: flow.id, nodeId: source.id, rule: 'missing_condition',
        message: `flow ${flow.id} leaves ${source.type} gateway ${source.id} without a condition; give it one or mark it the default flow` });
    }
  }
  for (const [id, out] of index.outgoing) {
    const defaults = out.filter((f) => f.default === true);
    if (defaults.length > 1) {
      errors.push({ nodeId: id, rule: 'multiple_defaults', message: `gateway ${id} has ${defaults.length} default flows (${defaults.map((f) => f.id).join(', ')}); keep at most one` });
    }
  }
  return errors;
}

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
