import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';

/**
 * The first middleware: turns every error into an RFC 9457 `application/problem+json` document
 * with a stable `code`. Messages of unexpected errors are logged, never shown.
 */
export function problemMiddleware(log: Logger) {
  return async function problems(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        writeProblem(ctx, 404, 'route_not_found', `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      if (err instanceof AppError) {
        writeProblem(ctx, err.status, err.code, err.message, err.extra);
        if (err.status >= 500) log.warn({ err, requestId: ctx.state.requestId }, 'request failed');
        return;
      }
      const e = err as { status?: number; expose?: boolean; message?: string; type?: string; code?: unknown; errors?: unknown };
      // Errors of dependency-free packages (the flow model) carry status and code without extending AppError.
      if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.code === 'string') {
        writeProblem(ctx, e.status, e.code, e.message ?? e.code, e.errors ? { errors: e.errors } : {});
        return;
      }
      if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) {
        writeProblem(ctx, e.status, e.type === 'entity.too.large' ? 'payload_too_large' : 'bad_request', e.message ?? 'bad request');
        return;
      }
      log.error({ err, requestId: ctx.state.requestId, method: ctx.method, path: ctx.path }, 'unexpected error');
      writeProblem(ctx, 500, 'internal', `internal error; quote request id ${ctx.state.requestId} when reporting it`);
    }
  };
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content',
  429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export function writeProblem(ctx: Context, status: number, code: string, detail: string, extra: Record<string, unknown> = {}): void {
  ctx.status = status;
  if (status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="opsloom"');
  ctx.type = 'application/problem+json';
  ctx.body = {
    type: `https://opsloom.dev/problems/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    instance: ctx.path,
    requestId: ctx.state.requestId,
    ...extra,
  };
}
