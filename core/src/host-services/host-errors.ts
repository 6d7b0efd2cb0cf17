import { PluginRuntimeError } from '@opsloom/plugin-runtime';
import { z } from 'zod';
import { AppError } from '../errors.js';

/**
 * Host-call failures as plugins see them: a stable upper-case code and a message to act on.
 * Core's own errors keep their code (`not_found` → `NOT_FOUND`); anything unexpected becomes
 * `HOST_SERVICE_FAILED` without internals.
 */
export function toHostError(err: unknown, op: string): PluginRuntimeError {
  if (err instanceof PluginRuntimeError) return err;
  if (err instanceof AppError) return new PluginRuntimeError(err.code.toUpperCase(), `${op}: ${err.message}`);
  return new PluginRuntimeError('HOST_SERVICE_FAILED', `${op} failed on the server; see the server log`);
}

/** Parses untrusted host-call arguments, failing with `HOST_ARGS_INVALID` and the first problem's path. */
export function parseArgs<T>(schema: z.ZodType<T>, args: unknown, op: string): T {
  const r = schema.safeParse(args);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.length ? issue.path.map(String).join('.') : '(arguments)';
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : '';
  throw new PluginRuntimeError('HOST_ARGS_INVALID', `${op}: ${path}: ${issue.message}${more}`);
}

/**
 * Wraps a host-service implementation so every failure leaves as a coded {@link PluginRuntimeError};
 * unexpected ones are logged here (they never reach the plugin's logs in detail).
 */
export function guarded<A extends unknown[], R>(op: string, onUnexpected: (err: unknown) => void, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      if (!(err instanceof PluginRuntimeError) && !(err instanceof AppError)) onUnexpected(err);
      throw toHostError(err, op);
    }
  };
}
