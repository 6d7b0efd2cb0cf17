import type ivm from 'isolated-vm';
import { ErrorCode } from '../errors.js';
import type { EffectiveLimits, EngineCall, WireOutcome } from '../interface.js';
import type { PreparedContext } from './isolate-context.js';

/** How a call went, for the engine's choice of route next time. */
export interface GuestCallReport {
  /** The guest's JSON text is passed on unparsed: core parses it once. */
  outcome: WireOutcome;
  /** The isolate hit a limit or was stopped: it must not be reused. */
  spent: boolean;
  /** CPU time the guest used in this call, in milliseconds. */
  cpuMs: number;
  /** CPU time the guest used while holding this thread on the fast route, in milliseconds. */
  heldMs: number;
}

const copyIn = { arguments: { copy: true }, result: { copy: true } } as const;
const copyOut = { result: { copy: true } } as const;
const promised = { result: { promise: true, copy: true } } as const;
/** Below this wall time a fast-route hold is not worth checking against the CPU clock. */
const QUICK_WALL_MS = 2;

/**
 * Runs one call on a prepared context.
 *
 * Fast route (`fast`): the guest entry runs on this thread with `applySync`; a plugin that
 * answers in its microtask checkpoint (no host call pending) is done with no thread hop. It holds
 * this thread while the guest runs, so the engine uses it only for plugins whose calls have been
 * quick; isolated-vm's own timer enforces the deadline meanwhile.
 * Async route: the entry runs on the isolate's thread. Either route continues asynchronously when
 * the guest is still waiting (on a host call), with the deadline and cancellation enforced here
 * by disposing the isolate.
 */
export async function runGuestCall(isolate: ivm.Isolate, prepared: PreparedContext, call: EngineCall, fast: boolean): Promise<GuestCallReport> {
  const { bridge } = prepared;
  const t0 = performance.now();
  const cpu0 = isolate.cpuTime;
  let heldMs = 0;
  let stopped: 'timeout' | 'aborted' | undefined;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = (why: 'timeout' | 'aborted'): void => {
    stopped ??= why;
    if (!isolate.isDisposed) isolate.dispose();
    wake?.();
  };
  const onAbort = (): void => stop('aborted');
  // From here on this thread is free while the guest runs or waits: enforce the deadline and cancellation here.
  const watch = (): void => {
    if (timer) return;
    timer = setTimeout(() => stop('timeout'), Math.max(0, call.limits.timeoutMs - (performance.now() - t0)));
    call.signal.addEventListener('abort', onAbort, { once: true });
    if (call.signal.aborted) stop('aborted');
  };
  bridge.call = call;
  bridge.received = 0;
  try {
    const args = ['start', call.call, call.payload, call.limits.outputBytes, call.canLog];
    let text: string;
    if (fast) {
      // This thread cannot run our timer meanwhile: isolated-vm's own timer bounds the guest's run.
      text = prepared.entry.applySync(undefined, args, { ...copyIn, timeout: call.limits.timeoutMs }) as string;
      if (text === '') text = prepared.entry.applySync(undefined, ['take'], copyOut) as string;
      heldMs = held(isolate, t0, cpu0);
    } else {
      watch();
      text = (await prepared.entry.apply(undefined, args, copyIn)) as string;
    }
    if (text === '') {
      watch();
      text = (await prepared.entry.apply(undefined, ['wait'], promised)) as string;
    }
    const cut = text.indexOf(';');
    const sent = Number(text.slice(0, cut));
    const json = text.slice(cut + 1);
    // Log lines are queued to this thread on their own: answer only once the last has arrived.
    if (bridge.received < sent) watch();
    while (bridge.received < sent && !stopped) await new Promise<void>((resolve) => (wake = bridge.onLog = resolve));
    const cpuMs = isolate.isDisposed ? Infinity : Number(isolate.cpuTime - cpu0) / 1e6;
    if (Buffer.byteLength(json) > call.limits.outputBytes) {
      return { outcome: { status: 'failed', error: { code: ErrorCode.OutputTooLarge, message: `the result exceeds the ${call.limits.outputBytes}-byte limit` } }, spent: false, cpuMs, heldMs };
    }
    return { outcome: json, spent: false, cpuMs, heldMs };
  } catch (err) {
    if (fast && heldMs === 0) heldMs = held(isolate, t0, cpu0);
    const error = explain(err, stopped, isolate, call.limits);
    // A guest stopped mid-run leaves its isolate in an unknown state: never reuse it.
    if (!isolate.isDisposed && error.code !== ErrorCode.PluginError) isolate.dispose();
    return { outcome: { status: 'failed', error }, spent: isolate.isDisposed, cpuMs: Infinity, heldMs };
  } finally {
    if (timer) {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', onAbort);
    }
    bridge.call = undefined;
    bridge.onLog = undefined;
  }
}

/**
 * How long the guest held this thread. Wall time is cheap and bounds it from above; only a long
 * hold is checked against the isolate's CPU clock, so a load spike elsewhere on the machine is not
 * mistaken for a slow plugin. A guest stopped at a limit held it all along.
 */
function held(isolate: ivm.Isolate, t0: number, cpu0: bigint): number {
  const wall = performance.now() - t0;
  if (wall <= QUICK_WALL_MS || isolate.isDisposed) return wall;
  return Number(isolate.cpuTime - cpu0) / 1e6;
}

function explain(err: unknown, stopped: 'timeout' | 'aborted' | undefined, isolate: ivm.Isolate, limits: EffectiveLimits): { code: string; message: string } {
  const message = (err as Error)?.message ?? String(err);
  if (stopped === 'timeout' || /timed out/i.test(message)) {
    return { code: ErrorCode.Timeout, message: `the plugin ran past its ${limits.timeoutMs} ms time limit and was stopped` };
  }
  if (stopped === 'aborted') return { code: ErrorCode.Aborted, message: 'the call was cancelled' };
  if (/memory limit/i.test(message) || isolate.isDisposed) {
    return { code: ErrorCode.MemoryLimit, message: `the plugin exceeded its ${limits.memoryMb} MB memory limit and was stopped` };
  }
  return { code: ErrorCode.PluginError, message: message.slice(0, 2000) };
}
