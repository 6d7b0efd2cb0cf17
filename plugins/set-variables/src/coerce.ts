import { PluginFailure } from '@opsloom/plugin-sdk';

/** Target types of `types`. */
export type VariableType = 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'list';

const TRUE = new Set(['true', 'yes', 'y', 'on', '1']);
const FALSE = new Set(['false', 'no', 'n', 'off', '0', '']);

function fail(key: string, type: string, value: unknown, hint: string): never {
  throw new PluginFailure('COERCE_FAILED', `variable "${key}": ${JSON.stringify(value)?.slice(0, 100)} is not a valid ${type} (${hint})`);
}

/**
 * Converts a value to the named type, or throws COERCE_FAILED naming the variable.
 * @example coerce('port', '8080', 'integer', ',') // 8080
 */
export function coerce(key: string, value: unknown, type: VariableType, separator: string): unknown {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value ?? null);
    case 'number':
    case 'integer': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : NaN;
      if (!Number.isFinite(n)) fail(key, type, value, 'write digits like 42 or 3.5');
      if (type === 'integer' && !Number.isInteger(n)) fail(key, type, value, 'it has a fraction');
      return n;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      const s = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
      if (s !== undefined && TRUE.has(s)) return true;
      if (s !== undefined && FALSE.has(s)) return false;
      return fail(key, type, value, 'use true/false, yes/no, on/off or 1/0');
    }
    case 'json':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch (err) {
        return fail(key, type, value, (err as Error).message);
      }
    case 'list':
      if (Array.isArray(value)) return value;
      if (typeof value !== 'string') return [value];
      return value.split(separator).map((s) => s.trim()).filter((s) => s !== '');
  }
}
