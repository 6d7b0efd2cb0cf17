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

/** Reads a JSON request body, refusing other media types and bodies over `limit` bytes. */
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
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`body is not valid JSON: ${(err as Error).message}`);
  }
}
