import { availableParallelism } from 'node:os';
import { PluginRuntimeError } from './errors.js';
import { guardedFetch } from './host/guarded-fetch.js';
import { compileHttpOrigins } from './host/operator-origins.js';

/** Operator settings of a {@link PluginRuntime}. Every limit caps what manifests ask for. */
export interface RuntimeOptions {
  /** Sandbox processes in the pool. @default min(2, available CPUs) */
  poolSize?: number;
  /** Largest memory a plugin may ask for (isolate heap, wasm linear memory). @default 256 */
  maxMemoryMb?: number;
  /** Longest wall time of one call. @default 600000 (10 min) */
  maxTimeoutMs?: number;
  /** Largest JSON result of one call. @default 8 MiB */
  maxOutputBytes?: number;
  /** Result size when the manifest sets none. @default 1 MiB */
  defaultOutputBytes?: number;
  /** Largest host-call rate a plugin may ask for. @default 1000 */
  maxHostCallsPerSecond?: number;
  /** Host-call rate when the manifest sets none. @default 50 */
  defaultHostCallsPerSecond?: number;
  /** Largest HTTP response body handed to a plugin. @default 4 MiB */
  httpResponseBytes?: number;
  /** Wall time of one HTTP request made for a plugin. @default 30000 */
  httpTimeoutMs?: number;
  /**
   * When set, `http:` capabilities only work for these origins, whatever was approved. Entries are
   * normalised like capabilities (`https://API.example/` → `https://api.example`); one that is not
   * an origin (a path, another scheme) is refused at startup.
   */
  httpOrigins?: string[];
  /** The fetch used for `host.http.fetch`. @default guardedFetch(): no loopback or link-local address through a host name */
  fetch?: typeof fetch;
  /** How long past a call's deadline the parent waits before killing its sandbox process. @default 1000 */
  killGraceMs?: number;
  /** Idle sandboxes kept per plugin version in each process, for reuse. @default 2 */
  idleSandboxesPerPlugin?: number;
  /** Idle isolates kept per process across all plugin versions (about 1.5 MB each). @default 256 */
  idleSandboxesPerProcess?: number;
  /** Plugin versions kept loaded per process (least recently used are unloaded). @default 2000 */
  loadedPluginsPerProcess?: number;
}

/** {@link RuntimeOptions} with defaults applied and units checked. */
export type CompiledRuntimeOptions = Required<Omit<RuntimeOptions, 'httpOrigins'>> & { httpOrigins: string[] | undefined };

/**
 * Applies defaults and throws at startup on values that make no sense.
 * @example compileRuntimeOptions({poolSize: 4}).maxMemoryMb // 256
 */
export function compileRuntimeOptions(options: RuntimeOptions = {}): CompiledRuntimeOptions {
  const c: CompiledRuntimeOptions = {
    poolSize: options.poolSize ?? Math.min(2, availableParallelism()),
    maxMemoryMb: options.maxMemoryMb ?? 256,
    maxTimeoutMs: options.maxTimeoutMs ?? 600_000,
    maxOutputBytes: options.maxOutputBytes ?? 8 * 1024 * 1024,
    defaultOutputBytes: options.defaultOutputBytes ?? 1024 * 1024,
    maxHostCallsPerSecond: options.maxHostCallsPerSecond ?? 1000,
    defaultHostCallsPerSecond: options.defaultHostCallsPerSecond ?? 50,
    httpResponseBytes: options.httpResponseBytes ?? 4 * 1024 * 1024,
    httpTimeoutMs: options.httpTimeoutMs ?? 30_000,
    httpOrigins: options.httpOrigins && compileHttpOrigins(options.httpOrigins),
    fetch: options.fetch ?? guardedFetch(),
    killGraceMs: options.killGraceMs ?? 1000,
    idleSandboxesPerPlugin: options.idleSandboxesPerPlugin ?? 2,
    idleSandboxesPerProcess: options.idleSandboxesPerProcess ?? 256,
    loadedPluginsPerProcess: options.loadedPluginsPerProcess ?? 2000,
  };
  for (const [key, value] of Object.entries(c)) {
    if (typeof value === 'number' && (!Number.isFinite(value) || value < (key === 'idleSandboxesPerPlugin' ? 0 : 1))) {
      throw new PluginRuntimeError('RUNTIME_OPTIONS_INVALID', `runtime option ${key} must be a positive number, got ${value}`);
    }
  }
  if (c.maxMemoryMb < 8) throw new PluginRuntimeError('RUNTIME_OPTIONS_INVALID', 'maxMemoryMb must be at least 8 (the isolate minimum)');
  if (c.defaultOutputBytes > c.maxOutputBytes) {
    throw new PluginRuntimeError('RUNTIME_OPTIONS_INVALID', 'defaultOutputBytes must not exceed maxOutputBytes');
  }
  return c;
}
