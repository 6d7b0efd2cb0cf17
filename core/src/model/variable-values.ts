import type { JsonValue, VariableDef } from './graph.js';

/**
 * Why `value` cannot be a value of the variable `def`, or undefined when it can. The same rule
 * checks a template's defaults when it is saved and a task's values when it is created:
 * `string`, `text`, `password` and `datetime` take text, `number` a finite number, `boolean`
 * true or false, `select` one of its options (a list of them with `multiple`); other types any
 * JSON. A string holding `${…}` passes any type: it is rendered when the task starts. Missing
 * values (`undefined`, `null`, `""`) are the `required` rule's business, not this one's.
 *
 * @example
 * variableValueProblem({ type: 'number' }, 'abc') // 'must be a number'
 */
export function variableValueProblem(def: Pick<VariableDef, 'type' | 'options' | 'multiple'>, value: JsonValue): string | undefined {
  if (value === null || value === '' || (typeof value === 'string' && value.includes('${'))) return undefined;
  switch (def.type) {
    case 'number': return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'boolean': return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'string': case 'text': case 'password': case 'datetime': return typeof value === 'string' ? undefined : 'must be text';
    case 'select': {
      const chosen = def.multiple && Array.isArray(value) ? value : [value];
      const allowed = (Array.isArray(def.options) ? def.options : []).map((o) => JSON.stringify(o?.value));
      const bad = chosen.find((c) => !allowed.includes(JSON.stringify(c)));
      return bad === undefined ? undefined : `${JSON.stringify(bad)} is not one of the options`;
    }
    default: return undefined;
  }
}
