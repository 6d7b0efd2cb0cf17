import type { FlowGraph, InputValue } from './graph.js';
import { normalizeInput } from './graph.js';
import type { GraphError } from './errors.js';
import { expressionVariables } from './identifiers.js';
import { extractReferences, forEachString } from './references.js';
import { conditionToExpression } from './template-syntax.js';
import { isBuiltinVariable, variableKeyProblem } from './variable-keys.js';
import { isObject } from './validate-structure.js';

/** Options of reference checking (see `validateGraph`). */
export interface ReferenceOptions {
  resolvePlugin?: (name: string, version: string) => boolean | undefined;
  knownVariables?: string[];
}

/**
 * Variable keys, plugin references and every `${…}` of inputs, params, conditions and variable
 * values: each name an expression reads must be a declared variable, a node output mapped into
 * a variable, a known (project / caller) variable, or a built-in (`_system`, `_env_*`, `_result`, `_loop`).
 */
export function checkReferences(graph: FlowGraph, opts: ReferenceOptions): GraphError[] {
  const errors: GraphError[] = [];
  const variables: Record<string, unknown> = isObject(graph.variables) ? graph.variables : {};
  for (const key of Object.keys(variables)) {
    const problem = variableKeyProblem(key);
    if (problem) errors.push({ rule: 'invalid_variable_key', message: `variable key ${JSON.stringify(key)} ${problem}` });
    else if (isBuiltinVariable(key)) {
      errors.push({ rule: 'reserved_variable_key', message: `variable key ${key} is reserved (_system, _env_*, _result and _loop are provided by the engine); rename it` });
    }
  }
  const produced = new Set<string>();
  for (const node of graph.nodes) {
    if ((node.type === 'task' || node.type === 'subflow') && isObject(node.outputs)) {
      for (const target of Object.values(node.outputs)) if (typeof target === 'string') produced.add(target);
    }
  }
  const known = new Set([...Object.keys(variables), ...produced, ...(opts.knownVariables ?? [])]);
  const isKnown = (name: string): boolean => known.has(name) || isBuiltinVariable(name);

  const checkText = (text: string, where: string, at: { nodeId?: string; flowId?: string }): void => {
    const found = extractReferences(text);
    if (found.error) {
      errors.push({ ...at, rule: 'invalid_expression', message: `${where}: ${found.error.message}` });
    }
    for (const ref of found.expressions) {
      for (const name of ref.variables) {
        if (!isKnown(name)) {
          errors.push({ ...at, rule: 'unknown_variable', message: `${where}: \${${ref.expression}} uses ${name}, which is not a variable of this flow` });
        }
      }
    }
  };
  const checkInputs = (inputs: Record<string, InputValue>, kind: string, at: { nodeId: string }): void => {
    for (const [key, input] of Object.entries(inputs)) {
      const { value, render } = normalizeInput(input);
      if (!render) continue;
      forEachString(value, (text, path) => checkText(text, `node ${at.nodeId} ${kind} ${key}${path ? `.${path}` : ''}`, at));
    }
  };

  for (const node of graph.nodes) {
    if (node.type === 'task') {
      if (isObject(node.inputs)) checkInputs(node.inputs, 'input', { nodeId: node.id });
      if (opts.resolvePlugin && isObject(node.plugin) && opts.resolvePlugin(node.plugin.name, node.plugin.version) === false) {
        errors.push({ nodeId: node.id, rule: 'unknown_plugin',
          message: `task node ${node.id} uses plugin ${node.plugin.name}@${node.plugin.version}, which is not installed (or no installed version matches)` });
      }
    } else if (node.type === 'subflow' && isObject(node.params)) {
      checkInputs(node.params, 'param', { nodeId: node.id });
    }
  }
  for (const flow of graph.flows) {
    if (!isObject(flow.condition) || typeof flow.condition.expression !== 'string' || !flow.condition.expression.trim()) continue;
    const { expression, error } = conditionToExpression(flow.condition.expression);
    if (error) {
      errors.push({ flowId: flow.id, rule: 'invalid_expression', message: `condition of flow ${flow.id}: ${error}` });
      continue;
    }
    for (const name of expressionVariables(expression).roots) {
      if (!isKnown(name)) {
        errors.push({ flowId: flow.id, rule: 'unknown_variable', message: `condition of flow ${flow.id} (${flow.condition.expression}) uses ${name}, which is not a variable of this flow` });
      }
    }
  }
  const dependsOn = new Map<string, string[]>();
  for (const [key, def] of Object.entries(variables)) {
    if (!isObject(def) || def.render === false) continue;
    const uses: string[] = [];
    forEachString(def.value, (text) => {
      checkText(text, `value of variable ${key}`, {});
      uses.push(...extractReferences(text).variables.filter((v) => v in variables));
    });
    dependsOn.set(key, uses);
  }
  errors.push(...findCycles(dependsOn));
  for (const key of Array.isArray(graph.outputs) ? graph.outputs : []) {
    if (!known.has(key)) {
      errors.push({ rule: 'unknown_output_variable', message: `flow output ${key} is neither a variable nor a node output mapped into a variable` });
    }
  }
  return errors;
}

/** Variables whose values refer to each other in a circle can never be rendered. */
function findCycles(dependsOn: Map<string, string[]>): GraphError[] {
  const errors: GraphError[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (key: string): void => {
    state.set(key, 'open');
    path.push(key);
    for (const next of dependsOn.get(key) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = [...path.slice(path.indexOf(next)), next];
        errors.push({ rule: 'variable_cycle', message: `variables refer to each other in a circle: ${cycle.join(' → ')}` });
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    path.pop();
    state.set(key, 'done');
  };
  for (const key of dependsOn.keys()) if (!state.has(key)) visit(key);
  return errors;
}
