import Router from '@koa/router';
import type { Context } from 'koa';
import { AppError, ForbiddenError, UnauthenticatedError } from '../errors.js';
import { roleAllows } from '../auth/roles.js';
import type { AuditEntry } from '../audit/audit-store.js';
import type { Caller, ProjectScope, Route, RouteContext } from './route.js';
import { readJsonBody } from './body.js';
import { parseAt, refuseUnknownFields } from './validate.js';

/** What the router needs from the rest of core. */
export interface RouterDeps {
  /** Resolves the caller from the request's credentials; null when there are none. Throws on bad ones. */
  authenticate(ctx: Context): Promise<Caller | null>;
  /** The project `idOrKey` with the caller's role in it; throws NotFound or Forbidden. */
  projectScope(caller: Caller, idOrKey: string): Promise<ProjectScope>;
  audit(entry: AuditEntry): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Mounts declared routes on a koa-router with authentication, authorisation, validation and auditing. */
export function buildRouter(routes: Route[], deps: RouterDeps): Router {
  const router = new Router();
  for (const r of routes) {
    router[r.method](r.id, r.path, async (ctx: Context) => {
      await handle(r, ctx, deps);
    });
  }
  return router;
}

async function handle(r: Route, ctx: Context, deps: RouterDeps): Promise<void> {
  const caller = await deps.authenticate(ctx);
  ctx.state.caller = caller;
  if (r.auth !== 'public' && !caller) throw new UnauthenticatedError('sign in or send an API token: Authorization: Bearer <token>');
  if (r.auth === 'admin' && !caller!.isAdmin) throw new ForbiddenError('this operation needs a system administrator');

  let auditTarget: Parameters<RouteContext<unknown, unknown, unknown>['audit']>[0] | undefined;
  const shouldAudit = r.audit ?? r.method !== 'get';
  let project: ProjectScope | undefined;
  let failedWith: number | undefined;
  try {
    const params = r.params ? parseAt(r.params, ctx.params, 'params') : ctx.params;
    if (typeof r.auth === 'object') {
      const idOrKey = (ctx.params as Record<string, string>).projectId;
      if (!idOrKey) throw new Error(`route ${r.id} is project-scoped but has no :projectId`);
      project = await deps.projectScope(caller!, idOrKey);
      if (!roleAllows(project.role, r.auth.project)) {
        throw new ForbiddenError(`your role in project ${project.key} is ${project.role}; this operation needs permission to ${r.auth.project}`);
      }
    }
    const query = r.query ? parseAt(r.query, ctx.query, 'query') : ctx.query;
    const rawBody = r.body ? await readJsonBody(ctx, r.bodyLimitBytes ?? DEFAULT_BODY_LIMIT) : undefined;
    if (r.body) refuseUnknownFields(r.body, rawBody);
    const body = r.body ? parseAt(r.body, rawBody ?? {}, 'body') : undefined;
    const result = await r.handler({
      params, query, body, caller: caller!, project: project!, koa: ctx,
      audit(target) { auditTarget = target; },
    });
    if (!r.raw) {
      ctx.status = r.status ?? 200;
      if (result === undefined) ctx.status = r.status ?? 204;
      else ctx.body = result;
    }
  } catch (err) {
    failedWith = err instanceof AppError ? err.status : 500;
    throw err;
  } finally {
    if (shouldAudit && caller) {
      await deps.audit({
        at: Date.now(),
        actorId: caller.userId,
        actorName: caller.username,
        tokenId: caller.tokenId ?? null,
        action: r.id,
        targetKind: auditTarget?.kind ?? null,
        targetId: auditTarget?.id ?? null,
        projectId: auditTarget?.projectId ?? project?.id ?? null,
        ip: ctx.ip,
        userAgent: ctx.get('user-agent').slice(0, 256) || null,
        requestId: String(ctx.state.requestId ?? ''),
        status: failedWith ?? ctx.status,
        detail: auditTarget?.detail ?? null,
      });
    }
  }
}
