/**
 * The runtime's public contract: what core hands in (a plugin package and a call) and gets back.
 * Engines inside the sandbox process implement {@link SandboxEngine}; the parent never runs plugin code.
 */
import type { PluginManifest } from './manifest/index.js';

/** A plugin version ready to run: its validated manifest and its code. */
export interface PluginPackage {
  name: string;
  version: string;
  manifest: PluginManifest;
  /** The bundled isolate script (runtime `isolate`), or the wasm module bytes (runtime `wasm`). */
  code: string | Uint8Array;
}

/**
 * Which guest function to call. `cancel` (poll and callback modes): the engine gave up on the
 * remote work the saved state stands for (the task was revoked, the node forced to fail, the
 * attempt timed out); the plugin stops it. Its answer counts only as done or failed.
 */
export type PluginCall = 'execute' | 'poll' | 'callback' | 'cancel';

/** Identifies the task node a call runs for; passed to the plugin and to host services. */
export interface InvocationContext {
  taskId: string;
  nodeId: string;
  projectId: string;
  attempt: number;
  [key: string]: unknown;
}

/** One call of a plugin. */
export interface InvokeRequest {
  plugin: PluginPackage;
  call: PluginCall;
  inputs: Record<string, unknown>;
  /** JSON state returned by the previous `poll`/`wait-callback` result (poll, callback and cancel calls). */
  state?: unknown;
  /** The payload delivered to a waiting node (callback calls). */
  callbackData?: unknown;
  context: InvocationContext;
  /** Capabilities the operator approved for this plugin version; effective = declared ∩ approved. */
  approvedCapabilities: string[];
  signal?: AbortSignal;
}

/** A line the plugin logged through `host.log` (needs the `log` capability). */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** Milliseconds since the epoch. */
  at: number;
}

/** How a call ended. State is plain JSON kept by the engine, so a poll survives a core restart. */
export type InvokeResult =
  | { status: 'done'; outputs: Record<string, unknown>; logs: LogLine[] }
  | { status: 'poll'; state: unknown; delayMs: number; logs: LogLine[] }
  | { status: 'wait-callback'; state: unknown; multiple: boolean; logs: LogLine[] }
  | { status: 'failed'; error: { code: string; message: string }; logs: LogLine[] };

/** What a host service learns about the caller. */
export interface HostCallContext {
  plugin: { name: string; version: string };
  context: InvocationContext;
  signal: AbortSignal;
}

/**
 * Host services implemented by core. Each is reachable from plugin code only if the manifest
 * declares the capability and the operator approved it; a missing method makes the call fail
 * with `HOST_SERVICE_UNAVAILABLE`. Arguments arrive as untrusted JSON: validate them.
 */
export interface HostServices {
  agentExecute?(args: unknown, ctx: HostCallContext): Promise<unknown>;
  agentTransfer?(args: unknown, ctx: HostCallContext): Promise<unknown>;
  cmdbRead?(query: unknown, ctx: HostCallContext): Promise<unknown>;
  notifySend?(message: unknown, ctx: HostCallContext): Promise<unknown>;
  secretRead?(name: string, ctx: HostCallContext): Promise<string>;
}

/** Effective limits of one call, after the operator's caps. */
export interface EffectiveLimits {
  memoryMb: number;
  timeoutMs: number;
  outputBytes: number;
  hostCallsPerSecond: number;
}

/** The guest's answer, before the parent validates outputs. */
export type GuestOutcome =
  | { status: 'done'; outputs: unknown }
  | { status: 'poll'; state: unknown; delayMs: number }
  | { status: 'wait-callback'; state: unknown; multiple: boolean }
  | { status: 'failed'; error: { code: string; message: string } };

/** A guest's answer as it leaves an engine: the outcome, or its JSON text as the guest wrote it (parsed once, in core). */
export type WireOutcome = GuestOutcome | string;

/** A call as an engine inside the sandbox process sees it. */
export interface EngineCall {
  key: string;
  call: PluginCall;
  /** JSON of `{inputs, state, data, context}`, the guest's argument, encoded once in core. */
  payload: string;
  limits: EffectiveLimits;
  /** The plugin may log (its `log` capability was granted). */
  canLog: boolean;
  /** No other call was in flight in this sandbox process when this one started. */
  alone: boolean;
  /** Host API bridge: resolves with the JSON-able result or rejects with a coded error. */
  host(op: string, args: unknown): Promise<unknown>;
  log(level: string, message: unknown): void;
  signal: AbortSignal;
}

/** One kind of sandbox (isolate or wasm) inside a sandbox process. Swappable by design. */
export interface SandboxEngine {
  /** Prepares (compiles, checks) a plugin version; cheap if already loaded. Throws a coded error if refused. */
  load(key: string, code: string | Uint8Array, limits: EffectiveLimits): Promise<void>;
  invoke(call: EngineCall): Promise<WireOutcome>;
  unload(key: string): Promise<void>;
  /** Loaded plugin versions and live sandboxes, for stats. */
  stats(): { loaded: number; live: number };
  close(): Promise<void>;
}
