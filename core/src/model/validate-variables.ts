import type { FlowGraph } from './graph.js';
import type { GraphError } from './errors.js';
import { isObject } from './validate-structure.js';
import { closestName } from './validate-fields.js';
import { VARIABLE_TYPES, isVariableType } from './variable-types.js';

/** Checks each variable definition: an object with a known type. */
export function checkVariables(graph: FlowGraph): GraphError[] {
  const errors: GraphError[] = [];
  const variables: Record<string, unknown> = isObject(graph.variables) ? graph.variables : {};
  for (const [key, def] of Object.entries(variables)) {
    const bad = (message: string): void => {
      errors.push({ rule: 'invalid_variable', message: `variable ${key}: ${message}` });
    };
    if (!isObject(def)) {
      bad('a variable is an object {type, value?, …}');
      continue;
    }
    if (!isVariableType(def.type)) {
      // A typo'd type was stored and then no value was ever checked against it.
      const guess = typeof def.type === 'string' ? closestName(def.type, VARIABLE_TYPES) : undefined;
      bad(`type ${JSON.stringify(def.type)} is not a variable type${guess ? ` (did you mean "${guess}"?)` : ''}; use one of ${VARIABLE_TYPES.join(', ')}`);
    }
  }
  return errors;
}
