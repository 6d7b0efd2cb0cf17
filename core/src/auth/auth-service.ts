import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'koa';
import { ConflictError, NotFoundError, TooManyRequestsError, UnauthenticatedError } from '../errors.js';
import { isUniqueViolation } from '../store/db.js';
import { newId } from '../store/ids.js';
import type { Caller } from '../http/route.js';
import type { AuditStore } from '../audit/audit-store.js';
import { CredentialStore, type ApiToken } from './credential-store.js';
import { LoginThrottle } from './login-throttle.js';
import { hashPassword, randomPassword, verifyPassword } from './password.js';
import type { Role } from './roles.js';
import { bearerKind, hashBearer, newBearerSecret } from './secrets.js';
import { UserStore, type User } from './user-store.js';

/** Name of the portal's session cookie. */
export const SESSION_COOKIE = 'opsloom_session';

export interface AuthDeps {
  users: UserStore;
  credentials: CredentialStore;
  audit: AuditStore;
  sessionTtlMs: number;
}

/** Users, passwords, login sessions and API tokens; resolves the caller of every request. */
export class AuthService {
  private readonly throttle = new LoginThrottle();
  /** Short cache of resolved bearer secrets: authentication stays off the database on busy paths. */
  private readonly cache = new Map<string, { caller: Caller; until: number }>();
  private static readonly CACHE_MS = 5_000;

  constructor(private readonly deps: AuthDeps) {}

  /**
   * Creates the first administrator when there are no users yet. The password is the configured one
   * or a random one written to `<dataDir>/admin-password` (mode 0600).
   * @returns the password when one was generated, so the CLI can print it once.
   */
  async bootstrapAdmin(dataDir: string, configured: string | undefined): Promise<{ created: boolean; password?: string; file?: string }> {
    if ((await this.deps.users.count()) > 0) return { created: false };
    const password = configured ?? randomPassword();
    try {
      await this.createUser({ username: 'admin', displayName: 'Administrator', password, isAdmin: true });
    } catch (err) {
      if (err instanceof ConflictError) return { created: false }; // another process won the race
      throw err;
    }
    if (configured) return { created: true };
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'admin-password');
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    return { created: true, password, file };
  }

  async createUser(input: { username: string; displayName?: string; email?: string | null; password: string; isAdmin?: boolean }): Promise<User> {
    const user: User = {
      id: newId(), username: input.username, displayName: input.displayName ?? input.username, email: input.email ?? null,
      isAdmin: input.isAdmin ?? false, disabled: false, createdAt: Date.now(),
    };
    try {
      await this.deps.users.insert({ ...user, passwordHash: await hashPassword(input.password) });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`user ${input.username} exists already`, 'user_exists');
      throw err;
    }
    return user;
  }

  async getUser(idOrName: string): Promise<User> {
    const u = (await this.deps.users.byId(idOrName)) ?? (await this.deps.users.byUsername(idOrName));
    if (!u) throw new NotFoundError('user', idOrName);
    const { passwordHash: _omit, ...user } = u as User & { passwordHash?: string };
    return user;
  }

  listUsers(): Promise<User[]> {
    return this.deps.users.list();
  }

  async updateUser(id: string, patch: { displayName?: string; email?: string | null; isAdmin?: boolean; disabled?: boolean; password?: string }): Promise<User> {
    await this.getUser(id);
    const { password, ...rest } = patch;
    await this.deps.users.update(id, { ...rest, ...(password ? { passwordHash: await hashPassword(password) } : {}) });
    this.cache.clear();
    return this.getUser(id);
  }

  /** Checks a username and password, with throttling of repeated failures; null when wrong. */
  async checkPassword(username: string, password: string, ip: string): Promise<User | null> {
    const wait = this.throttle.retryAfterMs(username, ip);
    if (wait > 0) throw new TooManyRequestsError(`too many failed sign-ins for ${username}; try again in ${Math.ceil(wait / 1000)} s`);
    const u = await this.deps.users.byUsername(username);
    // Hash even for unknown users so response time does not reveal which usernames exist.
    const ok = u ? await verifyPassword(password, u.passwordHash) : (await verifyPassword(password, DUMMY_HASH), false);
    if (!u || !ok || u.disabled) {
      this.throttle.fail(username, ip);
      return null;
    }
    this.throttle.succeed(username, ip);
    const { passwordHash: _omit, ...user } = u;
    return user;
  }

  /** Signs a user in: a new session whose secret serves as bearer token and cookie. */
  async login(username: string, password: string, meta: { ip: string; userAgent: string | null }): Promise<{ token: string; expiresAt: number; user: User }> {
    const user = await this.checkPassword(username, password, meta.ip);
    if (!user) {
      await this.deps.audit.record({
        at: Date.now(), actorId: null, actorName: username.slice(0, 64), tokenId: null, action: 'auth.login.failed',
        targetKind: 'user', targetId: username.slice(0, 128), projectId: null, ip: meta.ip, userAgent: meta.userAgent,
        requestId: null, status: 401, detail: null,
      });
      throw new UnauthenticatedError('wrong username or password');
    }
    const token = newBearerSecret('session');
    const expiresAt = Date.now() + this.deps.sessionTtlMs;
    await this.deps.credentials.insertSession({ id: newId(), userId: user.id, expiresAt, tokenHash: hashBearer(token), ip: meta.ip, userAgent: meta.userAgent });
    return { token, expiresAt, user };
  }

  async logout(caller: Caller): Promise<void> {
    if (caller.sessionId) await this.deps.credentials.deleteSession(caller.sessionId);
    this.cache.clear();
  }

  /** Creates an API token; the secret is returned here once and stored only as a hash. */
  async createToken(userId: string, input: { name: string; projectId?: string | null; role?: Role | null; expiresInDays?: number | null }): Promise<{ token: string; info: ApiToken }> {
    const token = newBearerSecret('token');
    const now = Date.now();
    const info: ApiToken = {
      id: newId(), userId, name: input.name, projectId: input.projectId ?? null, role: input.role ?? null,
      expiresAt: input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null, lastUsedAt: null, revokedAt: null, createdAt: now,
    };
    await this.deps.credentials.insertToken({ ...info, tokenHash: hashBearer(token) });
    return { token, info };
  }

  listTokens(userId: string): Promise<ApiToken[]> {
    return this.deps.credentials.tokensOf(userId);
  }

  /** Revokes one of the caller's tokens (administrators may revoke anyone's). */
  async revokeToken(caller: Caller, tokenId: string): Promise<void> {
    const t = await this.deps.credentials.tokenById(tokenId);
    if (!t || (t.userId !== caller.userId && !caller.isAdmin)) throw new NotFoundError('token', tokenId);
    await this.deps.credentials.revokeToken(tokenId, Date.now());
    this.cache.clear();
  }

  /**
   * Resolves the caller from `Authorization: Bearer …` or the session cookie.
   * @returns null when the request carries no credentials.
   * @throws UnauthenticatedError when it carries bad, expired or revoked ones.
   */
  async authenticate(ctx: Context): Promise<Caller | null> {
    const header = ctx.get('authorization');
    let secret: string | undefined;
    let viaCookie = false;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw new UnauthenticatedError('the Authorization header must be "Bearer <token>"');
      secret = m[1];
    } else {
      secret = ctx.cookies.get(SESSION_COOKIE);
      viaCookie = secret !== undefined;
    }
    if (!secret) return null;
    if (viaCookie && !['GET', 'HEAD', 'OPTIONS'].includes(ctx.method)) assertSameOrigin(ctx);
    return this.resolveSecret(secret);
  }

  /** Resolves a bearer secret (session or API token) to its caller. */
  async resolveSecret(secret: string): Promise<Caller> {
    const now = Date.now();
    const hash = hashBearer(secret);
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.caller;
    const kind = bearerKind(secret);
    let caller: Caller | undefined;
    if (kind === 'session') {
      const s = await this.deps.credentials.sessionByHash(hash);
      if (!s || s.expiresAt <= now) throw new UnauthenticatedError('your session has expired; sign in again');
      const u = await this.deps.users.byId(s.userId);
      if (!u || u.disabled) throw new UnauthenticatedError('this account is disabled');
      caller = { userId: u.id, username: u.username, isAdmin: u.isAdmin, sessionId: s.id };
    } else if (kind === 'token') {
      const t = await this.deps.credentials.tokenByHash(hash);
      if (!t || t.revokedAt) throw new UnauthenticatedError('this API token is unknown or revoked');
      if (t.expiresAt !== null && t.expiresAt <= now) throw new UnauthenticatedError(`API token ${t.name} expired`);
      const u = await this.deps.users.byId(t.userId);
      if (!u || u.disabled) throw new UnauthenticatedError('the owner of this API token is disabled');
      await this.deps.credentials.touchToken(t.id, now);
      caller = {
        userId: u.id, username: u.username, isAdmin: u.isAdmin && !t.projectId && !t.role, tokenId: t.id,
        ...(t.projectId ? { tokenProjectId: t.projectId } : {}), ...(t.role ? { tokenRole: t.role } : {}),
      };
    } else {
      throw new UnauthenticatedError('unrecognised token format');
    }
    if (this.cache.size > 5_000) this.cache.clear();
    this.cache.set(hash, { caller, until: now + AuthService.CACHE_MS });
    return caller;
  }
}

/** A fixed hash to verify against when the username is unknown (timing equalisation). */
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Cookie-authenticated writes must come from our own origin (CSRF defence beside SameSite). */
function assertSameOrigin(ctx: Context): void {
  const site = ctx.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') throw new UnauthenticatedError('cross-site request refused');
  const origin = ctx.get('origin');
  // Koa 3's ctx.origin echoes the Origin header, so compare with our own scheme and host.
  if (origin && origin !== `${ctx.protocol}://${ctx.host}`) throw new UnauthenticatedError(`request from origin ${origin} refused`);
}

