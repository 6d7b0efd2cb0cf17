/**
 * The inputs of a node retry. The form starts from the node's defined inputs, `${…}` unrendered
 * and a `render: false` input by its literal value (core keeps that flag for a new value), and
 * only the inputs the operator changed go to core. Sending the node's rendered inputs back would
 * freeze its expressions into literals and store rendered secrets as new inputs.
 */
import { normalizeInput, type JsonValue, type TaskNode } from '@opsloom/core/model';

/**
 * The values the retry form shows: each defined input as core's retry takes it.
 *
 * @example
 * retryFormInputs({ ...node, inputs: { host: '${web}', script: { value: 'echo ${HOME}', render: false } } })
 * // { host: '${web}', script: 'echo ${HOME}' }
 */
export function retryFormInputs(node: Pick<TaskNode, 'inputs'>): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(node.inputs).map(([key, input]) => [key, normalizeInput(input).value]));
}

/**
 * The inputs of `edited` that differ from `shown` (an input left out of `edited` keeps its
 * definition: a retry can replace an input, not remove it). Empty when nothing changed.
 *
 * @example
 * changedInputs({ host: '${web}', count: 1 }, { host: '${web}', count: 2 }) // { count: 2 }
 */
export function changedInputs(shown: Record<string, JsonValue>, edited: Record<string, JsonValue>): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(edited).filter(([key, value]) => !(Object.hasOwn(shown, key) && sameJson(shown[key]!, value))));
}

function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]!));
  const ak = Object.keys(a);
  const bo = b as Record<string, JsonValue>;
  return ak.length === Object.keys(bo).length && ak.every((k) => Object.hasOwn(bo, k) && sameJson((a as Record<string, JsonValue>)[k]!, bo[k]!));
}
