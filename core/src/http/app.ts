import { randomUUID } from 'node:crypto';
import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import { buildOpenApi } from './openapi.js';
import { problemMiddleware, writeProblem } from './problem.js';
import { buildRouter, type RouterDeps } from './router.js';
import type { Route } from './route.js';
import type { Metrics } from './metrics.js';

export interface HttpAppOptions {
  routes: Route[];
  deps: RouterDeps;
  log: Logger;
  metrics: Metrics;
  version: string;
  /** Checks for /readyz: each throws when its dependency is down. */
  readiness: Record<string, () => Promise<void>>;
  /** Serves the portal's static files for everything outside /api, /agent and the health routes. */
  staticHandler?: (ctx: Context, next: Next) => Promise<void>;
}

/**
 * The Koa application: only middleware registration and router mounting live here; every
 * behaviour is in the routes' services (STYLE habit 1).
 */
export function createHttpApp(o: HttpAppOptions): Koa {
  const app = new Koa({ proxy: false });
  app.silent = true;
  app.use(requestId);
  app.use(accessLog(o.log, o.metrics));
  app.use(problemMiddleware(o.log));
  app.use(securityHeaders);

  const system = new Router();
  system.get('/healthz', (ctx) => { ctx.body = { status: 'ok' }; });
  system.get('/readyz', async (ctx) => {
    const checks: Record<string, string> = {};
    let ok = true;
    await Promise.all(Object.entries(o.readiness).map(async ([name, check]) => {
      try {
        await check();
        checks[name] = 'ok';
      } catch (err) {
        ok = false;
        checks[name] = `down: ${(err as Error).message}`;
      }
    }));
    if (!ok) return writeProblem(ctx, 503, 'not_ready', 'a dependency is down', { checks });
    ctx.body = { status: 'ready', checks };
  });
  system.get('/metrics', async (ctx) => {
    ctx.type = o.metrics.registry.contentType;
    ctx.body = await o.metrics.registry.metrics();
  });
  const openapi = buildOpenApi(o.routes, { version: o.version });
  system.get('/api/openapi.json', (ctx) => { ctx.body = openapi; });
  app.use(system.routes());

  const api = buildRouter(o.routes, o.deps);
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: false }));
  if (o.staticHandler) app.use(o.staticHandler);
  return app;
}

async function requestId(ctx: Context, next: Next): Promise<void> {
  const given = ctx.get('x-request-id');
  ctx.state.requestId = /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
  ctx.set('X-Request-Id', ctx.state.requestId);
  await next();
}

async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.set('X-Frame-Options', 'DENY');
  await next();
}

function accessLog(log: Logger, metrics: Metrics) {
  return async function logged(ctx: Context, next: Next): Promise<void> {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const routeName = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? (ctx.status === 404 ? 'unmatched' : ctx.path);
      metrics.httpRequests.inc({ method: ctx.method, route: String(routeName), status: String(ctx.status) });
      metrics.httpDuration.observe({ method: ctx.method, route: String(routeName) }, seconds);
      if (ctx.path !== '/healthz' && ctx.path !== '/metrics') {
        log.info({ requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(seconds * 1e4) / 10, user: ctx.state.caller?.username }, 'request');
      }
    }
  };
}
