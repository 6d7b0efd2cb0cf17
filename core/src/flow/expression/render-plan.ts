import type { ParsedTemplate } from '../../model/template-syntax.js';
import { parseTemplate } from '../../model/template-syntax.js';
import { ExpressionError } from './expression-error.js';

/** A string of the value being rendered that holds `${`, with where it sits. */
interface TemplateSite {
  path: string;
  parsed: ParsedTemplate;
}

/** What one render call needs evaluated: unique expressions in first-use order, and where each first appears. */
export interface RenderPlan {
  expressions: string[];
  /** Path (inside the input) of each expression's first use, for error messages. */
  firstUse: Map<string, string>;
}

const MAX_CACHED_TEMPLATES = 5000;
const templates = new Map<string, ParsedTemplate>();

/** Parses a string once; parsed templates are cached because the same inputs render again and again. */
function parseCached(text: string): ParsedTemplate {
  let parsed = templates.get(text);
  if (!parsed) {
    parsed = parseTemplate(text);
    if (templates.size >= MAX_CACHED_TEMPLATES) templates.clear();
    templates.set(text, parsed);
  }
  return parsed;
}

/**
 * Walks strings, arrays and plain objects (values, not keys) and lists the expressions to
 * evaluate. Throws {@link ExpressionError} (`template`) for a malformed `${`.
 */
export function planRender(value: unknown, input: string): RenderPlan {
  const plan: RenderPlan = { expressions: [], firstUse: new Map() };
  walk(value, '', (site) => {
    if (site.parsed.error) {
      throw new ExpressionError(at(input, site.path), '', 'template', site.parsed.error.message);
    }
    for (const part of site.parsed.parts) {
      if (part.kind === 'expression' && !plan.firstUse.has(part.expression)) {
        plan.firstUse.set(part.expression, site.path);
        plan.expressions.push(part.expression);
      }
    }
  });
  return plan;
}

/**
 * Rebuilds `value` with every template replaced: a string that is exactly one `${expr}` becomes
 * the expression's raw value; otherwise the pieces are joined, with strings as they are, `null`
 * and `undefined` as nothing, other values as JSON.
 */
export function applyRender(value: unknown, results: Map<string, unknown>): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    const { parts } = parseCached(value);
    if (parts.length === 1 && parts[0]!.kind === 'expression') return results.get(parts[0]!.expression);
    return parts.map((p) => (p.kind === 'text' ? p.text : interpolate(results.get(p.expression)))).join('');
  }
  if (Array.isArray(value)) return value.map((item) => applyRender(item, results));
  // fromEntries defines each key, so a "__proto__" key stays a key instead of setting the prototype.
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, applyRender(v, results)]));
  return value;
}

/**
 * A value whose strings hold no expression, only `$${` escapes, rendered without a scope or the
 * sandbox: each `$${` becomes `${` (`"echo $${USER}"` → `echo ${USER}`).
 */
export function unescapeTemplates(value: unknown): unknown {
  return applyRender(value, new Map());
}

/** "input" or "input (at path)". */
export function at(input: string, path: string): string {
  return path ? `${input}${path.startsWith('[') ? '' : '.'}${path}` : input;
}

function interpolate(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function walk(value: unknown, path: string, visit: (site: TemplateSite) => void): void {
  if (typeof value === 'string') {
    if (value.includes('${')) visit({ path, parsed: parseCached(value) });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, visit));
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k, visit);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
