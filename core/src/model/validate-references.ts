import type { FlowGraph } from './graph.js';
import type { GraphError } from './errors.js';
import { forEachExpressionSite, type ExpressionSite } from './expression-sites.js';
import { expressionVariables } from './identifiers.js';
import { extractReferences } from './references.js';
import { conditionToExpression } from './template-syntax.js';
import { isBuiltinVariable, PROJECT_CONSTANT_PREFIX, RESERVED_OUTPUTS, SYSTEM_VARIABLE, variableKeyProblem } from './variable-keys.js';
import { isObject } from './validate-structure.js';

/** Options of reference checking (see `validateGraph`). */
export interface ReferenceOptions {
  resolvePlugin?: (name: string, version: string) => boolean | undefined;
  knownVariables?: string[];
  /**
   * Keys of the project's constants: `${_env_KEY}` must read one of them (`unknown_constant`).
   * Without it, any `_env_*` name is accepted (a check that cannot ask the project).
   */
  knownConstants?: string[];
}

/**
 * Variable keys, plugin references and every `${…}` of inputs, params, conditions and variable
 * values: each name an expression reads must be a declared variable, a node output mapped into
 * a variable, a known (project / caller) variable, a constant of the project (when
 * `knownConstants` is given), or `_system`. `_result` and `_loop` are node outputs, read once mapped.
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
  const constants = opts.knownConstants && new Set(opts.knownConstants);
  /** The problem with a name an expression reads, if any; `subject` names the expression in the message. */
  const unknownName = (site: ExpressionSite, name: string, subject: string): GraphError | undefined => {
    if (known.has(name)) return undefined;
    if (name.startsWith(PROJECT_CONSTANT_PREFIX)) {
      const key = name.slice(PROJECT_CONSTANT_PREFIX.length);
      if (!constants || constants.has(key)) return undefined;
      return { ...siteOf(site), rule: 'unknown_constant', message: `${subject} reads the project constant ${key}, which this project does not have; add it under the project's constants (Settings → Constants), or correct the name` };
    }
    if (name === SYSTEM_VARIABLE) return undefined;
    // In scope they would fail every run: they are what a node produces, read once mapped into a variable.
    if (RESERVED_OUTPUTS.includes(name)) {
      return { ...siteOf(site), rule: 'unknown_variable', message: `${subject} uses ${name}, which is a node output, not a variable: map it into one in the node's outputs ({"${name}": "some_name"}) and read that` };
    }
    return { ...siteOf(site), rule: 'unknown_variable', message: `${subject} uses ${name}, which is not a variable of this flow` };
  };

  for (const node of graph.nodes) {
    if (node.type === 'task' && opts.resolvePlugin && isObject(node.plugin) && opts.resolvePlugin(node.plugin.name, node.plugin.version) === false) {
      errors.push({ nodeId: node.id, rule: 'unknown_plugin',
        message: `task node ${node.id} uses plugin ${node.plugin.name}@${node.plugin.version}, which is not installed (or no installed version matches)` });
    }
  }
  const dependsOn = new Map<string, string[]>();
  forEachExpressionSite(graph, (site) => {
    const at = siteOf(site);
    if (site.kind === 'condition') {
      const { expression, error } = conditionToExpression(site.text);
      if (error) {
        errors.push({ ...at, rule: 'invalid_expression', message: `${site.where}: ${error}` });
        return;
      }
      for (const name of expressionVariables(expression).roots) {
        const problem = unknownName(site, name, `${site.where} (${site.text})`);
        if (problem) errors.push(problem);
      }
      return;
    }
    const found = extractReferences(site.text);
    if (found.error) errors.push({ ...at, rule: 'invalid_expression', message: `${site.where}: ${found.error.message}` });
    for (const ref of found.expressions) {
      for (const name of ref.variables) {
        const problem = unknownName(site, name, `${site.where}: \${${ref.expression}}`);
        if (problem) errors.push(problem);
      }
    }
    if (site.variable !== undefined) {
      const uses = dependsOn.get(site.variable) ?? [];
      uses.push(...found.variables.filter((v) => v in variables));
      dependsOn.set(site.variable, uses);
    }
  });
  errors.push(...findCycles(dependsOn));
  for (const key of Array.isArray(graph.outputs) ? graph.outputs : []) {
    if (!known.has(key)) {
      errors.push({ rule: 'unknown_output_variable', message: `flow output ${key} is neither a variable nor a node output mapped into a variable` });
    }
  }
  return errors;
}

/** The node and / or flow of a finding at `site`. */
function siteOf(site: ExpressionSite): { nodeId?: string; flowId?: string } {
  return { ...(site.nodeId !== undefined ? { nodeId: site.nodeId } : {}), ...(site.flowId !== undefined ? { flowId: site.flowId } : {}) };
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
