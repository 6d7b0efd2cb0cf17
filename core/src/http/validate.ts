import { z } from 'zod';
import { ValidationError } from '../errors.js';

/** Parses `value` with `schema`, or throws a ValidationError listing every invalid field under `where`. */
export function parseAt<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query' | 'params'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  throw new ValidationError(`${first.path}: ${first.message}${more}`, errors);
}

/**
 * Top-level fields of a request body that its schema does not name. Zod would drop them without a
 * word, so a misspelt optional field (`variabels`) was ignored and the request did something else
 * than asked. Schemas that take other fields on purpose (passthrough, catchall) are left alone.
 */
export function refuseUnknownFields(schema: z.ZodType, body: unknown): void {
  if (!(schema instanceof z.ZodObject) || schema.def.catchall !== undefined) return;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const unknown = Object.keys(body).filter((k) => !Object.hasOwn(schema.shape, k));
  if (unknown.length === 0) return;
  const errors = unknown.map((k) => ({ path: `body.${k}`, message: 'unknown field' }));
  const known = Object.keys(schema.shape).join(', ');
  throw new ValidationError(`body.${unknown[0]}: unknown field${unknown.length > 1 ? ` (and ${unknown.length - 1} more)` : ''}; this request takes ${known}`, errors);
}
