import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { DbConfig } from '../config/config.js';
import { migrationSource } from './migrations/index.js';
import { mysqlServer } from './mysql-server.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export type Db = Knex;

/**
 * Opens the database the configuration names and brings its schema up to date.
 * SQLite runs in WAL mode with one connection (better-sqlite3 is synchronous, so more
 * connections only add lock contention); MySQL/MariaDB gets a small pool.
 */
export async function openDb(config: DbConfig): Promise<Db> {
  const db = config.kind === 'sqlite' ? openSqlite(config.file) : openMysql(config.url);
  await db.migrate.latest({ migrationSource });
  return db;
}

function openSqlite(file: string): Db {
  const onDisk = file !== ':memory:';
  if (onDisk) mkdirSync(dirname(file), { recursive: true });
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { pragma(s: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('journal_mode = WAL');
        conn.pragma('synchronous = NORMAL');
        // Checkpoints run on a thread of their own (below), not inside a commit on the event loop.
        if (onDisk) conn.pragma('wal_autocheckpoint = 0');
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        done(null, conn);
      },
    },
  });
  if (onDisk) checkpointers.set(db, new WalCheckpointer(file));
  return db;
}

/** Checkpoint threads of open SQLite databases. */
const checkpointers = new WeakMap<Db, WalCheckpointer>();

/** Closes a database opened by {@link openDb}: its connections and, for SQLite, its checkpoint thread. */
export async function closeDb(db: Db): Promise<void> {
  await checkpointers.get(db)?.stop();
  checkpointers.delete(db);
  await db.destroy();
}

function openMysql(url: string): Db {
  const u = new URL(url);
  return knexFactory({
    client: 'mysql2',
    connection: {
      ...mysqlServer(u),
      database: decodeURIComponent(u.pathname.slice(1)),
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: false,
      timezone: 'Z',
    },
    pool: {
      min: 0,
      max: 10,
      // Read committed: compare-and-set steps must see what other processes committed, not a snapshot.
      afterCreate(conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
        conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', (err) => done(err, conn));
      },
    },
  });
}

/** True when the error is a unique-key violation, whatever the dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return e?.code === 'ER_DUP_ENTRY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Pings the database for /readyz. */
export async function pingDb(db: Db): Promise<void> {
  await db.raw('select 1');
}
