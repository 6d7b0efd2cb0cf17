import { z } from 'zod';
import { ForbiddenError } from '../errors.js';
import { route, type Caller, type ProjectScope, type Route } from '../http/route.js';
import { iso, name } from '../http/schemas.js';
import { ROLES, roleCovers } from './roles.js';
import { TokenRoleNotHeldError } from './token-role-error.js';
import { SESSION_COOKIE, type AuthService } from './auth-service.js';
import type { User } from './user-store.js';
import type { ApiToken } from './credential-store.js';

const username = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,63}$/, 'use 2–64 letters, digits, dots, dashes or underscores');
const password = z.string().min(8, 'at least 8 characters').max(256);
// The longest address SMTP carries (RFC 5321), and what the users table holds.
const email = z.email().max(254);
const userView = (u: User) => ({ id: u.id, username: u.username, displayName: u.displayName, email: u.email, isAdmin: u.isAdmin, disabled: u.disabled, createdAt: iso(u.createdAt) });
const tokenView = (t: ApiToken) => ({
  id: t.id, name: t.name, projectId: t.projectId, role: t.role, expiresAt: iso(t.expiresAt), lastUsedAt: iso(t.lastUsedAt),
  revokedAt: iso(t.revokedAt), createdAt: iso(t.createdAt),
});

/** Resolves a project by id or key with the caller's role in it, as project routes do (ProjectService.scope). */
export type ProjectScopeOf = (caller: Caller, idOrKey: string) => Promise<ProjectScope>;

/** Sign-in, the caller's own account and tokens, and user administration. */
export function authRoutes(auth: AuthService, projectScope: ProjectScopeOf, secureCookies: boolean): Route[] {
  return [
    route({
      id: 'auth.login', method: 'post', path: '/api/v1/auth/login', tag: 'auth', auth: 'public', audit: false,
      summary: 'Sign in with a username and password: returns a bearer token and sets the session cookie',
      body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
      async handler({ body, koa }) {
        const s = await auth.login(body.username, body.password, { ip: koa.ip, userAgent: koa.get('user-agent').slice(0, 256) || null });
        koa.cookies.set(SESSION_COOKIE, s.token, { httpOnly: true, sameSite: 'strict', secure: secureCookies, expires: new Date(s.expiresAt), overwrite: true });
        return { token: s.token, expiresAt: iso(s.expiresAt), user: userView(s.user) };
      },
    }),
    route({
      id: 'auth.logout', method: 'post', path: '/api/v1/auth/logout', tag: 'auth', auth: 'user',
      summary: 'End the current session', async handler({ caller, koa }) {
        await auth.logout(caller);
        koa.cookies.set(SESSION_COOKIE, null);
        return undefined;
      },
    }),
    route({
      id: 'auth.me', method: 'get', path: '/api/v1/auth/me', tag: 'auth', auth: 'user', summary: 'Who am I',
      async handler({ caller }) {
        return { ...userView(await auth.getUser(caller.userId)), viaToken: caller.tokenId ?? null, tokenProjectId: caller.tokenProjectId ?? null, tokenRole: caller.tokenRole ?? null };
      },
    }),
    route({
      id: 'auth.password.change', method: 'post', path: '/api/v1/auth/password', tag: 'auth', auth: 'user',
      summary: 'Change my password', body: z.object({ current: z.string().min(1), next: password }),
      async handler({ caller, body, koa }) {
        const ok = await auth.checkPassword(caller.username, body.current, koa.ip);
        if (!ok) throw new ForbiddenError('the current password is wrong');
        await auth.updateUser(caller.userId, { password: body.next });
        return undefined;
      },
    }),
    route({
      id: 'token.list', method: 'get', path: '/api/v1/tokens', tag: 'auth', auth: 'user', summary: 'My API tokens',
      async handler({ caller }) { return { items: (await auth.listTokens(caller.userId)).map(tokenView) }; },
    }),
    route({
      id: 'token.create', method: 'post', path: '/api/v1/tokens', tag: 'auth', auth: 'user', status: 201,
      summary: 'Create an API token for a machine, optionally limited to a project (id or key) and a role you hold there; the secret is shown only in this response',
      body: z.object({
        name, projectId: z.string().min(1).max(64).optional(), role: z.enum(ROLES).optional(),
        expiresInDays: z.number().int().min(1).max(3650).optional(),
      }),
      async handler({ caller, body, audit }) {
        // By id or key like every project route; a non-member gets 404, so keys do not leak.
        const project = body.projectId ? await projectScope(caller, body.projectId) : undefined;
        if (caller.tokenProjectId && project?.id !== caller.tokenProjectId) {
          throw new ForbiddenError('a project-scoped token can only create tokens for its own project');
        }
        // Use would cap the token to the creator's role; the answer must not claim more.
        if (project && body.role && !roleCovers(project.role, body.role)) throw new TokenRoleNotHeldError(body.role, project.role, project.key);
        const t = await auth.createToken(caller.userId, { ...body, projectId: project?.id ?? null });
        audit({ kind: 'token', id: t.info.id, ...(project ? { projectId: project.id } : {}) });
        return { token: t.token, ...tokenView(t.info) };
      },
    }),
    route({
      id: 'token.revoke', method: 'delete', path: '/api/v1/tokens/:tokenId', tag: 'auth', auth: 'user', summary: 'Revoke an API token',
      params: z.object({ tokenId: z.string().min(1).max(64) }),
      async handler({ caller, params, audit }) {
        await auth.revokeToken(caller, params.tokenId);
        audit({ kind: 'token', id: params.tokenId });
        return undefined;
      },
    }),
    route({
      id: 'user.list', method: 'get', path: '/api/v1/users', tag: 'users', auth: 'user', summary: 'List users (names only unless administrator)',
      async handler({ caller }) {
        const users = await auth.listUsers();
        return { items: caller.isAdmin ? users.map(userView) : users.map((u) => ({ id: u.id, username: u.username, displayName: u.displayName })) };
      },
    }),
    route({
      id: 'user.create', method: 'post', path: '/api/v1/users', tag: 'users', auth: 'admin', status: 201, summary: 'Create a user',
      body: z.object({ username, password, displayName: name.optional(), email: email.optional(), isAdmin: z.boolean().optional() }),
      async handler({ body, audit }) {
        const u = await auth.createUser(body);
        audit({ kind: 'user', id: u.id, detail: { username: u.username, isAdmin: u.isAdmin } });
        return userView(u);
      },
    }),
    route({
      id: 'user.update', method: 'patch', path: '/api/v1/users/:userId', tag: 'users', auth: 'admin', summary: 'Change a user',
      params: z.object({ userId: z.string().min(1).max(64) }),
      body: z.object({ displayName: name.optional(), email: email.nullable().optional(), isAdmin: z.boolean().optional(), disabled: z.boolean().optional(), password: password.optional() }),
      async handler({ params, body, audit }) {
        const u = await auth.getUser(params.userId);
        const updated = await auth.updateUser(u.id, body);
        audit({ kind: 'user', id: u.id, detail: { fields: Object.keys(body) } });
        return userView(updated);
      },
    }),
  ];
}
