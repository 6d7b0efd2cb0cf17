import ivm from 'isolated-vm';
import { ErrorCode, PluginRuntimeError } from '../errors.js';
import type { EngineCall } from '../interface.js';

/** Routes a context's host References to the call currently using it (contexts are prepared ahead). */
export interface Bridge {
  call?: EngineCall;
  /** Log lines delivered for the current call; the guest reports how many it sent. */
  received: number;
  /** Set while the host waits for the call's last log lines. */
  onLog?: () => void;
}

/**
 * A fresh context with the bootstrap run in it and, once prepared for a plugin version, the
 * plugin's top-level code. The entry Reference stays on the host side only.
 */
export interface PreparedContext {
  context: ivm.Context;
  /** The bootstrap's entry function: `start`, `take` and `wait` steps (see guest-bootstrap.ts). */
  entry: ivm.Reference;
  bridge: Bridge;
}

/** A plugin version's compiled code, and the time limit of its top-level run in each context. */
export interface PluginScript {
  script: ivm.Script;
  timeoutMs: number;
}

/**
 * Creates a context, installs the host bridge, runs the bootstrap and, when given, the plugin's
 * top-level code. `sync` does it on this thread (no hops: for a call that is waiting). Otherwise
 * every step is queued to the isolate's own thread: a sync step would lock the isolate from this
 * thread, waiting out whatever the isolate is doing while a call that arrives meanwhile waits
 * too, and would run the scripts here.
 */
export async function freshContext(isolate: ivm.Isolate, bootstrap: ivm.Script, sync: boolean, plugin?: PluginScript): Promise<PreparedContext> {
  const context = sync ? isolate.createContextSync() : await isolate.createContext();
  const bridge: Bridge = { received: 0 };
  const hostRef = new ivm.Reference(async (op: string, json: string) => {
    try {
      if (!bridge.call) throw new PluginRuntimeError(ErrorCode.PluginError, 'host call outside a plugin call');
      return JSON.stringify({ ok: true, value: await bridge.call.host(op, JSON.parse(json)) });
    } catch (err) {
      const { code, message } = err as { code?: string; message?: string };
      return JSON.stringify({ ok: false, error: { code: code ?? ErrorCode.HostServiceFailed, message: message ?? String(err) } });
    }
  });
  const logRef = new ivm.Reference((level: string, message: string) => {
    if (!bridge.call) return;
    bridge.call.log(level, message);
    bridge.received++;
    bridge.onLog?.();
  });
  const jail = context.global;
  if (sync) {
    jail.setSync('__opsloom_host', hostRef);
    jail.setSync('__opsloom_log', logRef);
    const prepared = { context, entry: bootstrap.runSync(context, { reference: true }), bridge };
    return plugin ? runPluginScript(prepared, plugin, true) : prepared;
  }
  // Queued steps run in order: the bootstrap finds both References (a failed set shows as the
  // bootstrap failing) and the plugin's code runs after the bootstrap. Each awaited step costs
  // this thread ~20 µs and the context a round trip, hence Ignored sets and one wait for both runs.
  jail.setIgnored('__opsloom_host', hostRef);
  jail.setIgnored('__opsloom_log', logRef);
  const entry = bootstrap.run(context, { reference: true });
  if (!plugin) return { context, entry: await entry, bridge };
  const [ref] = await Promise.all([entry, plugin.script.run(context, { timeout: plugin.timeoutMs })]);
  return { context, entry: ref, bridge };
}

/** Runs the plugin's top-level code in a context made without it (bounded by the plugin's time limit). */
export async function runPluginScript(prepared: PreparedContext, plugin: PluginScript, sync: boolean): Promise<PreparedContext> {
  if (sync) plugin.script.runSync(prepared.context, { timeout: plugin.timeoutMs });
  else await plugin.script.run(prepared.context, { timeout: plugin.timeoutMs });
  return prepared;
}

/** Frees a context after its one call. */
export function releaseContext(prepared: PreparedContext): void {
  prepared.entry.release();
  prepared.context.release();
}
