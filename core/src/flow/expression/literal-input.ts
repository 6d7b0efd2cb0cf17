import { forEachString, hasExpressions, normalizeInput, type InputValue, type JsonValue } from '../../model/index.js';
import { unescapeTemplates } from './render-plan.js';

/** True when a value holds a `${…}` anywhere, so values without one skip the sandbox entirely. */
export function containsExpression(value: unknown): boolean {
  let found = false;
  forEachString(value, (text) => { if (!found && hasExpressions(text)) found = true; });
  return found;
}

/**
 * True when a value holds `${` anywhere: an expression or a `$${` escape. Values without one (the
 * common case) are used as they are; escapes alone are unescaped without the sandbox.
 */
export function containsTemplate(value: unknown): boolean {
  let found = false;
  forEachString(value, (text) => { if (!found && text.includes('${')) found = true; });
  return found;
}

/**
 * A node input as a call will receive it, when that is known before the run: `literal` holds the
 * value itself (kept literal by `render: false`, or with no expression, its `$${` escapes undone);
 * `expression` the value only rendering at run time can tell.
 */
export function literalInput(input: InputValue): { literal: JsonValue } | { expression: JsonValue } {
  const { value, render } = normalizeInput(input);
  if (!render || !containsTemplate(value)) return { literal: value };
  if (!containsExpression(value)) return { literal: unescapeTemplates(value) as JsonValue };
  return { expression: value };
}
