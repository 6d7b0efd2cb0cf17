import type { FlowGraph, SubflowNode } from './graph.js';
import type { GraphError } from './errors.js';
import { RESERVED_OUTPUTS } from './variable-keys.js';
import { isObject } from './validate-structure.js';

/**
 * Checks a subflow node against the template version it runs: it may pass only the child's shown
 * variables (the only ones a child task accepts) and map only the child's flow outputs (the only
 * ones that come back) plus `_result` and `_loop`. Found when the template is saved, instead of a
 * child task refused at run time or an output variable that silently never gets a value.
 *
 * @example
 * checkSubflowContract(node, childVersion.graph) // [{ nodeId: 'sub', rule: 'unknown_subflow_param', … }]
 */
export function checkSubflowContract(node: SubflowNode, child: FlowGraph): GraphError[] {
  const errors: GraphError[] = [];
  const where = `template ${node.template.id} version ${node.template.version}`;
  const variables = isObject(child.variables) ? child.variables : {};
  for (const key of Object.keys(isObject(node.params) ? node.params : {})) {
    const def = variables[key];
    if (!isObject(def) || !def.show) {
      errors.push({ nodeId: node.id, rule: 'unknown_subflow_param',
        message: `subflow node ${node.id} passes param ${key}, which is not a shown variable of ${where}` });
    }
  }
  const outputs = new Set([...(Array.isArray(child.outputs) ? child.outputs : []), ...RESERVED_OUTPUTS]);
  for (const key of Object.keys(isObject(node.outputs) ? node.outputs : {})) {
    if (!outputs.has(key)) {
      errors.push({ nodeId: node.id, rule: 'unknown_subflow_output',
        message: `subflow node ${node.id} maps output ${key}, which is not an output of ${where}` });
    }
  }
  return errors;
}
