/**
 * The types a flow variable may have. The engine checks values of the typed ones (see
 * {@link ./variable-values.ts}); `json`, `hosts` and `table` hold any JSON.
 */

import type { VariableType } from './graph.js';

/** Every variable type, in the order the editor offers them. */
export const VARIABLE_TYPES: readonly VariableType[] = [
  'string', 'text', 'number', 'boolean', 'json', 'password', 'select', 'hosts', 'datetime', 'table',
];

/** True when `type` is one of {@link VARIABLE_TYPES}. */
export function isVariableType(type: unknown): type is VariableType {
  return typeof type === 'string' && (VARIABLE_TYPES as readonly string[]).includes(type);
}
