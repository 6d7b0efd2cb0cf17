import type { Context } from 'koa';
import { AppError, ValidationError } from '../errors.js';

class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}
class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

/**
 * Deeper nesting than this is refused: no request needs it, and the recursive walks a body meets
 * later (graph validation, JSON.stringify when stored) overflow the stack at a few thousand levels.
 */
const MAX_DEPTH = 128;

/** Reads a JSON request body, refusing other media types, bodies over `limit` bytes and ones nested over {@link MAX_DEPTH}. */
export async function readJsonBody(ctx: Context, limit: number): Promise<unknown> {
  const length = Number(ctx.get('content-length') || 0);
  if (length === 0 && !ctx.get('transfer-encoding')) return undefined;
  if (!ctx.is('application/json', 'application/*+json')) {
    throw new UnsupportedMediaTypeError(`send the body as application/json (got ${ctx.get('content-type') || 'no content type'})`);
  }
  if (length > limit) throw new PayloadTooLargeError(`body of ${length} bytes exceeds the limit of ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PayloadTooLargeError(`body exceeds the limit of ${limit} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`body is not valid JSON: ${(err as Error).message}`);
  }
  if (nestedDeeperThan(value, MAX_DEPTH)) throw new ValidationError(`body is nested more than ${MAX_DEPTH} levels deep`);
  return value;
}

/** True when arrays and objects inside `value` nest deeper than `limit`; iterative, so any depth is safe to check. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [object, number][] = typeof value === 'object' && value !== null ? [[value, 1]] : [];
  while (stack.length > 0) {
    const [container, depth] = stack.pop()!;
    if (depth > limit) return true;
    for (const child of Object.values(container)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
