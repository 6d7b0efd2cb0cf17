import type { FlowGraph, NodeType } from './graph.js';
import type { GraphError, GraphRule } from './errors.js';
import { isObject } from './validate-structure.js';

/**
 * Unknown fields of nodes, error policies, loops, flows, conditions and variables. A typo such
 * as `onEror` or `vaule` would otherwise be stored and silently do nothing, like a field every
 * other API route refuses. The graph's own top level is not checked (stored graphs carry `id`).
 */

const NODE_BASE = ['id', 'type', 'name'];
const ACTIVITY = [...NODE_BASE, 'outputs', 'onError', 'retryable', 'skippable', 'optional', 'loop'];

/** The fields each node type has (graph.ts); the editor writes no others. */
export const NODE_FIELDS: Readonly<Record<NodeType, readonly string[]>> = {
  start: NODE_BASE,
  end: NODE_BASE,
  task: [...ACTIVITY, 'plugin', 'inputs'],
  subflow: [...ACTIVITY, 'template', 'params'],
  exclusive: [...NODE_BASE, 'strategy'],
  parallel: NODE_BASE,
  'conditional-parallel': NODE_BASE,
  converge: NODE_BASE,
};

const ERROR_POLICY_FIELDS = ['ignore', 'retry', 'timeout'];
const RETRY_FIELDS = ['times', 'intervalMs'];
const TIMEOUT_FIELDS = ['seconds', 'action'];
const LOOP_FIELDS = ['maxLoops'];
const FLOW_FIELDS = ['id', 'source', 'target', 'condition', 'default'];
const CONDITION_FIELDS = ['expression', 'name'];
/** The fields of a variable definition (graph.ts VariableDef). */
export const VARIABLE_FIELDS = ['type', 'value', 'name', 'show', 'description', 'required', 'render', 'options', 'multiple'];

/** Lists every field of the graph's parts that the model does not know. */
export function checkFields(graph: FlowGraph): GraphError[] {
  const errors: GraphError[] = [];
  for (const node of graph.nodes) {
    const known = NODE_FIELDS[node.type];
    if (!known) continue;
    const at = { nodeId: node.id };
    const subject = `${node.type} node ${node.id}`;
    unknownFields(node, known, 'invalid_node', subject, '', at, errors);
    const n = node as unknown as Record<string, unknown>;
    if (isObject(n.loop)) unknownFields(n.loop, LOOP_FIELDS, 'invalid_node', subject, 'loop.', at, errors);
    if (isObject(n.onError)) {
      const policy = n.onError;
      unknownFields(policy, ERROR_POLICY_FIELDS, 'invalid_error_policy', subject, 'onError.', at, errors);
      if (isObject(policy.retry)) unknownFields(policy.retry, RETRY_FIELDS, 'invalid_error_policy', subject, 'onError.retry.', at, errors);
      if (isObject(policy.timeout)) unknownFields(policy.timeout, TIMEOUT_FIELDS, 'invalid_error_policy', subject, 'onError.timeout.', at, errors);
    }
  }
  for (const flow of graph.flows) {
    const at = { flowId: flow.id };
    unknownFields(flow, FLOW_FIELDS, 'invalid_shape', `flow ${flow.id}`, '', at, errors);
    if (isObject(flow.condition)) unknownFields(flow.condition, CONDITION_FIELDS, 'invalid_condition', `flow ${flow.id}`, 'condition.', at, errors);
  }
  const variables: Record<string, unknown> = isObject(graph.variables) ? graph.variables : {};
  for (const [key, def] of Object.entries(variables)) {
    if (isObject(def)) unknownFields(def, VARIABLE_FIELDS, 'invalid_variable', `variable ${key}`, '', {}, errors);
  }
  return errors;
}

function unknownFields(
  value: object, known: readonly string[], rule: GraphRule, subject: string, prefix: string,
  at: { nodeId?: string; flowId?: string }, errors: GraphError[],
): void {
  for (const field of Object.keys(value)) {
    if (known.includes(field)) continue;
    const guess = closestName(field, known);
    const hint = guess ? `did you mean "${prefix}${guess}"?` : `the known fields are ${known.map((k) => `${prefix}${k}`).join(', ')}`;
    errors.push({ ...at, rule, message: `${subject}: unknown field "${prefix}${field}"; ${hint}` });
  }
}

/**
 * The name of `candidates` closest to `name`, when it is a likely typo of it: at most one edit
 * (two for names over five characters) away, swapped neighbours counting as one edit.
 *
 * @example
 * closestName('onEror', ['onError', 'optional']) // 'onError'
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const limit = name.length > 5 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
