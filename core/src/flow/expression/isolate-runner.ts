import ivm from 'isolated-vm';
import { ISOLATE_PROGRAM } from './isolate-program.js';

/** How a batch ended, as seen from outside the isolate. */
export type RunnerReply =
  | { ok: true; json: string }
  | { ok: false; failure: 'timeout' | 'memory' | 'disposed' | 'other'; message: string };

interface Runtime {
  isolate: ivm.Isolate;
  context: ivm.Context;
  run: ivm.Reference<(scopeJson: string, expressionsJson: string) => string>;
}

/**
 * Owns one hardened isolate and runs expression batches in it, one at a time. Recreates the
 * isolate when a memory blow-up disposed it. Runs inside the expression worker process
 * (see `worker-client.ts`), because V8 cannot always survive an out-of-memory in an isolate.
 */
export class IsolateRunner {
  #runtime: Runtime | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly memoryMb: number) {}

  /** Evaluates `expressions` against the scope; queued behind any batch still running. */
  run(scopeJson: string, expressions: string[], budgetMs: number): Promise<RunnerReply> {
    const next = this.#queue.then(() => this.#runNow(scopeJson, expressions, budgetMs));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Disposes the isolate. */
  dispose(): void {
    if (this.#runtime && !this.#runtime.isolate.isDisposed) this.#runtime.isolate.dispose();
    this.#runtime = undefined;
  }

  async #runNow(scopeJson: string, expressions: string[], budgetMs: number): Promise<RunnerReply> {
    const runtime = this.#ensureRuntime();
    try {
      const json = await runtime.run.apply(undefined, [scopeJson, JSON.stringify(expressions)], { timeout: budgetMs });
      return { ok: true, json };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/memory limit/i.test(message)) return { ok: false, failure: 'memory', message };
      if (/timed out/i.test(message)) return { ok: false, failure: 'timeout', message };
      if (runtime.isolate.isDisposed) return { ok: false, failure: 'disposed', message };
      return { ok: false, failure: 'other', message };
    }
  }

  #ensureRuntime(): Runtime {
    const current = this.#runtime;
    if (current && !current.isolate.isDisposed) return current;
    if (current) {
      try {
        current.context.release();
      } catch {
        // The isolate is gone already; nothing left to release.
      }
    }
    const isolate = new ivm.Isolate({ memoryLimit: this.memoryMb });
    const context = isolate.createContextSync();
    const run = context.evalSync(ISOLATE_PROGRAM, { reference: true }) as Runtime['run'];
    this.#runtime = { isolate, context, run };
    return this.#runtime;
  }
}
