import type { Db } from '../store/db.js';
import type { Role } from './roles.js';

/** An API token as listed: the secret itself is shown once at creation and stored only as a hash. */
export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  projectId: string | null;
  role: Role | null;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
  createdAt: number;
}

export interface Session { id: string; userId: string; expiresAt: number }

interface TokenRow {
  id: string; user_id: string; name: string; token_hash: string; project_id: string | null; role: string | null;
  expires_at: number | null; last_used_at: number | null; revoked_at: number | null; created_at: number;
}

const num = (v: number | null) => (v === null ? null : Number(v));
const toToken = (r: TokenRow): ApiToken => ({
  id: r.id, userId: r.user_id, name: r.name, projectId: r.project_id, role: r.role as Role | null,
  expiresAt: num(r.expires_at), lastUsedAt: num(r.last_used_at), revokedAt: num(r.revoked_at), createdAt: Number(r.created_at),
});

/** API tokens and login sessions: both are bearer secrets stored as SHA-256 hashes. */
export class CredentialStore {
  constructor(private readonly db: Db) {}

  async insertToken(t: ApiToken & { tokenHash: string }): Promise<void> {
    await this.db('api_tokens').insert({
      id: t.id, user_id: t.userId, name: t.name, token_hash: t.tokenHash, project_id: t.projectId, role: t.role,
      expires_at: t.expiresAt, last_used_at: null, revoked_at: null, created_at: t.createdAt,
    });
  }

  async tokenByHash(hash: string): Promise<ApiToken | undefined> {
    const r = await this.db<TokenRow>('api_tokens').where({ token_hash: hash }).first();
    return r && toToken(r);
  }

  async tokensOf(userId: string): Promise<ApiToken[]> {
    return (await this.db<TokenRow>('api_tokens').where({ user_id: userId }).orderBy('created_at', 'desc')).map(toToken);
  }

  async tokenById(id: string): Promise<ApiToken | undefined> {
    const r = await this.db<TokenRow>('api_tokens').where({ id }).first();
    return r && toToken(r);
  }

  async revokeToken(id: string, at: number): Promise<void> {
    await this.db('api_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: at });
  }

  /** Written at most once a minute per token, so authentication stays a read on the hot path. */
  async touchToken(id: string, at: number): Promise<void> {
    await this.db('api_tokens').where({ id }).where((w) => w.whereNull('last_used_at').orWhere('last_used_at', '<', at - 60_000)).update({ last_used_at: at });
  }

  async insertSession(s: Session & { tokenHash: string; ip: string | null; userAgent: string | null }): Promise<void> {
    await this.db('sessions').insert({
      id: s.id, user_id: s.userId, token_hash: s.tokenHash, expires_at: s.expiresAt, created_at: Date.now(),
      ip: s.ip, user_agent: s.userAgent,
    });
  }

  async sessionByHash(hash: string): Promise<Session | undefined> {
    const r = await this.db('sessions').where({ token_hash: hash }).first();
    return r && { id: r.id, userId: r.user_id, expiresAt: Number(r.expires_at) };
  }

  async deleteSession(id: string): Promise<void> {
    await this.db('sessions').where({ id }).delete();
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return this.db('sessions').where('expires_at', '<', now).delete();
  }
}
