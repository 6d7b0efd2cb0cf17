import { Worker } from 'node:worker_threads';

/** Thrown when the rules did not finish within their time budget; `ruleIndex` is the one that was running. */
export class RegexBudgetExceeded extends Error {
  constructor(readonly ruleIndex: number, readonly budgetMs: number) {
    super(`rule #${ruleIndex} did not finish within ${budgetMs} ms`);
  }
}

/** One match found by {@link RegexSandbox.run}. */
export interface RegexHit {
  /** Index into the `sources` given. */
  rule: number;
  line: number;
  matched: string;
}

interface Pending { resolve(hits: RegexHit[]): void; reject(err: Error): void; timer: NodeJS.Timeout }

/**
 * Evaluates untrusted regular expressions in a worker thread with a time budget. JavaScript regexes
 * cannot be interrupted, so a hung evaluation is ended by terminating the worker; the next call
 * starts a fresh one. Calls are serialised: one evaluation at a time.
 */
export class RegexSandbox {
  #worker: Worker | null = null;
  #progress = new SharedArrayBuffer(4);
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  /**
   * Runs each source against each line; resolves with the first match per (rule, line).
   * @throws RegexBudgetExceeded when the budget runs out, naming the rule that was running.
   */
  run(sources: string[], lines: { line: number; text: string }[], budgetMs: number): Promise<RegexHit[]> {
    const next = this.#chain.then(() => this.#run(sources, lines, budgetMs));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.#closed = true;
    const w = this.#worker;
    this.#worker = null;
    if (w) await w.terminate();
  }

  #run(sources: string[], lines: { line: number; text: string }[], budgetMs: number): Promise<RegexHit[]> {
    if (this.#closed) return Promise.reject(new Error('the regex sandbox is closed'));
    if (sources.length === 0 || lines.length === 0) return Promise.resolve([]);
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    return new Promise<RegexHit[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        const rule = Atomics.load(new Int32Array(this.#progress), 0);
        this.#discard(worker);
        reject(new RegexBudgetExceeded(rule, budgetMs));
      }, budgetMs);
      this.#pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, sources, lines });
    });
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./regex-worker.js', import.meta.url), { workerData: { progress: this.#progress } });
    worker.unref();
    worker.on('message', (m: { id: number; hits?: RegexHit[]; error?: string }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.hits ?? []);
    });
    const fail = (err: Error): void => {
      this.#discard(worker);
      for (const [id, p] of this.#pending) {
        clearTimeout(p.timer);
        p.reject(err);
        this.#pending.delete(id);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => { if (this.#worker === worker) fail(new Error(`regex worker exited with code ${code}`)); });
    this.#worker = worker;
    return worker;
  }

  #discard(worker: Worker): void {
    if (this.#worker === worker) this.#worker = null;
    void worker.terminate();
  }
}
