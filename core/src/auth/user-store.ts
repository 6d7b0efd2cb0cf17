import type { Db } from '../store/db.js';

export interface User {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  isAdmin: boolean;
  disabled: boolean;
  createdAt: number;
}

interface Row {
  id: string; username: string; display_name: string; email: string | null; password_hash: string;
  is_admin: number | boolean; disabled: number | boolean; created_at: number; updated_at: number;
}

const toUser = (r: Row): User => ({
  id: r.id, username: r.username, displayName: r.display_name, email: r.email,
  isAdmin: Boolean(r.is_admin), disabled: Boolean(r.disabled), createdAt: Number(r.created_at),
});

/** The users table. Password hashes never leave this store except through `passwordHash`. */
export class UserStore {
  constructor(private readonly db: Db) {}

  async insert(u: User & { passwordHash: string }): Promise<void> {
    await this.db('users').insert({
      id: u.id, username: u.username, display_name: u.displayName, email: u.email, password_hash: u.passwordHash,
      is_admin: u.isAdmin, disabled: u.disabled, created_at: u.createdAt, updated_at: u.createdAt,
    });
  }

  async byId(id: string): Promise<User | undefined> {
    const r = await this.db<Row>('users').where({ id }).first();
    return r && toUser(r);
  }

  async byUsername(username: string): Promise<(User & { passwordHash: string }) | undefined> {
    const r = await this.db<Row>('users').where({ username }).first();
    return r && { ...toUser(r), passwordHash: r.password_hash };
  }

  async list(): Promise<User[]> {
    return (await this.db<Row>('users').orderBy('username')).map(toUser);
  }

  async count(): Promise<number> {
    const r = await this.db('users').count({ n: '*' }).first();
    return Number(r?.n ?? 0);
  }

  async update(id: string, patch: Partial<Pick<User, 'displayName' | 'email' | 'isAdmin' | 'disabled'>> & { passwordHash?: string }): Promise<void> {
    const row: Record<string, unknown> = { updated_at: Date.now() };
    if (patch.displayName !== undefined) row.display_name = patch.displayName;
    if (patch.email !== undefined) row.email = patch.email;
    if (patch.isAdmin !== undefined) row.is_admin = patch.isAdmin;
    if (patch.disabled !== undefined) row.disabled = patch.disabled;
    if (patch.passwordHash !== undefined) row.password_hash = patch.passwordHash;
    await this.db('users').where({ id }).update(row);
  }
}
