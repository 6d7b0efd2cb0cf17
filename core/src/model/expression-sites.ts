import type { FlowGraph, InputValue } from './graph.js';
import { normalizeInput } from './graph.js';
import { expressionVariables } from './identifiers.js';
import { extractReferences, forEachString } from './references.js';
import { conditionToExpression } from './template-syntax.js';
import { PROJECT_CONSTANT_PREFIX } from './variable-keys.js';
import { isObject } from './validate-structure.js';

/** One place of a graph that holds expressions the engine evaluates. */
export interface ExpressionSite {
  /** Where it sits, as messages name it: `node a input cmd.args[0]`, `condition of flow f3`, `value of variable host`. */
  where: string;
  nodeId?: string;
  flowId?: string;
  /** The variable whose default value this is. */
  variable?: string;
  /** `text`: a string with `${…}` in it; `condition`: JavaScript in which each `${x}` reads as `(x)`. */
  kind: 'text' | 'condition';
  text: string;
}

/**
 * Calls `visit` for every expression site of a graph, in a stable order: task inputs and subflow
 * params (node order), conditions (flow order), variable values. Inputs, params and variables
 * marked `render: false` are literal and have none. Tolerates fields of the wrong type (the
 * validator reports those), so it can run on a graph received from outside.
 */
export function forEachExpressionSite(graph: FlowGraph, visit: (site: ExpressionSite) => void): void {
  const inputs = (values: Record<string, InputValue>, kind: string, nodeId: string): void => {
    for (const [key, input] of Object.entries(values)) {
      const { value, render } = normalizeInput(input);
      if (!render) continue;
      forEachString(value, (text, path) => visit({ where: `node ${nodeId} ${kind} ${key}${!path || path.startsWith('[') ? path : `.${path}`}`, nodeId, kind: 'text', text }));
    }
  };
  for (const node of graph.nodes) {
    if (node.type === 'task' && isObject(node.inputs)) inputs(node.inputs, 'input', node.id);
    else if (node.type === 'subflow' && isObject(node.params)) inputs(node.params, 'param', node.id);
  }
  for (const flow of graph.flows) {
    if (!isObject(flow.condition) || typeof flow.condition.expression !== 'string' || !flow.condition.expression.trim()) continue;
    visit({ where: `condition of flow ${flow.id}`, flowId: flow.id, kind: 'condition', text: flow.condition.expression });
  }
  const variables: Record<string, unknown> = isObject(graph.variables) ? graph.variables : {};
  for (const [key, def] of Object.entries(variables)) {
    if (!isObject(def) || def.render === false) continue;
    forEachString(def.value, (text) => visit({ where: `value of variable ${key}`, variable: key, kind: 'text', text }));
  }
}

/**
 * The keys of the project constants a graph reads (`${_env_DB_HOST}` → `DB_HOST`), sorted.
 * Malformed expressions read nothing here; the validator reports them.
 *
 * @example
 * constantsRead(graph) // ['DB_HOST', 'REGION']
 */
export function constantsRead(graph: FlowGraph): string[] {
  const keys = new Set<string>();
  forEachExpressionSite(graph, (site) => {
    let names: string[];
    if (site.kind === 'text') {
      names = extractReferences(site.text).variables;
    } else {
      const { expression, error } = conditionToExpression(site.text);
      names = error ? [] : expressionVariables(expression).roots;
    }
    for (const name of names) if (name.startsWith(PROJECT_CONSTANT_PREFIX)) keys.add(name.slice(PROJECT_CONSTANT_PREFIX.length));
  });
  return [...keys].sort();
}
