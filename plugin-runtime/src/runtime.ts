import { fileURLToPath } from 'node:url';
import { ErrorCode, PluginRuntimeError, toCoded } from './errors.js';
import { HostGateway } from './host/host-gateway.js';
import type { EffectiveLimits, GuestOutcome, HostCallContext, HostServices, InvokeRequest, InvokeResult, LogLine, PluginPackage } from './interface.js';
import { compileRuntimeOptions, type CompiledRuntimeOptions, type RuntimeOptions } from './options.js';
import { SandboxPool } from './pool/sandbox-pool.js';
import type { SandboxProcess } from './pool/sandbox-process.js';
import { readOutcome, type FromSandbox } from './protocol.js';
import { IoValidator } from './schema/io-validator.js';
import type { PluginManifest } from './manifest/index.js';
import { pluginKey } from './plugin-key.js';

const MAX_DELAY_MS = 24 * 60 * 60 * 1000;

/** Counters returned by {@link PluginRuntime.stats}. */
export interface RuntimeStats {
  processes: number;
  alive: number;
  restarts: number;
  pids: (number | undefined)[];
  inFlight: number;
  calls: number;
  failed: number;
}

/**
 * Runs plugin calls in a supervised pool of sandbox processes. Plugin code never runs in this
 * (core) process; host calls come back here and pass the capability gate.
 * @example
 * const runtime = new PluginRuntime({ poolSize: 2 });
 * const r = await runtime.invoke({ plugin, call: 'execute', inputs: { host: 'a' }, context, approvedCapabilities: ['log'] }, {});
 * await runtime.close();
 */
export class PluginRuntime {
  readonly #options: CompiledRuntimeOptions;
  readonly #pool: SandboxPool;
  readonly #gateway: HostGateway;
  readonly #io = new IoValidator();
  readonly #sweep: NodeJS.Timeout;
  #nextId = 1;
  #inFlight = 0;
  #calls = 0;
  #failed = 0;
  #closed = false;

  constructor(options: RuntimeOptions = {}) {
    this.#options = compileRuntimeOptions(options);
    this.#gateway = new HostGateway(this.#options);
    this.#pool = new SandboxPool(this.#options.poolSize, {
      entry: fileURLToPath(new URL('./sandbox/main.js', import.meta.url)),
      idlePerPlugin: this.#options.idleSandboxesPerPlugin,
      maxLoaded: this.#options.loadedPluginsPerProcess,
      maxIdleTotal: this.#options.idleSandboxesPerProcess,
    });
    this.#sweep = setInterval(() => this.#gateway.sweep(), 60_000);
    this.#sweep.unref();
  }

  /** The limits a call of this plugin runs under: the manifest's, capped by the operator's. */
  effectiveLimits(plugin: PluginPackage): EffectiveLimits {
    const l = plugin.manifest.limits;
    const o = this.#options;
    return {
      memoryMb: Math.max(8, Math.min(l.memoryMb, o.maxMemoryMb)),
      timeoutMs: Math.min(l.timeoutMs, o.maxTimeoutMs),
      outputBytes: Math.min(l.outputBytes ?? o.defaultOutputBytes, o.maxOutputBytes),
      hostCallsPerSecond: Math.min(l.hostCallsPerSecond ?? o.defaultHostCallsPerSecond, o.maxHostCallsPerSecond),
    };
  }

  /**
   * Runs one call. Never throws for plugin problems: they come back as `{status: 'failed', error: {code, message}}`.
   * Inputs are checked against the manifest's input schema before the call, outputs after it.
   */
  async invoke(req: InvokeRequest, host: HostServices): Promise<InvokeResult> {
    this.#calls++;
    this.#inFlight++;
    try {
      const result = await this.#invoke(req, host);
      if (result.status === 'failed') this.#failed++;
      return result;
    } catch (err) {
      this.#failed++;
      return { status: 'failed', error: toCoded(err, ErrorCode.PluginError), logs: [] };
    } finally {
      this.#inFlight--;
    }
  }

  /** Asks the sandbox processes to drop a plugin version (e.g. when it is disabled or updated). */
  unload(plugin: Pick<PluginPackage, 'name' | 'version'>): void {
    const prefix = `${plugin.name}@${plugin.version}#`;
    for (const key of this.#knownKeys) {
      if (!key.startsWith(prefix)) continue;
      for (const proc of this.#pool.live()) {
        if (!proc.loaded.has(key)) continue;
        proc.send({ t: 'unload', key });
        proc.loaded.delete(key);
      }
      this.#io.forget(key);
      this.#knownKeys.delete(key);
    }
  }

  /**
   * The problems a node's inputs already have against the plugin's inputs schema before any run
   * (see {@link IoValidator.inputProblems}); `open` names the fields only a run will know.
   */
  inputProblems(manifest: Pick<PluginManifest, 'inputs'>, known: Record<string, unknown>, open: ReadonlySet<string>): string[] {
    return this.#io.inputProblems(manifest.inputs, known, open);
  }

  stats(): RuntimeStats {
    return { ...this.#pool.stats(), inFlight: this.#inFlight, calls: this.#calls, failed: this.#failed };
  }

  /** Stops every sandbox process; calls in flight fail with SANDBOX_CRASHED. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    await this.#pool.close();
  }

  readonly #knownKeys = new Set<string>();

  async #invoke(req: InvokeRequest, host: HostServices): Promise<InvokeResult> {
    if (this.#closed) throw new PluginRuntimeError(ErrorCode.RuntimeClosed, 'the plugin runtime is closed');
    const { plugin } = req;
    const { manifest } = plugin;
    const runtime = manifest.runtime;
    if ((runtime === 'isolate') !== (typeof plugin.code === 'string')) {
      throw new PluginRuntimeError(ErrorCode.PluginInvalid, `runtime "${runtime}" needs ${runtime === 'isolate' ? 'a JavaScript bundle' : 'wasm bytes'} as code`);
    }
    if (req.call === 'poll' && manifest.mode !== 'poll') throw new PluginRuntimeError(ErrorCode.ModeMismatch, `cannot poll a plugin in "${manifest.mode}" mode`);
    if (req.call === 'callback' && manifest.mode !== 'callback') throw new PluginRuntimeError(ErrorCode.ModeMismatch, `cannot call back a plugin in "${manifest.mode}" mode`);
    if (req.call === 'cancel' && manifest.mode === 'sync') throw new PluginRuntimeError(ErrorCode.ModeMismatch, `cannot cancel a plugin in "sync" mode: it leaves no remote work behind`);
    const key = pluginKey(plugin);
    this.#knownKeys.add(key);
    this.#io.check(key, manifest, 'inputs', req.inputs);
    const limits = this.effectiveLimits(plugin);
    const granted = manifest.capabilities.filter((c) => req.approvedCapabilities.includes(c));
    if (req.signal?.aborted) throw new PluginRuntimeError(ErrorCode.Aborted, 'the call was cancelled before it started');

    // Encoded once here; the sandbox hands the text to the guest as is.
    const payload = JSON.stringify({ inputs: req.inputs, state: req.state ?? null, data: req.callbackData ?? null, context: req.context });
    let { outcome, logs } = await this.#run(req, host, key, payload, limits, granted, false);
    if (outcome.status === 'failed' && outcome.error.code === 'NEED_CODE') ({ outcome, logs } = await this.#run(req, host, key, payload, limits, granted, true));
    return this.#finish(key, req, outcome, logs);
  }

  #finish(key: string, req: InvokeRequest, outcome: GuestOutcome, logs: LogLine[]): InvokeResult {
    const mode = req.plugin.manifest.mode;
    // A cancel only stops work: whatever else it returns (outputs, a deferral) means done.
    if (req.call === 'cancel' && outcome.status !== 'failed') return { status: 'done', outputs: {}, logs };
    switch (outcome.status) {
      case 'failed':
        return { status: 'failed', error: outcome.error, logs };
      case 'done': {
        const outputs = outcome.outputs as Record<string, unknown>;
        try {
          this.#io.check(key, req.plugin.manifest, 'outputs', outputs);
        } catch (err) {
          return { status: 'failed', error: toCoded(err), logs };
        }
        return { status: 'done', outputs, logs };
      }
      case 'poll':
        if (mode !== 'poll') return mismatch(mode, 'ctx.poll()', logs);
        return { status: 'poll', state: outcome.state, delayMs: Math.max(0, Math.min(MAX_DELAY_MS, Math.round(outcome.delayMs))), logs };
      case 'wait-callback':
        if (mode !== 'callback') return mismatch(mode, 'ctx.waitCallback()', logs);
        return { status: 'wait-callback', state: outcome.state, multiple: outcome.multiple, logs };
    }
  }

  /** Sends the call to its sandbox process and serves its host calls until the result comes. */
  #run(req: InvokeRequest, host: HostServices, key: string, payload: string, limits: EffectiveLimits, granted: string[], withCode: boolean): Promise<{ outcome: GuestOutcome; logs: LogLine[] }> {
    const proc: SandboxProcess = this.#pool.pick(key);
    const id = this.#nextId++;
    const sendCode = withCode || !proc.loaded.has(key);
    // Host services get a signal that ends with the call; most calls make no host call, so it is made on first use.
    let controller: AbortController | undefined;
    let ctx: HostCallContext | undefined;
    const hostContext = (): HostCallContext => {
      controller ??= new AbortController();
      return (ctx ??= { plugin: { name: req.plugin.name, version: req.plugin.version }, context: req.context, signal: controller.signal });
    };
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: GuestOutcome, logs: LogLine[] = []): void => {
        if (settled) return;
        settled = true;
        clearTimeout(watchdog);
        req.signal?.removeEventListener('abort', onAbort);
        controller?.abort();
        proc.finish(id);
        resolve({ outcome, logs });
      };
      // Backstop: the sandbox stops its own overrunning calls; if it does not answer in time, kill it.
      // The clock starts once the process is up: a process just (re)started is not the plugin's time.
      let watchdog: NodeJS.Timeout | undefined;
      proc.whenReady(() => {
        if (settled) return;
        watchdog = setTimeout(() => {
          settle({ status: 'failed', error: { code: ErrorCode.Timeout, message: `the plugin ran past its ${limits.timeoutMs} ms time limit; its sandbox process was killed` } });
          proc.kill();
        }, limits.timeoutMs + this.#options.killGraceMs);
      });
      const onAbort = (): void => {
        proc.send({ t: 'abort', id });
        settle({ status: 'failed', error: { code: ErrorCode.Aborted, message: 'the call was cancelled' } });
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      proc.start(id, {
        t: 'invoke', id, key, runtime: req.plugin.manifest.runtime, code: sendCode ? wireCode(req.plugin.code) : undefined,
        call: req.call, payload, limits, capabilities: granted,
      }, {
        onHost: (m: Extract<FromSandbox, { t: 'host' }>) => {
          const scope = { key, granted, hostCallsPerSecond: limits.hostCallsPerSecond, services: host, ctx: hostContext() };
          this.#gateway.call(m.op, m.args, scope).then(
            (value) => proc.send({ t: 'host-result', id, callId: m.callId, ok: true, value }),
            (err: unknown) => proc.send({ t: 'host-result', id, callId: m.callId, ok: false, error: toCoded(err, ErrorCode.HostServiceFailed) }),
          );
        },
        onResult: (m) => {
          const outcome = readOutcome(m.outcome);
          if (outcome.status !== 'failed' || outcome.error.code !== 'NEED_CODE') proc.loaded.add(key);
          if (outcome.status === 'failed' && outcome.error.code === ErrorCode.PluginInvalid) proc.loaded.delete(key);
          settle(outcome, m.logs);
        },
        onCrash: (reason) =>
          settle({ status: 'failed', error: { code: ErrorCode.SandboxCrashed, message: `the sandbox process running this call died (${reason}); the pool restarted it` } }),
      });
    });
  }
}

/** Code as it crosses the JSON channel: wasm bytes travel in base64. */
function wireCode(code: string | Uint8Array): string {
  return typeof code === 'string' ? code : Buffer.from(code.buffer, code.byteOffset, code.byteLength).toString('base64');
}

function mismatch(mode: string, what: string, logs: LogLine[]): InvokeResult {
  return { status: 'failed', error: { code: ErrorCode.ModeMismatch, message: `the plugin returned ${what} but its manifest mode is "${mode}"` }, logs };
}
