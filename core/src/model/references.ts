import { expressionVariables } from './identifiers.js';
import { parseTemplate } from './template-syntax.js';

/** One `${…}` found in a text. */
export interface ExpressionReference {
  /** The JavaScript inside the braces, trimmed. */
  expression: string;
  /** Offset of `$` in the text. */
  start: number;
  /** Offset just after the closing `}`. */
  end: number;
  /** Root variable names the expression reads (`_system` for `${_system.task_id}`). */
  variables: string[];
  /** Dotted member paths as written (`_system.task_id`), for autocomplete. */
  paths: string[];
}

/** Everything {@link extractReferences} found in one text. */
export interface ExtractedReferences {
  expressions: ExpressionReference[];
  /** Union of the expressions' root variable names, deduplicated, in first-use order. */
  variables: string[];
  /** Set when the text holds a malformed `${` (unterminated or empty). */
  error?: { index: number; message: string };
}

/**
 * Finds the `${…}` expressions of a text and the variables they read (simple identifiers and
 * the roots of member expressions). Escaped `$${` is skipped. Used by validation and the
 * editor's autocomplete.
 *
 * @example
 * extractReferences('deploy ${app.name} to ${hosts.join(",")}').variables // ['app', 'hosts']
 */
export function extractReferences(text: string): ExtractedReferences {
  const parsed = parseTemplate(text);
  const expressions: ExpressionReference[] = [];
  const variables = new Set<string>();
  for (const part of parsed.parts) {
    if (part.kind !== 'expression') continue;
    const found = expressionVariables(part.expression);
    for (const v of found.roots) variables.add(v);
    expressions.push({ expression: part.expression, start: part.start, end: part.end, variables: found.roots, paths: found.paths });
  }
  const result: ExtractedReferences = { expressions, variables: [...variables] };
  if (parsed.error) result.error = parsed.error;
  return result;
}

/**
 * Calls `visit` for every string inside a JSON-like value (array items and object values, not keys),
 * with a path such as `servers[1].host`.
 */
export function forEachString(value: unknown, visit: (text: string, path: string) => void, path = ''): void {
  if (typeof value === 'string') {
    visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => forEachString(item, visit, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) forEachString(v, visit, path ? `${path}.${k}` : k);
  }
}
