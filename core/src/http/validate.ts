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
