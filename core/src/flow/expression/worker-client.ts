import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunnerReply } from './isolate-runner.js';

/** A batch sent to the expression worker. */
export interface WorkerRequest {
  id: number;
  scopeJson: string;
  expressions: string[];
  budgetMs: number;
  /** Compile the expressions only (a syntax check); none is run. */
  compileOnly?: boolean;
}

/** The worker's answer to one {@link WorkerRequest}. */
export interface WorkerResponse {
  id: number;
  reply: RunnerReply;
}

interface Pending {
  request: WorkerRequest;
  resolve: (reply: RunnerReply) => void;
}

/** Extra time the worker gets beyond the isolate budget before it is presumed stuck and killed. */
const WATCHDOG_GRACE_MS = 2000;

const WORKER_PATH = fileURLToPath(new URL('./expression-worker.js', import.meta.url));

/**
 * Talks to the expression worker process: forks it on first use, sends batches, and survives
 * its death. The worker runs batches one at a time in the order sent, so when it dies the oldest
 * unanswered batch is the culprit: it fails (`memory`, or `timeout` when the watchdog killed a
 * stuck worker) and the batches queued behind it are replayed on a fresh worker.
 * The worker holds the event loop only while batches are pending.
 */
export class WorkerClient {
  #child: ChildProcess | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #killedByWatchdog = new WeakSet<ChildProcess>();

  constructor(private readonly memoryMb: number) {}

  /**
   * Runs one batch in the worker (with `compileOnly`, compiles it only). Never rejects: failures
   * come back as a {@link RunnerReply}.
   */
  call(scopeJson: string, expressions: string[], budgetMs: number, compileOnly = false): Promise<RunnerReply> {
    if (this.#closed) return Promise.resolve({ ok: false, failure: 'other', message: 'the expression sandbox is closed' });
    return new Promise((resolve) => {
      const request: WorkerRequest = { id: this.#nextId++, scopeJson, expressions, budgetMs, ...(compileOnly ? { compileOnly } : {}) };
      this.#pending.set(request.id, { request, resolve });
      this.#send(request);
    });
  }

  /** Stops the worker; pending batches fail. */
  close(): void {
    this.#closed = true;
    this.#failAll('the expression sandbox is closed');
    this.#child?.kill('SIGKILL');
    this.#child = undefined;
  }

  #send(request: WorkerRequest): void {
    const child = this.#ensureChild();
    child.ref();
    child.channel?.ref();
    child.send(request);
    if (this.#pending.size === 1) this.#armWatchdog();
  }

  #ensureChild(): ChildProcess {
    if (this.#child) return this.#child;
    const child = fork(WORKER_PATH, [String(this.memoryMb)], {
      execArgv: ['--no-node-snapshot'],
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'json',
    });
    child.on('message', (response: WorkerResponse) => this.#onResponse(child, response));
    child.once('exit', () => this.#onExit(child));
    child.once('error', () => child.kill('SIGKILL'));
    this.#child = child;
    return child;
  }

  #onResponse(child: ChildProcess, response: WorkerResponse): void {
    const pending = this.#pending.get(response.id);
    if (!pending) return;
    this.#pending.delete(response.id);
    pending.resolve(response.reply);
    this.#armWatchdog();
    if (this.#pending.size === 0 && this.#child === child) {
      child.unref();
      child.channel?.unref();
    }
  }

  #onExit(child: ChildProcess): void {
    if (this.#child === child) this.#child = undefined;
    if (this.#closed) return;
    const [oldest] = this.#pending.values();
    if (!oldest) return;
    this.#pending.delete(oldest.request.id);
    oldest.resolve(this.#killedByWatchdog.has(child)
      ? { ok: false, failure: 'timeout', message: 'the expression worker stopped responding and was restarted' }
      : { ok: false, failure: 'memory', message: 'the expression crashed the sandbox process (out of memory); the sandbox was restarted' });
    const replay = [...this.#pending.values()];
    if (replay.length === 0) {
      this.#armWatchdog();
      return;
    }
    for (const p of replay) this.#send(p.request);
    this.#armWatchdog();
  }

  /** Watches the oldest pending batch: it must answer within its budget plus a grace period. */
  #armWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
    const [oldest] = this.#pending.values();
    const child = this.#child;
    if (!oldest || !child) return;
    this.#watchdog = setTimeout(() => {
      this.#killedByWatchdog.add(child);
      child.kill('SIGKILL');
    }, oldest.request.budgetMs + WATCHDOG_GRACE_MS);
    this.#watchdog.unref();
  }

  #failAll(message: string): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    for (const p of this.#pending.values()) p.resolve({ ok: false, failure: 'other', message });
    this.#pending.clear();
  }
}
