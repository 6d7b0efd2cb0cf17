import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { loadConfig, type Config } from '../config/config.js';
import { startOpsloom, type Opsloom } from '../server.js';
import { createLogger } from '../log.js';
import { mysqlServer } from '../store/mysql-server.js';

/** The admin password every test server starts with. */
export const TEST_ADMIN_PASSWORD = 'correct-horse-battery';

/**
 * Which backends the suite runs against: SQLite and in-process by default; MySQL/MariaDB and
 * Redis when `OPSLOOM_TEST_DB` (a server URL without database, e.g. mysql://root@127.0.0.1:3306)
 * and `OPSLOOM_TEST_REDIS` are set, as `.ci/run` does for its second pass.
 */
export const backend = {
  mysql: process.env.OPSLOOM_TEST_DB,
  redis: process.env.OPSLOOM_TEST_REDIS,
};

/** A database of its own for one test: a fresh MySQL database, or a SQLite file in `dir`. */
export async function testDatabase(dir: string): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (!backend.mysql) return { env: { OPSLOOM_DB: `sqlite:${join(dir, 'opsloom.sqlite')}` }, drop: async () => undefined };
  const name = `opsloom_t_${randomBytes(6).toString('hex')}`;
  const server = new URL(backend.mysql);
  const conn = await mysql.createConnection(mysqlServer(server));
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await conn.end();
  const url = new URL(backend.mysql);
  url.pathname = `/${name}`;
  return {
    env: { OPSLOOM_DB: url.toString() },
    async drop() {
      const c = await mysql.createConnection(mysqlServer(server));
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** Deletes a test server's Redis keys. */
export async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A JSON API client bound to one server. */
export interface ApiClient {
  /** Sends a request; `token` overrides the client's default credentials (null sends none). */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T; headers: Headers }>;
}

export function apiClient(baseUrl: string, defaultToken?: string): ApiClient {
  return {
    async call(method, path, body, token) {
      const t = token === undefined ? defaultToken : token;
      const res = await fetch(baseUrl + path, {
        method,
        headers: { ...(t ? { authorization: `Bearer ${t}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
      return { status: res.status, body: parsed as never, headers: res.headers };
    },
  };
}

export interface TestServer {
  ops: Opsloom;
  url: string;
  dataDir: string;
  /** A client signed in as the first admin. */
  admin: ApiClient;
  adminToken: string;
  /** A client with no credentials. */
  anonymous: ApiClient;
  close(): Promise<void>;
}

/**
 * Starts a real Opsloom core on a free port with its own data directory and database, signs in
 * as admin, and tears everything down on close.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsloom-test-'));
  const db = await testDatabase(dataDir);
  const config: Config = loadConfig({
    OPSLOOM_DATA_DIR: dataDir, OPSLOOM_PORT: '0', OPSLOOM_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    OPSLOOM_LOG_LEVEL: process.env.OPSLOOM_TEST_LOG ?? 'silent', OPSLOOM_REGISTRY: 'off', OPSLOOM_LOCAL_AGENT: 'false',
    // Test files run in parallel on one Redis: each server gets keys of its own.
    ...(backend.redis ? { OPSLOOM_REDIS: backend.redis, OPSLOOM_REDIS_PREFIX: `opsloom-test-${randomBytes(4).toString('hex')}` } : {}),
    ...db.env, ...env,
  });
  const ops = await startOpsloom(config, { log: createLogger(config.logLevel) });
  const anonymous = apiClient(ops.url);
  const login = await anonymous.call<{ token: string }>('POST', '/api/v1/auth/login', { username: 'admin', password: TEST_ADMIN_PASSWORD });
  if (login.status !== 200) throw new Error(`test admin login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return {
    ops, url: ops.url, dataDir, anonymous, adminToken: login.body.token, admin: apiClient(ops.url, login.body.token),
    async close() {
      await ops.close();
      await db.drop();
      if (config.redisUrl && config.redisPrefix.startsWith('opsloom-test-')) await dropRedisKeys(config.redisUrl, config.redisPrefix);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
