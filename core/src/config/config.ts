import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { mysqlServer } from '../store/mysql-server.js';

/**
 * Opsloom's settings. Each comes from an environment variable of the same name, or from the
 * optional JSON config file (`OPSLOOM_CONFIG`, or `--config` on the CLI) using the same keys;
 * the environment wins. Unknown keys in the file and unparsable values stop start-up with a
 * message that names the setting.
 */
export interface Config {
  /** Where data lives (SQLite file, registry storage, plugin store, secrets key). @default ./data */
  dataDir: string;
  /** Interface the HTTP server binds. @default 127.0.0.1 */
  host: string;
  /** HTTP port; 0 picks a free one. @default 7070 */
  port: number;
  /** `mysql://user:pass@host:port/db`; unset = SQLite under the data directory. */
  db: DbConfig;
  /** `redis://host:port[/db]`; unset = in-process queue, events and leases. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key, so several deployments can share one Redis. @default opsloom */
  redisPrefix: string;
  /** Key that encrypts secrets at rest (≥ 32 chars); unset = a key generated in the data directory. */
  secretKey: string | undefined;
  /** Port of the embedded plugin registry. @default 4873 */
  registryPort: number;
  /** Whether `opsloom up` starts the embedded registry. @default true */
  registryEmbedded: boolean;
  /** Whether `opsloom up` starts a local agent for this machine. @default true */
  localAgent: boolean;
  /** First admin's password instead of a random one (automation). */
  adminPassword: string | undefined;
  /** Base URL users reach the portal at, for links such as `${_system.task_url}`. @default http://host:port */
  publicUrl: string | undefined;
  /** pino level. @default info */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** What this process does in a cluster. @default all of them */
  roles: ReadonlySet<ProcessRole>;
  /** Lifetime of a portal/API session created by login. @default 12h */
  sessionTtlMs: number;
  /** How long a running flow step may go unrenewed before another worker recovers it (its process died). @default 30 s */
  stepLeaseMs: number;
  /** `smtp://user:pass@host:port` (or `smtps://`) that notification e-mail goes through; unset = no e-mail. */
  smtpUrl: string | undefined;
  /** Sender address of notification e-mail. @default opsloom@<smtp host> */
  smtpFrom: string | undefined;
  /** Origins (`https://hooks.example.com`) notification webhooks may be sent to. @default none */
  notifyOrigins: readonly string[];
  /** The job service's settings as given (environment over file); the job module checks them. */
  jobSettings: JobSettings;
}

export type ProcessRole = 'api' | 'worker' | 'scheduler' | 'agent-gateway';
export type DbConfig = { kind: 'sqlite'; file: string } | { kind: 'mysql'; url: string };

/** Thrown at start-up when a setting is missing or malformed. */
export class ConfigError extends Error {
  constructor(readonly setting: string, problem: string) {
    super(`${setting}: ${problem}`);
    this.name = 'ConfigError';
  }
}

const ROLES: readonly ProcessRole[] = ['api', 'worker', 'scheduler', 'agent-gateway'];
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The job service's settings: carried as given in {@link Config.jobSettings}, compiled by the job module. */
export const JOB_KEYS = ['OPSLOOM_JOB_DEFAULT_TIMEOUT', 'OPSLOOM_JOB_MAX_TIMEOUT', 'OPSLOOM_JOB_GRACE', 'OPSLOOM_AGENT_HEARTBEAT', 'OPSLOOM_JOB_SWEEP_MS'] as const;
export type JobSettings = Partial<Record<(typeof JOB_KEYS)[number], string>>;

/** Every key a config file may hold, with its parser. */
const KEYS = [
  'OPSLOOM_DATA_DIR', 'OPSLOOM_HOST', 'OPSLOOM_PORT', 'OPSLOOM_DB', 'OPSLOOM_REDIS', 'OPSLOOM_SECRET_KEY',
  'OPSLOOM_REGISTRY_PORT', 'OPSLOOM_REGISTRY', 'OPSLOOM_LOCAL_AGENT', 'OPSLOOM_ADMIN_PASSWORD',
  'OPSLOOM_PUBLIC_URL', 'OPSLOOM_LOG_LEVEL', 'OPSLOOM_ROLES', 'OPSLOOM_SESSION_TTL', 'OPSLOOM_STEP_LEASE', 'OPSLOOM_REDIS_PREFIX',
  'OPSLOOM_SMTP_URL', 'OPSLOOM_SMTP_FROM', 'OPSLOOM_NOTIFY_ORIGINS', ...JOB_KEYS,
] as const;
type Key = (typeof KEYS)[number];
type Source = Partial<Record<Key, string>>;

/** The settings table for `--help` and the README. */
export const SETTINGS: readonly { key: Key; default: string; meaning: string }[] = [
  { key: 'OPSLOOM_DATA_DIR', default: './data', meaning: 'data directory (SQLite file, registry storage, plugin store, keys)' },
  { key: 'OPSLOOM_HOST', default: '127.0.0.1', meaning: 'interface the HTTP server binds' },
  { key: 'OPSLOOM_PORT', default: '7070', meaning: 'HTTP port (portal, API, agent gateway)' },
  { key: 'OPSLOOM_DB', default: '(SQLite in the data directory)', meaning: 'mysql://user:pass@host:3306/db for MySQL/MariaDB (or mysql://user@localhost/db?socket=/run/mysqld/mysqld.sock)' },
  { key: 'OPSLOOM_REDIS', default: '(in-process)', meaning: 'redis://host:6379 for queues, events and leases shared by several processes' },
  { key: 'OPSLOOM_REDIS_PREFIX', default: 'opsloom', meaning: 'prefix of every Redis key, so deployments can share a Redis' },
  { key: 'OPSLOOM_SECRET_KEY', default: '(generated in the data directory)', meaning: 'key that encrypts secrets at rest, at least 32 characters' },
  { key: 'OPSLOOM_REGISTRY_PORT', default: '4873', meaning: 'port of the embedded plugin registry' },
  { key: 'OPSLOOM_REGISTRY', default: 'embedded', meaning: '`embedded` or `off`' },
  { key: 'OPSLOOM_LOCAL_AGENT', default: 'true', meaning: 'start an agent for this machine in embedded mode' },
  { key: 'OPSLOOM_ADMIN_PASSWORD', default: '(random, written to <data>/admin-password)', meaning: 'password of the first admin user' },
  { key: 'OPSLOOM_PUBLIC_URL', default: 'http://HOST:PORT', meaning: 'base URL of the portal, used in links' },
  { key: 'OPSLOOM_LOG_LEVEL', default: 'info', meaning: LEVELS.join(' | ') },
  { key: 'OPSLOOM_ROLES', default: ROLES.join(','), meaning: 'what this process runs in a cluster' },
  { key: 'OPSLOOM_SESSION_TTL', default: '43200', meaning: 'seconds a login session lasts' },
  { key: 'OPSLOOM_STEP_LEASE', default: '30', meaning: 'seconds before a flow step of a dead process is recovered' },
  { key: 'OPSLOOM_SMTP_URL', default: '(no e-mail)', meaning: 'smtp://user:pass@host:port (or smtps://) for notification e-mail' },
  { key: 'OPSLOOM_SMTP_FROM', default: 'opsloom@SMTP-HOST', meaning: 'sender address of notification e-mail' },
  { key: 'OPSLOOM_NOTIFY_ORIGINS', default: '(none)', meaning: 'comma-separated origins notification webhooks may reach, e.g. https://hooks.slack.com' },
  { key: 'OPSLOOM_JOB_DEFAULT_TIMEOUT', default: '7200', meaning: 'seconds a script may run when the request sets no timeout' },
  { key: 'OPSLOOM_JOB_MAX_TIMEOUT', default: '259200', meaning: 'longest timeout a script run may ask for, seconds' },
  { key: 'OPSLOOM_JOB_GRACE', default: '300', meaning: 'seconds past its timeout a silent host waits before it ends as failed' },
  { key: 'OPSLOOM_AGENT_HEARTBEAT', default: '15', meaning: 'heartbeat interval agents are told to use, seconds' },
  { key: 'OPSLOOM_JOB_SWEEP_MS', default: '5000', meaning: 'how often overdue runs and silent agents are swept, milliseconds' },
];

function readFile(path: string): Source {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('OPSLOOM_CONFIG', `cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('OPSLOOM_CONFIG', `${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('OPSLOOM_CONFIG', `${path} must hold a JSON object of settings`);
  }
  const out: Source = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (!(KEYS as readonly string[]).includes(k)) {
      throw new ConfigError(k, `unknown setting in ${path} (known: ${KEYS.join(', ')})`);
    }
    if (v === null || typeof v === 'object') throw new ConfigError(k, `must be a string, number or boolean in ${path}`);
    out[k as Key] = String(v);
  }
  return out;
}

function int(key: Key, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(key, `"${raw}" is not a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(key, `${n} is out of range ${min}..${max}`);
  return n;
}

function bool(key: Key, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(key, `"${raw}" is not a boolean (true/false)`);
}

function url(key: Key, raw: string, protocols: string[]): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(key, `"${raw}" is not a URL`);
  }
  if (!protocols.includes(u.protocol)) {
    throw new ConfigError(key, `protocol ${u.protocol} is not supported (use ${protocols.join(' or ')})`);
  }
  return u;
}

/**
 * Builds the compiled settings from the environment and an optional config file.
 * @throws ConfigError naming the setting when a value is missing or malformed.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { configFile?: string; cwd?: string } = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const file = options.configFile ?? env.OPSLOOM_CONFIG;
  const src: Source = { ...(file ? readFile(resolve(cwd, file)) : {}) };
  for (const k of KEYS) if (env[k] !== undefined && env[k] !== '') src[k] = env[k];

  const dataDirRaw = src.OPSLOOM_DATA_DIR ?? './data';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
  const host = src.OPSLOOM_HOST ?? '127.0.0.1';
  if (!/^[\w.:-]+$/.test(host)) throw new ConfigError('OPSLOOM_HOST', `"${host}" is not a host name or address`);
  const port = src.OPSLOOM_PORT === undefined ? 7070 : int('OPSLOOM_PORT', src.OPSLOOM_PORT, 0, 65535);
  const registryPort = src.OPSLOOM_REGISTRY_PORT === undefined ? 4873 : int('OPSLOOM_REGISTRY_PORT', src.OPSLOOM_REGISTRY_PORT, 0, 65535);

  let db: DbConfig = { kind: 'sqlite', file: resolve(dataDir, 'opsloom.sqlite') };
  if (src.OPSLOOM_DB) {
    const u = url('OPSLOOM_DB', src.OPSLOOM_DB, ['mysql:', 'mariadb:', 'sqlite:']);
    if (u.protocol === 'sqlite:') db = { kind: 'sqlite', file: resolve(cwd, decodeURIComponent(u.pathname)) };
    else {
      if (u.pathname.length <= 1) throw new ConfigError('OPSLOOM_DB', 'the URL must name a database, e.g. mysql://root@127.0.0.1:3306/opsloom');
      try {
        mysqlServer(u);
      } catch (err) {
        throw new ConfigError('OPSLOOM_DB', (err as Error).message);
      }
      db = { kind: 'mysql', url: src.OPSLOOM_DB.replace(/^mariadb:/, 'mysql:') };
    }
  }
  const redisUrl = src.OPSLOOM_REDIS ? url('OPSLOOM_REDIS', src.OPSLOOM_REDIS, ['redis:', 'rediss:']).toString() : undefined;

  const redisPrefix = (src.OPSLOOM_REDIS_PREFIX ?? 'opsloom').trim();
  if (!/^[\w.-]{1,64}$/.test(redisPrefix)) throw new ConfigError('OPSLOOM_REDIS_PREFIX', `"${redisPrefix}" must be 1–64 letters, digits, dots, dashes or underscores`);
  const secretKey = src.OPSLOOM_SECRET_KEY;
  if (secretKey !== undefined && secretKey.length < 32) throw new ConfigError('OPSLOOM_SECRET_KEY', 'must be at least 32 characters');

  const registry = (src.OPSLOOM_REGISTRY ?? 'embedded').trim();
  if (registry !== 'embedded' && registry !== 'off') throw new ConfigError('OPSLOOM_REGISTRY', `"${registry}" is not one of embedded, off`);

  const adminPassword = src.OPSLOOM_ADMIN_PASSWORD;
  if (adminPassword !== undefined && adminPassword.length < 8) throw new ConfigError('OPSLOOM_ADMIN_PASSWORD', 'must be at least 8 characters');

  const publicUrl = src.OPSLOOM_PUBLIC_URL ? url('OPSLOOM_PUBLIC_URL', src.OPSLOOM_PUBLIC_URL, ['http:', 'https:']).toString().replace(/\/$/, '') : undefined;

  const logLevel = (src.OPSLOOM_LOG_LEVEL ?? 'info').trim() as Config['logLevel'];
  if (!LEVELS.includes(logLevel)) throw new ConfigError('OPSLOOM_LOG_LEVEL', `"${logLevel}" is not one of ${LEVELS.join(', ')}`);

  const roleNames = (src.OPSLOOM_ROLES ?? ROLES.join(',')).split(',').map((r) => r.trim()).filter(Boolean);
  for (const r of roleNames) {
    if (!(ROLES as readonly string[]).includes(r)) throw new ConfigError('OPSLOOM_ROLES', `"${r}" is not one of ${ROLES.join(', ')}`);
  }
  if (roleNames.length === 0) throw new ConfigError('OPSLOOM_ROLES', 'name at least one role');

  const sessionTtlMs = 1000 * (src.OPSLOOM_SESSION_TTL === undefined ? 43200 : int('OPSLOOM_SESSION_TTL', src.OPSLOOM_SESSION_TTL, 60, 30 * 86400));

  const smtpUrl = src.OPSLOOM_SMTP_URL ? url('OPSLOOM_SMTP_URL', src.OPSLOOM_SMTP_URL, ['smtp:', 'smtps:']).toString() : undefined;
  const smtpFrom = src.OPSLOOM_SMTP_FROM?.trim() || undefined;
  if (smtpFrom !== undefined && !/^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(smtpFrom)) {
    throw new ConfigError('OPSLOOM_SMTP_FROM', `"${smtpFrom}" is not an e-mail address (name@example.com or Name <name@example.com>)`);
  }
  const notifyOrigins = (src.OPSLOOM_NOTIFY_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean).map((o) => {
    const u = url('OPSLOOM_NOTIFY_ORIGINS', o, ['http:', 'https:']);
    if (u.origin !== o.replace(/\/$/, '')) throw new ConfigError('OPSLOOM_NOTIFY_ORIGINS', `"${o}" must be an origin only (scheme://host[:port]), e.g. ${u.origin}`);
    return u.origin;
  });

  return {
    smtpUrl, smtpFrom, notifyOrigins,
    dataDir, host, port, db, redisUrl, redisPrefix, secretKey, registryPort,
    registryEmbedded: registry === 'embedded',
    localAgent: src.OPSLOOM_LOCAL_AGENT === undefined ? true : bool('OPSLOOM_LOCAL_AGENT', src.OPSLOOM_LOCAL_AGENT),
    adminPassword, publicUrl, logLevel,
    roles: new Set(roleNames as ProcessRole[]),
    sessionTtlMs,
    stepLeaseMs: 1000 * (src.OPSLOOM_STEP_LEASE === undefined ? 30 : int('OPSLOOM_STEP_LEASE', src.OPSLOOM_STEP_LEASE, 2, 3600)),
    jobSettings: Object.fromEntries(JOB_KEYS.flatMap((k) => (src[k] === undefined ? [] : [[k, src[k]]]))) as JobSettings,
  };
}
