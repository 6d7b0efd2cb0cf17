/**
 * Entry of a sandbox process (forked by the pool with --no-node-snapshot). Hosts the isolate and
 * wasm engines; plugin code runs only here. Talks to the core process over IPC only.
 */
import { ErrorCode, toCoded } from '../errors.js';
import type { EngineCall, GuestOutcome, LogLine, SandboxEngine } from '../interface.js';
import type { FromSandbox, ToSandbox } from '../protocol.js';
import { IsolateEngine } from './isolate-engine.js';
import { WasmEngine } from './wasm-engine.js';

const MAX_LOG_LINES = 1000;
const MAX_LOG_CHARS = 8192;
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

const send = (m: FromSandbox): void => {
  process.send?.(m);
};
const settings = JSON.parse(process.env.OPSLOOM_SANDBOX_SETTINGS ?? '{}') as { idlePerPlugin?: number; maxLoaded?: number; maxIdleTotal?: number };
const engineOptions = { idlePerPlugin: settings.idlePerPlugin ?? 2, maxLoaded: settings.maxLoaded ?? 2000, maxIdleTotal: settings.maxIdleTotal ?? 256 };
const engines: Record<'isolate' | 'wasm', SandboxEngine & { has(key: string): boolean }> = {
  isolate: new IsolateEngine(engineOptions),
  wasm: new WasmEngine(engineOptions),
};
const pendingHost = new Map<string, { resolve(v: unknown): void; reject(e: unknown): void }>();
const aborts = new Map<number, AbortController>();
let nextHostCall = 1;

async function invoke(m: Extract<ToSandbox, { t: 'invoke' }>): Promise<void> {
  const logs: LogLine[] = [];
  const abort = new AbortController();
  aborts.set(m.id, abort);
  const canLog = m.capabilities.includes('log');
  const call: EngineCall = {
    key: m.key,
    call: m.call,
    inputs: m.inputs,
    state: m.state,
    callbackData: m.callbackData,
    context: m.context,
    limits: m.limits,
    signal: abort.signal,
    host: (op, args) =>
      new Promise((resolve, reject) => {
        const callId = nextHostCall++;
        pendingHost.set(`${m.id}:${callId}`, { resolve, reject });
        send({ t: 'host', id: m.id, callId, op, args });
      }),
    log: (level, message) => {
      if (!canLog || logs.length >= MAX_LOG_LINES) return;
      const text = typeof message === 'string' ? message : JSON.stringify(message) ?? String(message);
      logs.push({ level: LEVELS.has(level) ? (level as LogLine['level']) : 'info', message: text.slice(0, MAX_LOG_CHARS), at: Date.now() });
    },
  };
  let outcome: GuestOutcome;
  try {
    const engine = engines[m.runtime];
    if (!engine.has(m.key) && m.code === undefined) {
      outcome = { status: 'failed', error: { code: 'NEED_CODE', message: 'plugin version not loaded in this sandbox' } };
    } else {
      if (!engine.has(m.key)) await engine.load(m.key, m.code as string | Uint8Array, m.limits);
      outcome = await engine.invoke(call);
    }
  } catch (err) {
    outcome = { status: 'failed', error: toCoded(err, ErrorCode.PluginError) };
  } finally {
    aborts.delete(m.id);
    for (const [k, p] of pendingHost) {
      if (k.startsWith(`${m.id}:`)) {
        pendingHost.delete(k);
        p.reject(new Error('call finished'));
      }
    }
  }
  send({ t: 'result', id: m.id, outcome, logs });
}

process.on('message', (m: ToSandbox) => {
  switch (m.t) {
    case 'invoke':
      void invoke(m);
      break;
    case 'host-result': {
      const p = pendingHost.get(`${m.id}:${m.callId}`);
      if (!p) return;
      pendingHost.delete(`${m.id}:${m.callId}`);
      if (m.ok) p.resolve(m.value);
      else p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      break;
    }
    case 'abort':
      aborts.get(m.id)?.abort();
      break;
    case 'unload':
      void engines.isolate.unload(m.key);
      void engines.wasm.unload(m.key);
      break;
  }
});
// The parent going away means nobody will read our results: leave with it.
process.on('disconnect', () => {
  process.exit(0);
});
send({ t: 'ready', pid: process.pid });
