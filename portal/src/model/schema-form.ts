/**
 * Turns a plugin's input JSON Schema into form fields, and checks values against them.
 * Any value may instead be a `${…}` expression (evaluated when the task runs), so a string with
 * an expression passes the type checks and is only checked for syntax here.
 */
import { hasExpressions, parseTemplate } from '@opsloom/core/model';

/** How a field is edited. */
export type FieldKind = 'string' | 'text' | 'number' | 'integer' | 'boolean' | 'enum' | 'array' | 'object' | 'secret' | 'hosts' | 'json';

/** One field of a generated form. */
export interface FormField {
  key: string;
  /** Dotted path from the form root (`target.port`, `servers[]`). */
  path: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  default?: unknown;
  options?: { value: unknown; label: string }[];
  /** Item field of an array. */
  items?: FormField;
  /** Sub-fields of an object. */
  fields?: FormField[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
}

type Schema = Record<string, unknown>;

/**
 * The fields of an object schema, in `properties` order (or `x-order`/`ui:order` when given).
 *
 * @example
 * fieldsFromSchema({ type: 'object', required: ['script'], properties: { script: { type: 'string', format: 'textarea' } } })
 * // [{ key: 'script', kind: 'text', required: true, ... }]
 */
export function fieldsFromSchema(schema: unknown, prefix = ''): FormField[] {
  if (!isSchema(schema)) return [];
  const props = isSchema(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  const order = Array.isArray(schema['x-order']) ? (schema['x-order'] as unknown[]).filter((k): k is string => typeof k === 'string') : [];
  const keys = [...order.filter((k) => k in props), ...Object.keys(props).filter((k) => !order.includes(k))];
  return keys.map((key) => fieldFrom(key, props[key], required.includes(key), prefix ? `${prefix}.${key}` : key));
}

function fieldFrom(key: string, raw: unknown, required: boolean, path: string): FormField {
  const s: Schema = isSchema(raw) ? raw : {};
  const field: FormField = { key, path, label: str(s.title) ?? humanize(key), kind: kindOf(s), required };
  const description = str(s.description);
  if (description) field.description = description;
  if ('default' in s) field.default = s.default;
  if (Array.isArray(s.enum)) {
    const names = Array.isArray(s['x-enum-labels']) ? (s['x-enum-labels'] as unknown[]) : [];
    field.options = s.enum.map((value, i) => ({ value, label: str(names[i]) ?? String(value) }));
  }
  for (const k of ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems'] as const) {
    if (typeof s[k] === 'number') field[k] = s[k];
  }
  if (typeof s.pattern === 'string') field.pattern = s.pattern;
  if (field.kind === 'array') field.items = fieldFrom('item', s.items, true, `${path}[]`);
  if (field.kind === 'object') field.fields = fieldsFromSchema(s, path);
  return field;
}

function kindOf(s: Schema): FieldKind {
  const widget = str(s['x-opsloom-widget']) ?? str(s.format);
  if (widget === 'hosts') return 'hosts';
  if (s.writeOnly === true || s['x-opsloom-secret'] === true || widget === 'password' || widget === 'secret') return 'secret';
  if (Array.isArray(s.enum)) return 'enum';
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string': return widget === 'textarea' || widget === 'code' || widget === 'script' ? 'text' : 'string';
    case 'number': return 'number';
    case 'integer': return 'integer';
    case 'boolean': return 'boolean';
    case 'array': return 'array';
    case 'object': return isSchema(s.properties) ? 'object' : 'json';
    default: return 'json';
  }
}

/**
 * Problems with one value, as sentences for the person filling the form. Empty when it is fine.
 *
 * @example
 * validateField({ kind: 'integer', minimum: 1, ... }, 0) // ['must be at least 1']
 */
export function validateField(field: FormField, value: unknown): string[] {
  if (value === undefined || value === null || value === '') {
    return field.required ? ['is required'] : [];
  }
  if (typeof value === 'string' && hasExpressions(value)) {
    const parsed = parseTemplate(value);
    return parsed.error ? [parsed.error.message] : [];
  }
  switch (field.kind) {
    case 'string': case 'text': case 'secret':
      if (typeof value !== 'string') return ['must be text'];
      return textProblems(field, value);
    case 'number': case 'integer': {
      if (typeof value !== 'number' || Number.isNaN(value)) return ['must be a number'];
      const out: string[] = [];
      if (field.kind === 'integer' && !Number.isInteger(value)) out.push('must be a whole number');
      if (field.minimum !== undefined && value < field.minimum) out.push(`must be at least ${field.minimum}`);
      if (field.maximum !== undefined && value > field.maximum) out.push(`must be at most ${field.maximum}`);
      return out;
    }
    case 'boolean':
      return typeof value === 'boolean' ? [] : ['must be yes or no'];
    case 'enum':
      return field.options?.some((o) => o.value === value) ? [] : [`must be one of ${field.options?.map((o) => o.label).join(', ')}`];
    case 'array': case 'hosts': {
      if (!Array.isArray(value)) return ['must be a list'];
      const out: string[] = [];
      if (field.minItems !== undefined && value.length < field.minItems) out.push(`needs at least ${field.minItems} item(s)`);
      if (field.maxItems !== undefined && value.length > field.maxItems) out.push(`takes at most ${field.maxItems} item(s)`);
      if (field.items) {
        value.forEach((item, i) => validateField(field.items!, item).forEach((m) => out.push(`item ${i + 1} ${m}`)));
      }
      return out;
    }
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['must be an object'];
      const obj = value as Record<string, unknown>;
      return (field.fields ?? []).flatMap((f) => validateField(f, obj[f.key]).map((m) => `${f.label} ${m}`));
    }
    default:
      return [];
  }
}

/** Problems of a whole form by field path; only fields with problems appear. */
export function validateForm(fields: FormField[], values: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of fields) {
    const problems = validateField(f, values[f.key]);
    if (problems.length > 0) out[f.path] = problems;
  }
  return out;
}

/**
 * Reads what the user typed into a field back as a value of the field's type; text that is an
 * expression stays text. Returns `{ error }` when it cannot be read (e.g. "abc" for a number).
 */
export function parseFieldInput(field: FormField, text: string): { value: unknown } | { error: string } {
  if (text === '') return { value: undefined };
  if (hasExpressions(text)) return { value: text };
  switch (field.kind) {
    case 'number': case 'integer': {
      const n = Number(text);
      return Number.isFinite(n) ? { value: n } : { error: 'must be a number (or a ${…} expression)' };
    }
    case 'array': case 'hosts': case 'object': case 'json':
      try {
        return { value: JSON.parse(text) as unknown };
      } catch {
        if (field.kind === 'hosts' || (field.kind === 'array' && field.items?.kind === 'string')) {
          return { value: text.split(/[\s,]+/).filter(Boolean) };
        }
        return { error: 'is not valid JSON' };
      }
    default:
      return { value: text };
  }
}

function textProblems(field: FormField, value: string): string[] {
  const out: string[] = [];
  if (field.minLength !== undefined && value.length < field.minLength) out.push(`needs at least ${field.minLength} characters`);
  if (field.maxLength !== undefined && value.length > field.maxLength) out.push(`takes at most ${field.maxLength} characters`);
  if (field.pattern !== undefined) {
    try {
      if (!new RegExp(field.pattern, 'u').test(value)) out.push(`does not match the pattern ${field.pattern}`);
    } catch { /* a broken pattern in a schema is the plugin's bug, not the user's */ }
  }
  return out;
}

function isSchema(v: unknown): v is Schema {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `max_retries` → `Max retries`. */
export function humanize(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
