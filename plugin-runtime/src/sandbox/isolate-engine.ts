import type ivm from 'isolated-vm';
import { ErrorCode, PluginRuntimeError } from '../errors.js';
import type { EffectiveLimits, EngineCall, SandboxEngine, WireOutcome } from '../interface.js';
import { BlankIsolates } from './blank-isolates.js';
import { runGuestCall } from './guest-call.js';
import { freshContext, releaseContext, runPluginScript, type PluginScript, type PreparedContext } from './isolate-context.js';
import { RecentPeak } from './recent-peak.js';

/** An isolate ready for calls: the bootstrap and plugin script compiled into it, the next context prepared. */
interface WarmIsolate {
  isolate: ivm.Isolate;
  bootstrap: ivm.Script;
  plugin: PluginScript;
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
  /** Its last call was quick: the next one may take the fast route (see guest-call.ts). */
  quick: boolean;
  /** Calls so far. */
  calls: number;
  /** Its code compiled once already (the next compile makes the code cache). */
  compiled: boolean;
  /** A fast-route call once held the thread too long: this version keeps to the async route. */
  struck: boolean;
  /** Its calls running guest code now (a call waiting on a host call does not count). */
  busy: number;
  /** Calls waiting for one of its isolates to come back (see REUSE_WAIT_MS). */
  waiters: ((warm: WarmIsolate | undefined) => void)[];
  /** Isolates its calls held at once lately: that many are kept idle between bursts (see PEAK_WINDOW_MS). */
  holding: RecentPeak;
}

/** Released contexts are freed only by V8's GC: retire an isolate whose heap passes this share of its limit. */
const RETIRE_HEAP_SHARE = 0.5;
/** A call using at most this much guest CPU counts as quick. */
const QUICK_CPU_MS = 2;
/** A fast-route call holding the thread longer than this strikes its plugin version off the fast route. */
const STRIKE_MS = 20;
/** Blank isolates kept ready per memory limit for first calls. */
const BLANK_PER_LIMIT = 2;
/**
 * With this many calls of a version running guest code and no idle isolate, a further call waits
 * up to REUSE_WAIT_MS for one to come back rather than making an isolate: under a burst of
 * concurrent calls, isolates made per call and thrown away after cost more CPU than the calls.
 */
const BUSY_BEFORE_NEW_ISOLATE = 2;
const REUSE_WAIT_MS = 25;
/**
 * A version keeps as many idle isolates as its calls held at once in the last one to two windows
 * of this length (at least `idlePerPlugin`): under sustained concurrency, isolates beyond
 * `idlePerPlugin` thrown away after each burst were made again for the next one, each costing
 * milliseconds. Once the bursts stop, a timer trims the surplus, since idle isolates cost memory.
 */
const PEAK_WINDOW_MS = 2000;

/**
 * Runs isolate plugins. Isolates are pooled per plugin version and reused between calls (one call
 * at a time per isolate, a fresh context per call, prepared ahead); compiled code is cached per
 * plugin version; first calls take a blank isolate made ahead. An isolate that hit a limit is
 * disposed, never reused.
 */
export class IsolateEngine implements SandboxEngine {
  readonly #plugins = new Map<string, LoadedPlugin>();
  readonly #blank = new BlankIsolates(BLANK_PER_LIMIT, () => this.#inFlight > 0);
  #live = 0;
  #inFlight = 0;
  /** Versions keeping more than `idlePerPlugin` idle isolates, and the timer that trims them after their burst. */
  readonly #surplus = new Set<LoadedPlugin>();
  #trimTimer: NodeJS.Timeout | undefined;

  /** @param options.peakWindowMs see PEAK_WINDOW_MS (tests shorten it). */
  constructor(private readonly options: { idlePerPlugin: number; maxLoaded: number; maxIdleTotal: number; peakWindowMs?: number }) {}

  async load(key: string, code: string | Uint8Array, limits: EffectiveLimits): Promise<void> {
    const existing = this.#plugins.get(key);
    if (existing) {
      this.#plugins.delete(key);
      this.#plugins.set(key, existing);
      return;
    }
    if (typeof code !== 'string') throw new PluginRuntimeError(ErrorCode.PluginInvalid, 'an isolate plugin must be a JavaScript bundle');
    const plugin: LoadedPlugin = { code, memoryMb: limits.memoryMb, timeoutMs: limits.timeoutMs, idle: [], calls: 0, compiled: false, quick: false, struck: false, busy: 0, waiters: [], holding: new RecentPeak(this.options.peakWindowMs ?? PEAK_WINDOW_MS) };
    // Compile now: a syntax error is reported at load, and the isolate is kept warm for the first call.
    const warm = this.#warm(plugin);
    this.#plugins.set(key, plugin);
    plugin.idle.push(warm);
    while (this.#plugins.size > this.options.maxLoaded) {
      const oldest = this.#plugins.keys().next().value as string;
      await this.unload(oldest);
    }
  }

  has(key: string): boolean {
    return this.#plugins.has(key);
  }

  async invoke(call: EngineCall): Promise<WireOutcome> {
    const plugin = this.#plugins.get(call.key);
    if (!plugin) throw new PluginRuntimeError('NEED_CODE', 'plugin version not loaded');
    // Most recently used last: idle isolates are trimmed from the front.
    this.#plugins.delete(call.key);
    this.#plugins.set(call.key, plugin);
    plugin.calls++;
    // Prefer an isolate whose next context is already prepared; keep a spare warming for hot plugins.
    const ready = plugin.idle.findIndex((w) => w.nextReady);
    let taken = ready >= 0 ? plugin.idle.splice(ready, 1)[0] : plugin.idle.pop();
    if (!taken && plugin.busy >= BUSY_BEFORE_NEW_ISOLATE) taken = await this.#awaitReturn(plugin);
    const warm = taken ?? this.#warm(plugin);
    warm.nextReady = false;
    plugin.holding.enter();
    // Guest code running, not waiting on the host, is what the busy count measures.
    plugin.busy++;
    const host = call.host.bind(call);
    // A view of the call with its host bridge counted; other fields (a lazy abort signal) are read through, not copied.
    call = Object.create(call, { host: { value: async (op: string, args: unknown) => {
      plugin.busy--;
      try {
        return await host(op, args);
      } finally {
        plugin.busy++;
      }
    } } }) as EngineCall;
    // The fast route holds this thread while the guest runs: only for quick plugins, and only when no other call waits on it.
    const fast = plugin.quick && !plugin.struck && call.alone;
    const pending = warm.next ?? this.#prepare(warm, fast);
    warm.next = undefined;
    this.#inFlight++;
    let prepared: PreparedContext | undefined;
    try {
      prepared = await pending;
    } catch (err) {
      // The plugin's top-level code failed or overran in this fresh context.
      if (!warm.isolate.isDisposed) warm.isolate.dispose();
      plugin.busy--;
      this.#afterCall(plugin, warm, undefined, call.key);
      return { status: 'failed', error: prepareError(err, call.limits) };
    }
    const report = await runGuestCall(warm.isolate, prepared, call, fast);
    plugin.busy--;
    plugin.quick = !report.spent && report.cpuMs <= QUICK_CPU_MS;
    if (report.heldMs > STRIKE_MS) plugin.struck = true;
    this.#afterCall(plugin, warm, prepared, call.key);
    return report.outcome;
  }

  /**
   * Work that holds this thread for milliseconds (making isolates) waits until no call is in
   * flight: a spare isolate for a plugin just called, so calls alternate between prepared
   * contexts, and the blank stock for first calls.
   */
  #background(plugin: LoadedPlugin, key: string): void {
    if (this.#inFlight > 0) return;
    // A version called once may never be called again: only a repeat caller earns a spare.
    if (plugin.calls > 1 && plugin.idle.length < Math.min(2, this.options.idlePerPlugin)) {
      setImmediate(() => {
        if (this.#inFlight === 0) this.#spare(plugin, key);
        this.#blank.refill();
      });
    } else {
      this.#blank.refill();
    }
  }

  /**
   * Returns a healthy isolate to the pool at once, so a next call can take it. Freeing the used
   * context, the heap check and preparing the next context wait until the result is on its way.
   */
  #afterCall(plugin: LoadedPlugin, warm: WarmIsolate, used: PreparedContext | undefined, key: string): void {
    this.#inFlight--;
    plugin.holding.leave();
    const { isolate } = warm;
    if (isolate.isDisposed) {
      this.#live--;
      this.#background(plugin, key);
      return;
    }
    const waiter = this.#plugins.get(key) === plugin ? plugin.waiters.shift() : undefined;
    if (waiter) {
      // Straight to a call that waited for it; the used context is freed after this turn.
      setImmediate(() => { if (used) releaseContext(used); });
      waiter(warm);
      return;
    }
    const keep = plugin.idle.length < this.#idleWanted(plugin) && this.#plugins.get(key) === plugin;
    if (keep) {
      plugin.idle.push(warm);
      if (plugin.idle.length > this.options.idlePerPlugin) {
        this.#surplus.add(plugin);
        this.#trimAfterBurst();
      }
    }
    setImmediate(() => {
      if (used) releaseContext(used);
      if (!keep) return this.#dispose(warm);
      if (isolate.isDisposed || !plugin.idle.includes(warm)) return;
      if (warm.next === undefined) this.#prepareNext(warm, plugin);
      this.#trimIdle(plugin);
      this.#background(plugin, key);
    });
  }

  /** Idle isolates worth keeping for a version: as many as its calls held at once lately, within the process-wide cap. */
  #idleWanted(plugin: LoadedPlugin): number {
    return Math.min(this.options.maxIdleTotal, Math.max(this.options.idlePerPlugin, plugin.holding.value));
  }

  /** Trims idle isolates back to what each version with a surplus still wants, a window after its burst; again each window while a surplus is left. */
  #trimAfterBurst(): void {
    if (this.#trimTimer) return;
    this.#trimTimer = setTimeout(() => {
      this.#trimTimer = undefined;
      for (const p of this.#surplus) {
        const wanted = this.#idleWanted(p);
        // Returned isolates go to the end: the longest idle go first.
        while (p.idle.length > wanted) this.#dispose(p.idle.shift()!);
        if (p.idle.length <= this.options.idlePerPlugin) this.#surplus.delete(p);
      }
      if (this.#surplus.size > 0) this.#trimAfterBurst();
    }, this.options.peakWindowMs ?? PEAK_WINDOW_MS);
    this.#trimTimer.unref();
  }

  /** Waits up to REUSE_WAIT_MS for an isolate of `plugin` to come back from a call; undefined if none did. */
  #awaitReturn(plugin: LoadedPlugin): Promise<WarmIsolate | undefined> {
    return new Promise((resolve) => {
      const waiter = (warm: WarmIsolate | undefined): void => {
        clearTimeout(timer);
        resolve(warm);
      };
      const timer = setTimeout(() => {
        const i = plugin.waiters.indexOf(waiter);
        if (i >= 0) plugin.waiters.splice(i, 1);
        resolve(undefined);
      }, REUSE_WAIT_MS);
      plugin.waiters.push(waiter);
    });
  }

  /**
   * Prepares the next context off this thread, then checks the heap from this one. Checking after,
   * not before, also brings the isolate back to this thread while it is idle: a fast-route call
   * that is first to lock it after its own thread ran it measured 20–100 µs slower.
   */
  #prepareNext(warm: WarmIsolate, plugin: LoadedPlugin): void {
    warm.next = this.#prepare(warm, false);
    warm.next.then(() => {
      const i = plugin.idle.indexOf(warm);
      // Taken meanwhile: the call waits on `next` itself.
      if (i < 0 || warm.isolate.isDisposed) return;
      if (warm.isolate.getHeapStatisticsSync().used_heap_size >= RETIRE_HEAP_SHARE * plugin.memoryMb * 1024 * 1024) {
        plugin.idle.splice(i, 1);
        return this.#dispose(warm);
      }
      warm.nextReady = true;
    }, () => undefined);
  }

  /** A second warm isolate for a plugin that is being called, so back-to-back calls alternate between prepared contexts. */
  #spare(plugin: LoadedPlugin, key: string): void {
    if (this.#plugins.get(key) !== plugin || plugin.idle.length >= Math.min(2, this.options.idlePerPlugin)) return;
    let spare: WarmIsolate;
    try {
      spare = this.#warm(plugin);
    } catch {
      return;
    }
    if (!spare.next) this.#prepareNext(spare, plugin);
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
  #prepare(warm: WarmIsolate, sync: boolean): Promise<PreparedContext> {
    return freshContext(warm.isolate, warm.bootstrap, sync, warm.plugin);
  }

  async unload(key: string): Promise<void> {
    const plugin = this.#plugins.get(key);
    if (!plugin) return;
    this.#plugins.delete(key);
    this.#surplus.delete(plugin);
    for (const w of plugin.idle.splice(0)) this.#dispose(w);
    for (const waiter of plugin.waiters.splice(0)) waiter(undefined);
    plugin.cachedData?.release();
  }

  stats(): { loaded: number; live: number } {
    return { loaded: this.#plugins.size, live: this.#live };
  }

  async close(): Promise<void> {
    for (const key of [...this.#plugins.keys()]) await this.unload(key);
    clearTimeout(this.#trimTimer);
    this.#blank.close();
  }

  /**
   * An isolate for a plugin version, from the blank stock, with the plugin compiled in. The first
   * compile skips producing a code cache (it would lengthen the first call); the second makes one.
   */
  #warm(plugin: LoadedPlugin): WarmIsolate {
    const { isolate, bootstrap, context } = this.#blank.take(plugin.memoryMb);
    this.#live++;
    try {
      let script: ivm.Script;
      if (plugin.cachedData) {
        script = isolate.compileScriptSync(plugin.code, { filename: 'plugin.js', cachedData: plugin.cachedData });
      } else if (plugin.compiled) {
        script = isolate.compileScriptSync(plugin.code, { filename: 'plugin.js', produceCachedData: true });
        plugin.cachedData = (script as ivm.Script & ivm.CachedDataResult).cachedData;
      } else {
        script = isolate.compileScriptSync(plugin.code, { filename: 'plugin.js' });
      }
      plugin.compiled = true;
      const warm: WarmIsolate = { isolate, bootstrap, plugin: { script, timeoutMs: plugin.timeoutMs } };
      if (context) {
        warm.next = context.then((blank) => runPluginScript(blank, warm.plugin, false));
        warm.next.catch(() => undefined);
      }
      return warm;
    } catch (err) {
      this.#live--;
      context?.then(releaseContext, () => undefined);
      isolate.dispose();
      throw new PluginRuntimeError(ErrorCode.PluginInvalid, `plugin code does not compile: ${(err as Error).message}`);
    }
  }

  #dispose(w: WarmIsolate): void {
    w.next?.then(releaseContext, () => undefined);
    if (!w.isolate.isDisposed) w.isolate.dispose();
    this.#live--;
  }
}

/** Explains a failure of the plugin's top-level code in a fresh context. */
function prepareError(err: unknown, limits: EffectiveLimits): { code: string; message: string } {
  const message = (err as Error)?.message ?? String(err);
  if (/timed out/i.test(message)) return { code: ErrorCode.Timeout, message: `the plugin ran past its ${limits.timeoutMs} ms time limit and was stopped` };
  if (/memory limit|disposed/i.test(message)) return { code: ErrorCode.MemoryLimit, message: `the plugin exceeded its ${limits.memoryMb} MB memory limit and was stopped` };
  return { code: ErrorCode.PluginError, message: message.slice(0, 2000) };
}
