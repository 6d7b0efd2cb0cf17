import ivm from 'isolated-vm';
import { ISOLATE_PROGRAM } from './isolate-program.js';

/** How a batch ended, as seen from outside the isolate. */
export type RunnerReply =
  | { ok: true; json: string }
  | { ok: false; failure: 'timeout' | 'memory' | 'disposed' | 'other'; message: string };

interface Runtime {
  isolate: ivm.Isolate;
  context: ivm.Context;
  run: ivm.Reference<(scopeJson: string, expressionsJson: string, compileOnly: boolean) => string>;
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

  /**
   * Evaluates `expressions` against the scope (with `compileOnly`, only compiles them: a syntax
   * check that runs none); queued behind any batch still running.
   */
  run(scopeJson: string, expressions: string[], budgetMs: number, compileOnly = false): Promise<RunnerReply> {
    const next = this.#queue.then(() => this.#runNow(scopeJson, expressions, budgetMs, compileOnly));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Disposes the isolate. */
  dispose(): void {
    if (this.#runtime && !this.#runtime.isolate.isDisposed) this.#runtime.isolate.dispose();
    this.#runtime = undefined;
  }

  async #runNow(scopeJson: string, expressions: string[], budgetMs: number, compileOnly: boolean): Promise<RunnerReply> {
    const runtime = this.#ensureRuntime();
    try {
      const json = await runtime.run.apply(undefined, [scopeJson, JSON.stringify(expressions), compileOnly], { timeout: budgetMs });
      return { ok: true, json: json.includes('"k":"syntax"') ? reworded(runtime.isolate, expressions, json) : json };
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

/** What isolated-vm appends to a compile error: ` [<isolated-vm>:line:column]`. */
const POSITION = / \[<isolated-vm>:\d+:\d+\]$/;

/**
 * The outcomes with each `syntax` message as the text was written. Inside the isolate an
 * expression is compiled wrapped (`return (\n…\n)`), so V8 names the wrapper's tokens:
 * `n ==` fails with "Unexpected token ')'", a token nobody wrote. Compiled again as a script that
 * ends where the text ends (`0,\n…`), without running it, the parser says what is wrong with the
 * text itself ("Unexpected end of input"). When that script compiles (`a; b`, a statement list,
 * is no expression), the wrapped message stands: it names a token of the text.
 */
function reworded(isolate: ivm.Isolate, expressions: string[], json: string): string {
  const outcomes = JSON.parse(json) as Array<{ k?: string; m?: string }>;
  outcomes.forEach((outcome, i) => {
    if (outcome.k !== 'syntax') return;
    try {
      const script = isolate.compileScriptSync(`"use strict"; 0,\n${expressions[i]}`);
      script.release();
    } catch (err) {
      if (err instanceof SyntaxError) outcome.m = err.message.replace(POSITION, '').slice(0, 500);
    }
  });
  return JSON.stringify(outcomes);
}
