/**
 * `@opsloom/plugin-sdk`: the guest API of isolate plugins. Dependency-free: esbuild bundles it
 * into the plugin script, which runs inside a V8 isolate with no Node APIs.
 * @example
 * import { definePlugin } from '@opsloom/plugin-sdk';
 * export default definePlugin({ async execute(inputs, ctx) { ctx.log('hi'); return { ok: true }; } });
 */
export type { SchemaType, JsonSchemaLike } from './schema-types.js';

/** A line for the task log (needs the `log` capability). */
export interface PluginLog {
  (...parts: unknown[]): void;
  debug(...parts: unknown[]): void;
  info(...parts: unknown[]): void;
  warn(...parts: unknown[]): void;
  error(...parts: unknown[]): void;
}

/** The response `host.http.fetch` resolves with; the body is read in full (capped by the operator). */
export interface HostHttpResponse {
  status: number;
  ok: boolean;
  headers: Record<string, string>;
  body: string;
  url: string;
  text(): string;
  json<T = unknown>(): T;
}

/** The host API: the only way out of the sandbox. Each door needs its capability in the manifest. */
export interface HostApi {
  /** Needs `http:<origin>` for the URL's origin. Redirects to other origins are refused. */
  http: { fetch(url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<HostHttpResponse> };
  /** Needs `agent.execute` / `agent.transfer`. */
  agent: { execute(args: unknown): Promise<unknown>; transfer(args: unknown): Promise<unknown> };
  /** Needs `cmdb.read`. */
  cmdb: { read(query: unknown): Promise<unknown> };
  /** Needs `notify.send`. */
  notify: { send(message: unknown): Promise<unknown> };
  /** Needs `secrets.read:<name>` for that name. */
  secrets: { read(name: string): Promise<string> };
  /** Needs `log`. */
  log: PluginLog;
}

/** What a call ends with when it does not return outputs directly. Made by `ctx.poll` / `ctx.waitCallback`. */
export interface Deferral {
  readonly __deferral: 'poll' | 'wait-callback';
}

/** The per-call context: where the call runs, and how to defer completion. */
export interface PluginContext {
  taskId: string;
  nodeId: string;
  projectId: string;
  attempt: number;
  [key: string]: unknown;
  log: PluginLog;
  /** Finish later: `poll(state, ctx)` is called after `delayMs` with this JSON state. */
  poll(state: unknown, delayMs: number): Deferral;
  /** Wait for callbacks: `callback(state, data, ctx)` receives each one. */
  waitCallback(state: unknown, options?: { multiple?: boolean }): Deferral;
}

type Result<O> = O | Deferral | Promise<O | Deferral>;

/**
 * A plugin: `execute`, plus `poll` (mode poll) or `callback` (mode callback), and for those two
 * modes `cancel` if the plugin starts remote work that can be stopped.
 */
export interface PluginDefinition<I = Record<string, unknown>, O = Record<string, unknown>, S = unknown> {
  execute(inputs: I, ctx: PluginContext): Result<O>;
  poll?(state: S, ctx: PluginContext): Result<O>;
  callback?(state: S, data: unknown, ctx: PluginContext): Result<O>;
  /**
   * The engine gave up on the remote work `state` stands for (the last state given to `ctx.poll` or
   * `ctx.waitCallback`): the task was revoked, the node forced to fail, or the attempt timed out
   * while the node waited. Stop that work. Called once, best effort, so it must be idempotent and
   * quick; what it returns is ignored, and a throw is only logged on the node.
   * @example async cancel(state) { await host.agent.execute({ action: 'cancel', jobId: state.jobId }); }
   */
  cancel?(state: S, ctx: PluginContext): void | Promise<void>;
}

/**
 * Declares a plugin; the bundle's default export. Returns its argument: the types are the point.
 * @example export default definePlugin<{ host: string }, { up: boolean }>({ execute: async ({ host }) => ({ up: true }) });
 */
export function definePlugin<I = Record<string, unknown>, O = Record<string, unknown>, S = unknown>(definition: PluginDefinition<I, O, S>): PluginDefinition<I, O, S> {
  return definition;
}

/** The host API object of the sandbox (a global there; undefined outside a sandbox). */
export const host: HostApi = (globalThis as unknown as { host: HostApi }).host;
export { PluginFailure } from './plugin-failure.js';
