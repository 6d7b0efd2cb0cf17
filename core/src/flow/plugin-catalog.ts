import type { JsonValue } from '../model/index.js';

/** A plugin version as the engine needs it: its mode and schemas come from the manifest. */
export interface PluginRef { name: string; version: string }

/**
 * What the flow domain asks of the plugin world: resolve a version range to the exact version a
 * task will pin, tell whether a version may run (installed and not disabled), and invoke it.
 * The registry and runtime issues provide the implementation; the engine knows only this.
 */
export interface PluginGateway {
  /** The exact version a range resolves to among runnable versions, or undefined. */
  resolve(name: string, range: string): Promise<string | undefined>;
  /** The newest online version of a plugin, whatever range a template names (for upgrade hints). */
  latest(name: string): Promise<string | undefined>;
  /**
   * What nodes' inputs already break of the inputs schema of the version `range` resolves to,
   * before any run (messages like `inputs.port must be integer`), one list per node given. `known`
   * holds a node's inputs whose value is known now; those in `open` hold expressions only a run can render.
   */
  inputProblems(name: string, range: string, nodes: readonly { known: Record<string, JsonValue>; open: ReadonlySet<string> }[]): Promise<string[][]>;
  /** Refuses (throws an AppError) when the version is unknown, not installed or disabled. */
  assertRunnable(ref: PluginRef): Promise<void>;
  invoke(request: PluginInvocation): Promise<PluginOutcome>;
}

export interface PluginInvocation {
  plugin: PluginRef;
  /** `cancel`: stop the remote work `state` stands for (poll and callback plugins; see AbandonedWork). */
  call: 'execute' | 'poll' | 'callback' | 'cancel';
  inputs: Record<string, JsonValue>;
  state?: JsonValue;
  callbackData?: JsonValue;
  context: { taskId: string; nodeId: string; projectId: string; attempt: number; operator: string };
  /** Stops the call; without it, it runs to its end or the plugin's time limit. */
  signal?: AbortSignal;
}

export interface PluginLog { at: number; level: string; message: string }

/** What a plugin call ended with (the runtime's InvokeResult). */
export type PluginOutcome =
  | { status: 'done'; outputs: Record<string, JsonValue>; logs: PluginLog[] }
  | { status: 'poll'; state: JsonValue; delayMs: number; logs: PluginLog[] }
  | { status: 'wait-callback'; state: JsonValue; multiple: boolean; logs: PluginLog[] }
  | { status: 'failed'; error: { code: string; message: string }; logs: PluginLog[] };
