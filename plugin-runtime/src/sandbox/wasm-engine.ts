import type { CallContext, Plugin } from '@extism/extism';
import { ErrorCode, PluginRuntimeError, toCoded } from '../errors.js';
import type { EffectiveLimits, EngineCall, GuestOutcome, SandboxEngine } from '../interface.js';
import { checkWasmModule, WASM_HOST_FUNCTION, WASM_HOST_MODULE } from './wasm-module-check.js';

type CreatePlugin = typeof import('@extism/extism').createPlugin;

interface LoadedWasm {
  module: WebAssembly.Module;
  memoryMb: number;
  exports: Set<string>;
  idle: Plugin[];
  /** A spare worker still starting; a call that finds no idle worker claims it rather than start another. */
  starting?: { plugin: Promise<Plugin>; claimed: boolean };
}

const decoder = new TextDecoder();
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as unknown as Console;
const denyFetch = (async () => {
  throw new Error('wasm plugins reach the network only through the Opsloom host function');
}) as typeof fetch;

/**
 * Runs wasm plugins with Extism in worker mode: each plugin instance lives in its own worker
 * thread, so a call past its deadline is stopped by terminating that worker. Modules are checked
 * (imports, memory maximum) and compiled once per plugin version; instances are reused.
 */
export class WasmEngine implements SandboxEngine {
  readonly #plugins = new Map<string, LoadedWasm>();
  /** Calls in flight, by the id Extism hands back to the host function. */
  readonly #calls = new Map<number, EngineCall>();
  #nextCall = 1;
  #live = 0;
  #create: CreatePlugin | undefined;

  constructor(private readonly options: { idlePerPlugin: number; maxLoaded: number }) {}

  async load(key: string, code: string | Uint8Array, limits: EffectiveLimits): Promise<void> {
    if (this.#plugins.has(key)) return;
    if (typeof code === 'string') throw new PluginRuntimeError(ErrorCode.PluginInvalid, 'a wasm plugin must be module bytes');
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(code as Uint8Array<ArrayBuffer>);
    } catch (err) {
      throw new PluginRuntimeError(ErrorCode.WasmRefused, `not a valid wasm module: ${(err as Error).message}`);
    }
    checkWasmModule(code, module, limits.memoryMb);
    this.#plugins.set(key, { module, memoryMb: limits.memoryMb, exports: new Set(WebAssembly.Module.exports(module).map((e) => e.name)), idle: [] });
    while (this.#plugins.size > this.options.maxLoaded) await this.unload(this.#plugins.keys().next().value as string);
  }

  has(key: string): boolean {
    return this.#plugins.has(key);
  }

  async invoke(call: EngineCall): Promise<GuestOutcome> {
    const loaded = this.#plugins.get(call.key);
    if (!loaded) throw new PluginRuntimeError('NEED_CODE', 'plugin version not loaded');
    const exportName = call.call;
    if (!loaded.exports.has(exportName)) {
      // A module without `cancel` started nothing it could stop.
      if (exportName === 'cancel') return { status: 'done', outputs: {} };
      return { status: 'failed', error: { code: ErrorCode.PluginInvalid, message: `the wasm module does not export "${exportName}"` } };
    }
    const callId = this.#nextCall++;
    this.#calls.set(callId, call);
    const held: { plugin?: Plugin } = {};
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let healthy = false;
    let finished = false;
    // The deadline covers the whole call, including bringing up a worker if none is idle.
    const stopped = new Promise<GuestOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ status: 'failed', error: { code: ErrorCode.Timeout, message: `the plugin ran past its ${call.limits.timeoutMs} ms time limit and was stopped` } }), call.limits.timeoutMs);
      onAbort = () => resolve({ status: 'failed', error: { code: ErrorCode.Aborted, message: 'the call was cancelled' } });
      call.signal.addEventListener('abort', onAbort, { once: true });
    });
    const input = call.payload;
    const running = (async (): Promise<GuestOutcome> => {
      const plugin = loaded.idle.pop() ?? (await this.#claimOrStart(loaded));
      if (finished) {
        // The deadline passed while the worker was starting: do not run the call at all.
        void this.#close(plugin);
        return { status: 'failed', error: { code: ErrorCode.Timeout, message: 'stopped before it started' } };
      }
      held.plugin = plugin;
      const out = await held.plugin.call(exportName, input, callId);
      healthy = true;
      const bytes = out?.bytes() ?? new Uint8Array();
      if (bytes.byteLength > call.limits.outputBytes) {
        return { status: 'failed', error: { code: ErrorCode.OutputTooLarge, message: `the result exceeds the ${call.limits.outputBytes}-byte limit` } };
      }
      // A `cancel` export that returns without writing a result stopped the work: what it would
      // return is ignored anyway (as an isolate plugin's cancel() returning nothing).
      if (exportName === 'cancel' && bytes.byteLength === 0) return { status: 'done', outputs: {} };
      return parseOutcome(decoder.decode(bytes));
    })().catch((err: unknown): GuestOutcome => ({ status: 'failed', error: toCoded(err, ErrorCode.PluginError) }));
    try {
      return await Promise.race([running, stopped]);
    } finally {
      finished = true;
      clearTimeout(timer);
      if (onAbort) call.signal.removeEventListener('abort', onAbort);
      this.#calls.delete(callId);
      const current = this.#plugins.get(call.key) === loaded;
      const { plugin } = held;
      if (healthy && plugin && current && loaded.idle.length < this.options.idlePerPlugin) {
        loaded.idle.push(plugin);
      } else {
        // A call that did not finish cleanly may have left its worker spinning: terminate it
        // (or, if it was still starting, as soon as it is up), and bring up a spare off the call's path.
        if (plugin) void this.#close(plugin);
        // Starting a worker holds this thread a while: only after this call's result is on its way.
        if (current && !healthy && loaded.idle.length === 0) setImmediate(() => this.#spare(call.key, loaded));
      }
    }
  }

  #spare(key: string, loaded: LoadedWasm): void {
    if (loaded.starting) return;
    const starting = { plugin: this.#instantiate(loaded), claimed: false };
    loaded.starting = starting;
    starting.plugin.then(
      (p) => {
        if (loaded.starting === starting) loaded.starting = undefined;
        if (starting.claimed) return;
        if (this.#plugins.get(key) === loaded && loaded.idle.length < this.options.idlePerPlugin) loaded.idle.push(p);
        else void this.#close(p);
      },
      () => {
        if (loaded.starting === starting) loaded.starting = undefined;
      },
    );
  }

  /**
   * A worker for a call that found none idle: the spare already starting if there is one (a
   * worker takes tens of milliseconds of CPU to start; two at once slow each other and the
   * timers of calls in flight), else a new one.
   */
  #claimOrStart(loaded: LoadedWasm): Promise<Plugin> {
    const starting = loaded.starting;
    if (!starting) return this.#instantiate(loaded);
    starting.claimed = true;
    loaded.starting = undefined;
    return starting.plugin;
  }

  async unload(key: string): Promise<void> {
    const loaded = this.#plugins.get(key);
    if (!loaded) return;
    this.#plugins.delete(key);
    await Promise.all(loaded.idle.splice(0).map((p) => this.#close(p)));
  }

  stats(): { loaded: number; live: number } {
    return { loaded: this.#plugins.size, live: this.#live };
  }

  async close(): Promise<void> {
    for (const key of [...this.#plugins.keys()]) await this.unload(key);
  }

  async #instantiate(loaded: LoadedWasm): Promise<Plugin> {
    this.#create ??= (await import('@extism/extism')).createPlugin;
    const plugin = await this.#create({ wasm: [{ module: loaded.module }] }, {
      runInWorker: true,
      useWasi: false,
      allowedHosts: [],
      fetch: denyFetch,
      logger: silent,
      logLevel: 'silent',
      memory: { maxPages: Math.floor((loaded.memoryMb * 1024 * 1024) / 65536), maxHttpResponseBytes: 0, maxVarBytes: 1024 * 1024 },
      nodeWorkerArgs: { execArgv: [], resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 } },
      functions: { [WASM_HOST_MODULE]: { [WASM_HOST_FUNCTION]: (cc: CallContext, addr: bigint) => this.#hostCall(cc, addr) } },
    });
    this.#live++;
    return plugin;
  }

  async #close(plugin: Plugin): Promise<void> {
    this.#live--;
    await plugin.close().catch(() => undefined);
  }

  /** The one host function: never throws (a throw would kill the plugin's worker), answers JSON. */
  async #hostCall(cc: CallContext, addr: bigint): Promise<bigint> {
    const call = this.#calls.get(cc.hostContext<number>());
    let answer: unknown;
    try {
      if (!call) throw new PluginRuntimeError(ErrorCode.PluginError, 'host call outside a plugin call');
      const req = JSON.parse(cc.read(addr)?.text() ?? 'null') as { op?: unknown; args?: unknown; level?: unknown; message?: unknown } | null;
      if (!req || typeof req.op !== 'string') throw new PluginRuntimeError(ErrorCode.PluginError, 'host call expects JSON {"op": "...", "args": ...}');
      if (req.op === 'log') {
        call.log(typeof req.level === 'string' ? req.level : 'info', req.message ?? req.args);
        answer = { ok: true, value: null };
      } else {
        answer = { ok: true, value: await call.host(req.op, req.args) };
      }
    } catch (err) {
      answer = { ok: false, error: toCoded(err, ErrorCode.PluginError) };
    }
    return cc.store(JSON.stringify(answer));
  }
}

/**
 * Reads the wasm result envelope: `{"status":"done","outputs":{...}}`, `poll`, `wait-callback`, or
 * `{"status":"failed","error":{"code","message"}}` — a wasm plugin's way to fail with its own code,
 * as an isolate plugin throws an error with a `code` (an invalid code becomes PLUGIN_ERROR).
 */
function parseOutcome(text: string): GuestOutcome {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { status: 'failed', error: { code: ErrorCode.OutputInvalid, message: 'the wasm plugin did not return JSON' } };
  }
  if (v && v.status === 'done') return { status: 'done', outputs: v.outputs ?? {} };
  if (v && v.status === 'poll') return { status: 'poll', state: v.state ?? null, delayMs: typeof v.delayMs === 'number' ? v.delayMs : 1000 };
  if (v && v.status === 'wait-callback') return { status: 'wait-callback', state: v.state ?? null, multiple: v.multiple === true };
  if (v && v.status === 'failed') {
    const error = v.error as { message?: unknown } | null | undefined;
    if (error && typeof error === 'object' && typeof error.message === 'string') return { status: 'failed', error: toCoded(error, ErrorCode.PluginError) };
    return { status: 'failed', error: { code: ErrorCode.OutputInvalid, message: 'a failed result needs {"error": {"code": "SOME_CODE", "message": "..."}}' } };
  }
  return { status: 'failed', error: { code: ErrorCode.OutputInvalid, message: 'the wasm plugin must return {"status": "done" | "poll" | "wait-callback" | "failed", ...}' } };
}
