import type { Context } from 'koa';
import type { z } from 'zod';
import type { Permission, Role } from '../auth/roles.js';

/** Who is calling: resolved once per request by the auth middleware. */
export interface Caller {
  userId: string;
  username: string;
  isAdmin: boolean;
  /** Set when the call came with an API token. */
  tokenId?: string;
  /** A token limited to one project cannot reach others. */
  tokenProjectId?: string;
  /** A token limited to a role never acts above it. */
  tokenRole?: Role;
  /** Set when the call came with a login session (cookie or bearer). */
  sessionId?: string;
}

/** The project a project-scoped route touches, with the caller's effective role in it. */
export interface ProjectScope {
  id: string;
  key: string;
  name: string;
  timeZone: string;
  role: Role;
}

/** Who may call a route. */
export type RouteAuth =
  | 'public'
  | 'user'
  | 'admin'
  /** The route's `:projectId` param names the project; the caller needs this permission in it. */
  | { project: Permission };

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Undefined only on public routes. */
  caller: Caller;
  /** Set on project-scoped routes. */
  project: ProjectScope;
  koa: Context;
  /** Lets a handler name what it touched, for the audit log. */
  audit(target: { kind: string; id: string; projectId?: string; detail?: Record<string, unknown> }): void;
}

/**
 * A route declared as data: the permission and the schemas sit beside the handler, and the same
 * schemas validate requests at the edge and generate the OpenAPI document.
 */
export interface Route<P = unknown, Q = unknown, B = unknown, R = unknown> {
  /** Stable id: the OpenAPI operationId and the audit log's action, e.g. `project.create`. */
  id: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Koa-router path, e.g. `/api/v1/projects/:projectId`. */
  path: string;
  summary: string;
  tag: string;
  auth: RouteAuth;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  response?: z.ZodType<R>;
  /** Success status. @default 200 (201 when `created` is set) */
  status?: number;
  /** Largest accepted body. @default 1 MiB */
  bodyLimitBytes?: number;
  /** The handler writes `ctx.koa.body` itself (streams, SSE, files). */
  raw?: boolean;
  /** Record the call in the audit log. @default true for every method but GET */
  audit?: boolean;
  handler(ctx: RouteContext<P, Q, B>): Promise<R | undefined>;
}

/** Infers a route's types from its schemas. */
export function route<P, Q, B, R>(r: Route<P, Q, B, R>): Route<unknown, unknown, unknown, unknown> {
  return r as unknown as Route;
}
