import { fork, type ChildProcess } from 'node:child_process';
import { forEachMessage, MessageBatcher, type Batch } from '../message-batch.js';
import type { FromSandbox, ToSandbox } from '../protocol.js';

/** How long a sandbox process may take to start before it is killed (and its calls fail). */
const BOOT_LIMIT_MS = 30_000;

/** Called for each message of a call in flight on this process. */
export interface CallHandlers {
  onHost(m: Extract<FromSandbox, { t: 'host' }>): void;
  onResult(m: Extract<FromSandbox, { t: 'result' }>): void;
  /** The process died while the call was in flight. */
  onCrash(reason: string): void;
}

/** Settings passed to every sandbox process. */
export interface SandboxSettings {
  entry: string;
  idlePerPlugin: number;
  maxLoaded: number;
  maxIdleTotal: number;
}

/**
 * The core side of one sandbox process: forks it, routes messages of calls in flight, and
 * reports its death so the pool can replace it. Knows which plugin versions it has sent code for.
 */
export class SandboxProcess {
  readonly loaded = new Set<string>();
  readonly #calls = new Map<number, CallHandlers>();
  readonly #child: ChildProcess;
  #dead = false;
  /** Set when we killed it: no new call may go to it while its exit is still on its way. */
  #killed = false;
  /** Callbacks waiting for the process to have started (it says `ready` once its engines are up). */
  #onReady: (() => void)[] | undefined = [];

  constructor(settings: SandboxSettings, onExit: (proc: SandboxProcess, reason: string) => void) {
    this.#child = fork(settings.entry, [], {
      execArgv: ['--no-node-snapshot'],
      serialization: 'json',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // Plugin code must not see core's environment (database URLs, secret keys).
      env: {
        NODE_ENV: process.env.NODE_ENV ?? 'production',
        NODE_NO_WARNINGS: '1',
        OPSLOOM_SANDBOX_SETTINGS: JSON.stringify({ idlePerPlugin: settings.idlePerPlugin, maxLoaded: settings.maxLoaded, maxIdleTotal: settings.maxIdleTotal }),
      },
    });
    this.#child.on('message', (m: FromSandbox | Batch<FromSandbox>) => forEachMessage(m, (one) => this.#route(one)));
    // A process that never comes up would hold its calls forever (their deadlines start at ready).
    const boot = setTimeout(() => {
      if (this.#onReady) this.kill();
    }, BOOT_LIMIT_MS);
    boot.unref();
    this.#child.on('exit', (code, signal) => {
      this.#dead = true;
      const reason = signal ? `signal ${signal}` : `exit code ${code}`;
      for (const h of this.#calls.values()) h.onCrash(reason);
      this.#calls.clear();
      onExit(this, reason);
    });
    this.#child.on('error', () => {
      // 'exit' follows and does the bookkeeping.
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return !this.#dead && !this.#killed;
  }

  get inFlight(): number {
    return this.#calls.size;
  }

  /** Registers a call and sends its first message. */
  start(id: number, message: ToSandbox, handlers: CallHandlers): void {
    this.#calls.set(id, handlers);
    this.send(message);
  }

  /** Forgets a call (after its result, or after giving up on it). */
  finish(id: number): void {
    this.#calls.delete(id);
  }

  send(message: ToSandbox): void {
    if (this.#dead || !this.#child.connected) return;
    this.#outbox.send(message);
  }

  readonly #outbox = new MessageBatcher<ToSandbox>((m) => {
    if (!this.#dead && this.#child.connected) this.#child.send(m);
  });

  /** Kills the process (a call overran its deadline); the pool replaces it. */
  kill(): void {
    if (this.#dead) return;
    this.#killed = true;
    this.#child.kill('SIGKILL');
  }

  /** Stops the process and waits for it to be gone. */
  async stop(): Promise<void> {
    if (this.#dead) return;
    const gone = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGKILL');
    await gone;
  }

  /** Runs `fn` once the process has started (at once if it has). */
  whenReady(fn: () => void): void {
    if (this.#onReady) this.#onReady.push(fn);
    else fn();
  }

  #route(m: FromSandbox): void {
    if (m.t === 'ready') {
      const waiting = this.#onReady ?? [];
      this.#onReady = undefined;
      for (const fn of waiting) fn();
    } else if (m.t === 'host') this.#calls.get(m.id)?.onHost(m);
    else if (m.t === 'result') {
      const h = this.#calls.get(m.id);
      this.#calls.delete(m.id);
      h?.onResult(m);
    }
  }
}
