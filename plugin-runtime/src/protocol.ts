/**
 * Messages between the core process (parent) and a sandbox process (child), over fork IPC with
 * the `json` serialization: plugin data is plain JSON-able values only, and JSON framing measured
 * faster than structured clone for these messages (see the runtime bench's process hop).
 */
import { ErrorCode } from './errors.js';
import type { EffectiveLimits, GuestOutcome, LogLine, PluginCall, WireOutcome } from './interface.js';

/** Parent → child. */
export type ToSandbox =
  | {
      t: 'invoke';
      id: number;
      key: string;
      runtime: 'isolate' | 'wasm';
      /** Present the first time this process sees the plugin version: the script, or the wasm bytes in base64. */
      code?: string;
      call: PluginCall;
      /** JSON of `{inputs, state, data, context}`: passed to the guest as is. */
      payload: string;
      limits: EffectiveLimits;
      /** Effective capabilities; the parent re-checks every host call anyway. */
      capabilities: string[];
    }
  | { t: 'host-result'; id: number; callId: number; ok: true; value: unknown }
  | { t: 'host-result'; id: number; callId: number; ok: false; error: { code: string; message: string } }
  | { t: 'abort'; id: number }
  | { t: 'unload'; key: string };

/** Child → parent. */
export type FromSandbox =
  | { t: 'ready'; pid: number }
  | { t: 'host'; id: number; callId: number; op: string; args: unknown }
  | { t: 'result'; id: number; outcome: WireOutcome; logs: LogLine[] }
  | { t: 'stats'; loaded: number; live: number };

/** Host operations a guest can ask for, and the capability each needs (`http` is per origin). */
export const HOST_OPS = {
  'http.fetch': 'http',
  'agent.execute': 'agent.execute',
  'agent.transfer': 'agent.transfer',
  'cmdb.read': 'cmdb.read',
  'notify.send': 'notify.send',
  'secrets.read': 'secrets.read',
} as const;

/** A host operation name. */
export type HostOp = keyof typeof HOST_OPS;

/** The outcome of a result message; JSON text from the guest is parsed here, once. */
export function readOutcome(wire: WireOutcome): GuestOutcome {
  if (typeof wire !== 'string') return wire;
  try {
    return JSON.parse(wire) as GuestOutcome;
  } catch {
    return { status: 'failed', error: { code: ErrorCode.OutputInvalid, message: 'the plugin result is not JSON' } };
  }
}
