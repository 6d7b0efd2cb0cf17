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
 * A fresh context with the bootstrap run in it (and, once {@link runPluginScript} ran, the
 * plugin's top-level code). The three entry References stay on the host side only.
 */
export interface PreparedContext {
  context: ivm.Context;
  start: ivm.Reference;
  take: ivm.Reference;
  wait: ivm.Reference;
  bridge: Bridge;
}

/**
 * Creates a context, installs the host bridge and runs the bootstrap. `sync` does it on this
 * thread (no hops: for a call that is waiting); otherwise context creation, the costly part,
 * runs on the isolate's own thread while this one serves other calls.
 */
export async function blankContext(isolate: ivm.Isolate, bootstrap: ivm.Script, sync: boolean): Promise<PreparedContext> {
  const context = sync ? isolate.createContextSync() : await isolate.createContext();
  const bridge: Bridge = { received: 0 };
  const jail = context.global;
  jail.setSync('__opsloom_host', new ivm.Reference(async (op: string, json: string) => {
    try {
      if (!bridge.call) throw new PluginRuntimeError(ErrorCode.PluginError, 'host call outside a plugin call');
      return JSON.stringify({ ok: true, value: await bridge.call.host(op, JSON.parse(json)) });
    } catch (err) {
      const { code, message } = err as { code?: string; message?: string };
      return JSON.stringify({ ok: false, error: { code: code ?? ErrorCode.HostServiceFailed, message: message ?? String(err) } });
    }
  }));
  jail.setSync('__opsloom_log', new ivm.Reference((level: string, message: string) => {
    if (!bridge.call) return;
    bridge.call.log(level, message);
    bridge.received++;
    bridge.onLog?.();
  }));
  bootstrap.runSync(context);
  const entry = jail.getSync('__opsloom_entry', { reference: true }) as ivm.Reference;
  jail.deleteSync('__opsloom_entry');
  const fn = (name: string): ivm.Reference => entry.getSync(name, { reference: true }) as ivm.Reference;
  const prepared = { context, start: fn('start'), take: fn('take'), wait: fn('wait'), bridge };
  entry.release();
  return prepared;
}

/** Runs the plugin's top-level code in a blank context (bounded by the plugin's time limit). */
export async function runPluginScript(prepared: PreparedContext, script: ivm.Script, timeoutMs: number, sync: boolean): Promise<PreparedContext> {
  if (sync) script.runSync(prepared.context, { timeout: timeoutMs });
  else await script.run(prepared.context, { timeout: timeoutMs });
  return prepared;
}

/** Frees a context after its one call. */
export function releaseContext(prepared: PreparedContext): void {
  prepared.start.release();
  prepared.take.release();
  prepared.wait.release();
  prepared.context.release();
}
