import { PluginFailure } from '@opsloom/plugin-sdk';

/** `{{ name }}` or `{{ a.b.0 }}`: letters, digits, `_`, `-` and dots. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;

/** How placeholders are filled. */
export interface FillOptions {
  /** Throw on a placeholder with no value (default), or leave it empty. */
  strict: boolean;
  /** Applied to each inserted value, e.g. HTML escaping. */
  escape?: (text: string) => string;
}

/** Looks up a dotted path in the values; own properties only, so `{{constructor}}` finds nothing. */
function lookup(values: Record<string, unknown>, path: string): unknown {
  let cur: unknown = values;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Fills `{{name}}` placeholders from `values`. Runs after the engine rendered `${...}`, so the
 * two syntaxes never meet; a filled value is not scanned again (no template injection).
 * @example fill('Deploy {{app}} to {{env.name}}', {app: 'api', env: {name: 'prod'}}, {strict: true}) // 'Deploy api to prod'
 */
export function fill(template: string, values: Record<string, unknown>, options: FillOptions): string {
  return template.replace(PLACEHOLDER, (_all, path: string) => {
    const value = lookup(values, path);
    if (value === undefined || value === null) {
      if (options.strict) throw new PluginFailure('TEMPLATE_VALUE_MISSING', `the message uses {{${path}}} but values has no "${path}": add it to values or set strictTemplates to false`);
      return '';
    }
    const text = show(value);
    return options.escape ? options.escape(text) : text;
  });
}

/** Fills every string inside a JSON value (keys stay as written). */
export function fillDeep(value: unknown, values: Record<string, unknown>, options: FillOptions): unknown {
  if (typeof value === 'string') return fill(value, values, options);
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, values, options));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fillDeep(v, values, options);
    return out;
  }
  return value;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
