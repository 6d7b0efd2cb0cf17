import { ErrorCode, toCoded } from '../errors.js';
import type { EngineCall, LogLine, SandboxEngine, WireOutcome } from '../interface.js';
import type { FromSandbox, ToSandbox } from '../protocol.js';

const MAX_LOG_LINES = 1000;
const MAX_LOG_CHARS = 8192;
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

/** An engine as the dispatcher uses it. */
export type DispatchedEngine = SandboxEngine & { has(key: string): boolean };

/**
 * The sandbox side of the protocol: turns messages from core into engine calls and answers with
 * results and host-call requests. Knows nothing of the transport, so it runs the same in the
 * sandbox process (main.ts) and, for measuring, in a bench.
 */
export class SandboxDispatcher {
  readonly #pendingHost = new Map<number, Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>>();
  readonly #aborts = new Map<number, LazyAbort>();
  #nextHostCall = 1;

  constructor(
    private readonly engines: Record<'isolate' | 'wasm', DispatchedEngine>,
    private readonly send: (m: FromSandbox) => void,
  ) {}

  /** Handles one message from core. */
  handle(m: ToSandbox): void {
    switch (m.t) {
      case 'invoke':
        void this.#invoke(m);
        break;
      case 'host-result': {
        const calls = this.#pendingHost.get(m.id);
        const p = calls?.get(m.callId);
        if (!p) return;
        calls!.delete(m.callId);
        if (m.ok) p.resolve(m.value);
        else p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
        break;
      }
      case 'abort':
        this.#aborts.get(m.id)?.abort();
        break;
      case 'unload':
        void this.engines.isolate.unload(m.key);
        void this.engines.wasm.unload(m.key);
        break;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.engines.isolate.close(), this.engines.wasm.close()]);
  }

  async #invoke(m: Extract<ToSandbox, { t: 'invoke' }>): Promise<void> {
    const logs: LogLine[] = [];
    const abort = new LazyAbort();
    const alone = this.#aborts.size === 0;
    this.#aborts.set(m.id, abort);
    const hostCalls = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
    this.#pendingHost.set(m.id, hostCalls);
    const canLog = m.capabilities.includes('log');
    const call: EngineCall = {
      key: m.key,
      call: m.call,
      payload: m.payload,
      limits: m.limits,
      canLog,
      alone,
      get signal() {
        return abort.signal;
      },
      host: (op, args) =>
        new Promise((resolve, reject) => {
          const callId = this.#nextHostCall++;
          hostCalls.set(callId, { resolve, reject });
          this.send({ t: 'host', id: m.id, callId, op, args });
        }),
      log: (level, message) => {
        if (!canLog || logs.length >= MAX_LOG_LINES) return;
        const text = typeof message === 'string' ? message : JSON.stringify(message) ?? String(message);
        logs.push({ level: LEVELS.has(level) ? (level as LogLine['level']) : 'info', message: text.slice(0, MAX_LOG_CHARS), at: Date.now() });
      },
    };
    let outcome: WireOutcome;
    try {
      const engine = this.engines[m.runtime];
      if (!engine.has(m.key) && m.code === undefined) {
        outcome = { status: 'failed', error: { code: 'NEED_CODE', message: 'plugin version not loaded in this sandbox' } };
      } else {
        if (!engine.has(m.key)) await engine.load(m.key, m.runtime === 'wasm' ? Buffer.from(m.code as string, 'base64') : (m.code as string), m.limits);
        outcome = await engine.invoke(call);
      }
    } catch (err) {
      outcome = { status: 'failed', error: toCoded(err, ErrorCode.PluginError) };
    } finally {
      this.#aborts.delete(m.id);
      this.#pendingHost.delete(m.id);
      for (const p of hostCalls.values()) p.reject(new Error('call finished'));
    }
    this.send({ t: 'result', id: m.id, outcome, logs });
  }
}

/**
 * An abort controller made on first use: the fast route never looks at the signal, and making
 * one per call (and its abort reason) is a measurable share of a warm call.
 */
class LazyAbort {
  #controller?: AbortController;
  #aborted = false;

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  abort(): void {
    this.#aborted = true;
    this.#controller?.abort();
  }
}
