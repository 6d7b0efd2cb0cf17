import type { FlowGraph, JsonValue, VariableDef } from './graph.js';
import type { GraphError } from './errors.js';
import { isObject } from './validate-structure.js';
import { closestName } from './validate-fields.js';
import { VARIABLE_TYPES, isVariableType } from './variable-types.js';
import { variableValueProblem } from './variable-values.js';

/** Checks each variable definition: an object with a known type, and a default of that type. */
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
      continue;
    }
    // Checked now, the same way task creation checks it: otherwise every task of the version fails
    // with "x must be a number", which reads as the caller's mistake.
    const problem = def.value === undefined ? undefined : variableValueProblem(def as unknown as VariableDef, def.value as JsonValue);
    if (!problem) continue;
    const shown = def.type === 'password' ? '(hidden)' : truncate(JSON.stringify(def.value));
    bad(problem.startsWith('must') ? `the default value ${shown} ${problem}` : `the default value: ${problem}`);
  }
  return errors;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
