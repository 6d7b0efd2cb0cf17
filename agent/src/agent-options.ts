import { isAbsolute, join, resolve } from 'node:path';
import type { BackoffOptions } from './backoff.js';
import { AgentError } from './errors.js';
import { type AgentLogger, silentLogger } from './logger.js';
import type { ScriptRunner } from './script-runner.js';

/** How to run one agent. Only `server` and `stateDir` are required. */
export interface AgentOptions {
  /** Gateway URL, e.g. `ws://127.0.0.1:7070/agent/v1`. */
  server: string;
  /** Directory for the identity (and, by default, the work directory). */
  stateDir: string;
  /** Project enrolment token, used only when the state dir holds no identity yet. */
  enrolToken?: string;
  /** Cloud area of this host. @default 0 */
  cloudArea?: number;
  /** Most scripts running at once; the rest wait in a queue. @default 8 */
  maxConcurrent?: number;
  /** IP to report instead of the detected one. */
  ip?: string;
  /** Host name to report instead of the OS's. */
  hostname?: string;
  /** Helpers and per-run directories. @default `<stateDir>/work` */
  workDir?: string;
  /** Reconnection backoff. @default { baseMs: 1000, maxMs: 10000, removedMs: 300000 } */
  reconnect?: Partial<BackoffOptions>;
  /** WebSocket handshake timeout. @default 10000 */
  connectTimeoutMs?: number;
  /** SIGTERM to SIGKILL on timeout or cancel. @default 2000 */
  killGraceMs?: number;
  /** Wait for a finished script's pipes to close. @default 500 */
  drainMs?: number;
  /** Largest output chunk in bytes. @default 65536 */
  chunkBytes?: number;
  /** Gathering time for small output writes. @default 20 */
  flushMs?: number;
  /** Log bytes kept per run. @default 33554432 (32 MiB) */
  maxLogBytes?: number;
  /** @default silentLogger */
  logger?: AgentLogger;
  /** A runner shared by several agents (swarm mode); by default each agent makes its own. */
  runner?: ScriptRunner;
  /** How scripts are started (`zygote`: a small python3 launcher starts them; `spawn`: the agent forks them; `auto`: the zygote where python3 is installed). @default 'auto' */
  launcher?: 'auto' | 'zygote' | 'spawn';
}

/** {@link AgentOptions} with defaults applied and values checked. */
export interface CompiledAgentOptions {
  server: string;
  stateDir: string;
  enrolToken: string | null;
  cloudArea: number;
  maxConcurrent: number;
  ip: string | null;
  hostname: string | null;
  workDir: string;
  reconnect: BackoffOptions;
  connectTimeoutMs: number;
  killGraceMs: number;
  drainMs: number;
  chunkBytes: number;
  flushMs: number;
  maxLogBytes: number;
  logger: AgentLogger;
  runner: ScriptRunner | null;
  launcher: 'auto' | 'zygote' | 'spawn';
}

function int(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new AgentError('CONFIG_INVALID', `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return v;
}

/**
 * Applies defaults and refuses bad settings at startup, with a message naming the setting.
 * @throws AgentError `CONFIG_INVALID`
 */
export function compileAgentOptions(o: AgentOptions): CompiledAgentOptions {
  let url: URL;
  try {
    url = new URL(o.server);
  } catch {
    throw new AgentError('CONFIG_INVALID', `server must be a ws:// or wss:// URL such as ws://127.0.0.1:7070/agent/v1, got ${JSON.stringify(o.server)}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new AgentError('CONFIG_INVALID', `server must use ws:// or wss://, got ${url.protocol}`);
  }
  if (!o.stateDir) throw new AgentError('CONFIG_INVALID', 'stateDir is required: a directory where the agent keeps its identity');
  const stateDir = isAbsolute(o.stateDir) ? o.stateDir : resolve(o.stateDir);
  if (o.enrolToken !== undefined && o.enrolToken.length === 0) throw new AgentError('CONFIG_INVALID', 'enrolToken must not be empty');
  const baseMs = int('reconnect.baseMs', o.reconnect?.baseMs, 1000, 1, 600_000);
  const maxMs = int('reconnect.maxMs', o.reconnect?.maxMs, Math.max(10_000, baseMs), baseMs, 3_600_000);
  return {
    server: url.toString(),
    stateDir,
    enrolToken: o.enrolToken ?? null,
    cloudArea: int('cloudArea', o.cloudArea, 0, 0, 2_147_483_647),
    maxConcurrent: int('maxConcurrent', o.maxConcurrent, 8, 1, 4096),
    ip: o.ip ?? null,
    hostname: o.hostname ?? null,
    workDir: o.workDir ? resolve(o.workDir) : join(stateDir, 'work'),
    reconnect: { baseMs, maxMs, removedMs: int('reconnect.removedMs', o.reconnect?.removedMs, Math.max(300_000, maxMs), maxMs, 86_400_000) },
    connectTimeoutMs: int('connectTimeoutMs', o.connectTimeoutMs, 10_000, 100, 600_000),
    killGraceMs: int('killGraceMs', o.killGraceMs, 2000, 0, 600_000),
    drainMs: int('drainMs', o.drainMs, 500, 0, 600_000),
    chunkBytes: int('chunkBytes', o.chunkBytes, 65_536, 1, 1024 * 1024),
    flushMs: int('flushMs', o.flushMs, 20, 0, 10_000),
    maxLogBytes: int('maxLogBytes', o.maxLogBytes, 32 * 1024 * 1024, 0, 2 ** 40),
    logger: o.logger ?? silentLogger,
    runner: o.runner ?? null,
    launcher: launcherMode(o.launcher),
  };
}

function launcherMode(value: AgentOptions['launcher']): CompiledAgentOptions['launcher'] {
  if (value === undefined) return 'auto';
  if (value !== 'auto' && value !== 'zygote' && value !== 'spawn') {
    throw new AgentError('CONFIG_INVALID', `launcher must be auto, zygote or spawn, got ${JSON.stringify(value)}`);
  }
  return value;
}
