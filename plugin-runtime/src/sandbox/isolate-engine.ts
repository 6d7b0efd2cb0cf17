import ivm from 'isolated-vm';
import { ErrorCode, PluginRuntimeError } from '../errors.js';
import type { EffectiveLimits, EngineCall, GuestOutcome, SandboxEngine } from '../interface.js';
import { GUEST_BOOTSTRAP } from './guest-bootstrap.js';

/** Routes a context's host References to the call currently using it (contexts are prepared ahead). */
interface Bridge {
  call?: EngineCall;
}

/** A fresh context with the bootstrap and the plugin's top-level code already run in it. */
interface PreparedContext {
  context: ivm.Context;
  entry: ivm.Reference;
  bridge: Bridge;
}

/** An isolate ready for calls: the bootstrap and plugin script compiled into it, the next context prepared. */
interface WarmIsolate {
  isolate: ivm.Isolate;
  bootstrap: ivm.Script;
  script: ivm.Script;
  next?: Promise<PreparedContext>;
  /** Set once `next` has resolved: a call can take this isolate without waiting. */
  nextReady?: boolean;
}

/** A loaded plugin version: its code, V8's code cache for it, and idle isolates to reuse. */
interface LoadedPlugin {
  code: string;
  memoryMb: number;
  timeoutMs: number;
  cachedData?: ivm.ExternalCopy<ArrayBuffer>;
  idle: WarmIsolate[];
}

/** Released contexts are freed only by V8's GC: retire an isolate whose heap passes this share of its limit. */
const RETIRE_HEAP_SHARE = 0.5;

/**
 * Runs isolate plugins. Isolates are pooled per plugin version and reused between calls (one call
 * at a time per isolate, a fresh context per call); compiled code is cached per plugin version.
 * An isolate that hit a limit is disposed, never reused.
 */
export class IsolateEngine implements SandboxEngine {
  readonly #plugins = new Map<string, LoadedPlugin>();
  #live = 0;

  constructor(private readonly options: { idlePerPlugin: number; maxLoaded: number; maxIdleTotal: number }) {}

  async load(key: string, code: string | Uint8Array, limits: EffectiveLimits): Promise<void> {
    const existing = this.#plugins.get(key);
    if (existing) {
      this.#plugins.delete(key);
      this.#plugins.set(key, existing);
      return;
    }
    if (typeof code !== 'string') throw new PluginRuntimeError(ErrorCode.PluginInvalid, 'an isolate plugin must be a JavaScript bundle');
    const plugin: LoadedPlugin = { code, memoryMb: limits.memoryMb, timeoutMs: limits.timeoutMs, idle: [] };
    this.#plugins.set(key, plugin);
    // Compile once now: a syntax error is reported at load, and the isolate is kept warm for the first call.
    plugin.idle.push(this.#warm(plugin));
    while (this.#plugins.size > this.options.maxLoaded) {
      const oldest = this.#plugins.keys().next().value as string;
      await this.unload(oldest);
    }
  }

  has(key: string): boolean {
    return this.#plugins.has(key);
  }

  async invoke(call: EngineCall): Promise<GuestOutcome> {
    const plugin = this.#plugins.get(call.key);
    if (!plugin) throw new PluginRuntimeError('NEED_CODE', 'plugin version not loaded');
    // Most recently used last: idle isolates are trimmed from the front.
    this.#plugins.delete(call.key);
    this.#plugins.set(call.key, plugin);
    // Prefer an isolate whose next context is already prepared; keep a spare warming for hot plugins.
    const ready = plugin.idle.findIndex((w) => w.nextReady);
    const warm = (ready >= 0 ? plugin.idle.splice(ready, 1)[0] : plugin.idle.pop()) ?? this.#warm(plugin);
    warm.nextReady = false;
    if (plugin.idle.length === 0) setImmediate(() => this.#spare(plugin, call.key));
    const { isolate } = warm;
    let stopped: 'timeout' | 'aborted' | undefined;
    const stop = (why: 'timeout' | 'aborted'): void => {
      stopped ??= why;
      if (!isolate.isDisposed) isolate.dispose();
    };
    const timer = setTimeout(() => stop('timeout'), call.limits.timeoutMs);
    const onAbort = (): void => stop('aborted');
    call.signal.addEventListener('abort', onAbort, { once: true });
    const pending = warm.next ?? this.#prepare(warm, plugin.timeoutMs);
    warm.next = undefined;
    let prepared: PreparedContext | undefined;
    try {
      prepared = await pending;
      prepared.bridge.call = call;
      const payload = JSON.stringify({ inputs: call.inputs, state: call.state, data: call.callbackData, context: call.context });
      const text = (await prepared.entry.apply(undefined, [call.call, payload, call.limits.outputBytes], {
        arguments: { copy: true },
        result: { promise: true, copy: true },
      })) as string;
      if (Buffer.byteLength(text) > call.limits.outputBytes) {
        return { status: 'failed', error: { code: ErrorCode.OutputTooLarge, message: `the result exceeds the ${call.limits.outputBytes}-byte limit` } };
      }
      return JSON.parse(text) as GuestOutcome;
    } catch (err) {
      return { status: 'failed', error: this.#explain(err, stopped, isolate, call.limits) };
    } finally {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', onAbort);
      if (prepared) prepared.bridge.call = undefined;
      this.#afterCall(plugin, warm, prepared, call.key);
    }
  }

  /** Returns a healthy isolate to the pool and prepares its next context off the call's path. */
  #afterCall(plugin: LoadedPlugin, warm: WarmIsolate, used: PreparedContext | undefined, key: string): void {
    const { isolate } = warm;
    if (isolate.isDisposed) {
      this.#live--;
      return;
    }
    if (used) {
      used.entry.release();
      used.context.release();
    }
    const heap = isolate.getHeapStatisticsSync();
    const keep = plugin.idle.length < this.options.idlePerPlugin && this.#plugins.get(key) === plugin
      && heap.used_heap_size < RETIRE_HEAP_SHARE * plugin.memoryMb * 1024 * 1024;
    if (!keep) return this.#dispose(warm);
    plugin.idle.push(warm);
    this.#trimIdle(plugin);
    setImmediate(() => {
      if (!isolate.isDisposed && warm.next === undefined && plugin.idle.includes(warm)) this.#prepareNext(warm, plugin);
    });
  }

  #prepareNext(warm: WarmIsolate, plugin: LoadedPlugin): void {
    warm.next = this.#prepare(warm, plugin.timeoutMs);
    warm.next.then(() => { warm.nextReady = true; }, () => undefined);
  }

  /** A second warm isolate for a plugin that is being called, so back-to-back calls alternate between prepared contexts. */
  #spare(plugin: LoadedPlugin, key: string): void {
    if (this.#plugins.get(key) !== plugin || plugin.idle.length > 0 || plugin.idle.length >= this.options.idlePerPlugin) return;
    let spare: WarmIsolate;
    try {
      spare = this.#warm(plugin);
    } catch {
      return;
    }
    this.#prepareNext(spare, plugin);
    plugin.idle.push(spare);
    this.#trimIdle(plugin);
  }

  /**
   * Keeps at most `maxIdleTotal` idle isolates in this process: the least recently used plugin
   * versions lose theirs (their compiled code cache stays, so their next call only pays an isolate).
   */
  #trimIdle(current: LoadedPlugin): void {
    let idle = 0;
    for (const p of this.#plugins.values()) idle += p.idle.length;
    for (const p of this.#plugins.values()) {
      if (idle <= this.options.maxIdleTotal) return;
      if (p === current) continue;
      idle -= p.idle.length;
      for (const w of p.idle.splice(0)) this.#dispose(w);
    }
  }

  /** A fresh context: host bridge installed, bootstrap and the plugin's top-level code run. */
  async #prepare(warm: WarmIsolate, timeoutMs: number): Promise<PreparedContext> {
    const context = await warm.isolate.createContext();
    const bridge: Bridge = {};
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
    jail.setSync('__opsloom_log', new ivm.Reference((level: string, message: string) => bridge.call?.log(level, message)));
    warm.bootstrap.runSync(context);
    const entry = jail.getSync('__opsloom_invoke', { reference: true }) as ivm.Reference;
    jail.deleteSync('__opsloom_invoke');
    await warm.script.run(context, { timeout: timeoutMs });
    return { context, entry, bridge };
  }

  async unload(key: string): Promise<void> {
    const plugin = this.#plugins.get(key);
    if (!plugin) return;
    this.#plugins.delete(key);
    for (const w of plugin.idle.splice(0)) this.#dispose(w);
    plugin.cachedData?.release();
  }

  stats(): { loaded: number; live: number } {
    return { loaded: this.#plugins.size, live: this.#live };
  }

  async close(): Promise<void> {
    for (const key of [...this.#plugins.keys()]) await this.unload(key);
  }

  #warm(plugin: LoadedPlugin): WarmIsolate {
    const isolate = new ivm.Isolate({ memoryLimit: plugin.memoryMb });
    this.#live++;
    try {
      const bootstrap = isolate.compileScriptSync(GUEST_BOOTSTRAP, { filename: 'opsloom:bootstrap' });
      let script: ivm.Script;
      if (plugin.cachedData) {
        script = isolate.compileScriptSync(plugin.code, { filename: 'plugin.js', cachedData: plugin.cachedData });
      } else {
        script = isolate.compileScriptSync(plugin.code, { filename: 'plugin.js', produceCachedData: true });
        plugin.cachedData = (script as ivm.Script & ivm.CachedDataResult).cachedData;
      }
      return { isolate, bootstrap, script };
    } catch (err) {
      this.#live--;
      isolate.dispose();
      throw new PluginRuntimeError(ErrorCode.PluginInvalid, `plugin code does not compile: ${(err as Error).message}`);
    }
  }

  #dispose(w: WarmIsolate): void {
    if (!w.isolate.isDisposed) w.isolate.dispose();
    this.#live--;
  }

  #explain(err: unknown, stopped: 'timeout' | 'aborted' | undefined, isolate: ivm.Isolate, limits: EffectiveLimits): { code: string; message: string } {
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
}
