/**
 * A tiny, dependency-free field checker for the protocol parsers. Each function returns the checked
 * value or throws {@link FieldError} naming the field's path, which the parsers turn into a result.
 */

/** Thrown inside the parsers only; never escapes `parseAgentMessage`/`parseServerMessage`. */
export class FieldError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(`${path} ${problem}`);
  }
}

/** A JSON object as read from the wire. */
export type Fields = Record<string, unknown>;

export function object(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldError(path, 'must be an object');
  }
  return value as Fields;
}

export function string(o: Fields, key: string, path: string, maxChars: number, minChars = 0): string {
  const v = o[key];
  if (typeof v !== 'string') throw new FieldError(`${path}.${key}`, 'must be a string');
  if (v.length < minChars) throw new FieldError(`${path}.${key}`, minChars === 1 ? 'must not be empty' : `must have at least ${minChars} characters`);
  if (v.length > maxChars) throw new FieldError(`${path}.${key}`, `must have at most ${maxChars} characters`);
  return v;
}

export function nullableString(o: Fields, key: string, path: string, maxChars: number): string | null {
  return o[key] === null || o[key] === undefined ? null : string(o, key, path, maxChars, 1);
}

export function optionalString(o: Fields, key: string, path: string, maxChars: number): string | undefined {
  return o[key] === undefined ? undefined : string(o, key, path, maxChars);
}

export function integer(o: Fields, key: string, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new FieldError(`${path}.${key}`, 'must be an integer');
  if (v < min || v > max) throw new FieldError(`${path}.${key}`, `must be between ${min} and ${max}`);
  return v;
}

export function nullableInteger(o: Fields, key: string, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number | null {
  return o[key] === null ? null : integer(o, key, path, min, max);
}

export function boolean(o: Fields, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new FieldError(`${path}.${key}`, 'must be true or false');
  return v;
}

export function oneOf<T extends string>(o: Fields, key: string, path: string, allowed: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new FieldError(`${path}.${key}`, `must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

export function array(o: Fields, key: string, path: string, maxItems: number): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new FieldError(`${path}.${key}`, 'must be an array');
  if (v.length > maxItems) throw new FieldError(`${path}.${key}`, `must have at most ${maxItems} items`);
  return v;
}

export function stringArray(o: Fields, key: string, path: string, maxItems: number, maxChars: number): string[] {
  return array(o, key, path, maxItems).map((item, i) => {
    if (typeof item !== 'string' || item.length === 0 || item.length > maxChars) {
      throw new FieldError(`${path}.${key}[${i}]`, `must be a non-empty string of at most ${maxChars} characters`);
    }
    return item;
  });
}

/** Checks that a string is padded standard base64 of at most `maxBytes` decoded bytes. */
export function base64(o: Fields, key: string, path: string, maxBytes: number): string {
  const v = string(o, key, path, Math.ceil(maxBytes / 3) * 4);
  if (v.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
    throw new FieldError(`${path}.${key}`, 'must be base64 (standard alphabet, padded)');
  }
  return v;
}

/** Rejects keys the message type does not define, so typos and smuggled fields are caught early. */
export function noExtraKeys(o: Fields, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new FieldError(`${path}.${k}`, 'is not a field of this message');
  }
}
