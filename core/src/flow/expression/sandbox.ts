import { conditionToExpression } from '../../model/template-syntax.js';
import type { ExpressionFailure } from './expression-error.js';
import { ExpressionError, SandboxClosedError } from './expression-error.js';
import { applyRender, at, planRender } from './render-plan.js';
import { WorkerClient } from './worker-client.js';
import { scopeReads } from './scope-reads.js';

/** Options of {@link ExpressionSandbox}. */
export interface ExpressionSandboxOptions {
  /** Time budget of one expression, in milliseconds. @default 50 */
  timeoutMs?: number;
  /** Heap budget of the isolate, in MiB (isolated-vm's minimum is 8). @default 16 */
  memoryMb?: number;
}

/** Where an expression sits, for error messages: the input name (or e.g. `condition of flow f3`). */
export interface ExpressionSite {
  input: string;
  /** Names the flow declares (variables, node output targets): one not in the scope fails as having no value yet, not as unknown. */
  declared?: ReadonlySet<string>;
}

type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; kind: ExpressionFailure; message: string };

/** A batch of N expressions gets min(N, this) budgets in total; a timeout is then retried expression by expression. */
const BATCH_BUDGET_CAP = 10;

/**
 * Evaluates `${…}` JavaScript expressions in an isolated-vm isolate that has no access to the
 * host: no `require`, `process`, `import` or host functions; the scope goes in as a JSON copy and
 * results come out as JSON. One isolate is reused (and recreated after a memory blow-up
 * disposed it); compiled expressions are cached inside it; all expressions of one `render`
 * call are evaluated in a single call into the isolate.
 *
 * The isolate lives in a small worker process of its own (forked on first use), because V8
 * aborts the whole process on some out-of-memory conditions (`new Array(1e8).fill(0)`) that
 * isolated-vm cannot catch; such an expression fails with `memory` and the worker restarts.
 *
 * Inputs marked `render: false` ({@link normalizeInput} in the model) must not be passed to
 * `render` at all: the caller hands their value over literally, on the first run and on retries.
 * A literal `${` inside a rendered string is written `$${`.
 *
 * Needs `node --no-node-snapshot` (isolated-vm on Node 20).
 *
 * @example
 * const sandbox = new ExpressionSandbox();
 * await sandbox.render({ cmd: 'ping ${host}', hosts: '${hosts}' }, { host: 'a', hosts: ['a', 'b'] }, { input: 'args' });
 * // { cmd: 'ping a', hosts: ['a', 'b'] }
 * sandbox.close();
 */
export class ExpressionSandbox {
  readonly timeoutMs: number;
  readonly memoryMb: number;
  #worker: WorkerClient;
  #closed = false;

  constructor(opts: ExpressionSandboxOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 50;
    this.memoryMb = opts.memoryMb ?? 16;
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs < 1 || this.timeoutMs > 60_000) {
      throw new RangeError(`ExpressionSandbox timeoutMs must be an integer from 1 to 60000, got ${opts.timeoutMs}`);
    }
    if (!Number.isInteger(this.memoryMb) || this.memoryMb < 8 || this.memoryMb > 1024) {
      throw new RangeError(`ExpressionSandbox memoryMb must be an integer from 8 to 1024, got ${opts.memoryMb}`);
    }
    this.#worker = new WorkerClient(this.memoryMb);
  }

  /**
   * Renders every `${…}` inside `value` (strings, array items and object values; keys are kept).
   * A string that is exactly `"${expr}"` becomes the expression's raw value (object, number, …);
   * otherwise results are interpolated (strings as-is, `null`/`undefined` as empty, others as JSON).
   *
   * @throws {ExpressionError} naming the input, the expression and the cause, for the first failing expression.
   */
  async render(value: unknown, scope: Record<string, unknown>, where: ExpressionSite): Promise<unknown> {
    this.#assertOpen();
    const plan = planRender(value, where.input);
    if (plan.expressions.length === 0) return applyRender(value, new Map());
    const outcomes = await this.#evaluateAll(plan.expressions, scope, where.input);
    const results = new Map<string, unknown>();
    plan.expressions.forEach((expression, i) => {
      const outcome = outcomes[i];
      if (!outcome || !outcome.ok) {
        const failed = outcome ?? { kind: 'runtime' as const, message: 'not evaluated' };
        throw new ExpressionError(at(where.input, plan.firstUse.get(expression) ?? ''), expression, failed.kind, failed.message, where.declared);
      }
      results.set(expression, outcome.value);
    });
    return applyRender(value, results);
  }

  /**
   * Evaluates one JavaScript expression (no `${}` around it) and returns its value.
   *
   * @throws {ExpressionError} when it fails.
   */
  async evaluate(expression: string, scope: Record<string, unknown>, where: ExpressionSite = { input: 'expression' }): Promise<unknown> {
    this.#assertOpen();
    const source = expression.trim();
    if (!source) throw new ExpressionError(where.input, expression, 'syntax', 'the expression is empty');
    const [outcome] = await this.#evaluateAll([source], scope, where.input);
    if (!outcome!.ok) throw new ExpressionError(where.input, source, outcome!.kind, outcome!.message, where.declared);
    return outcome!.value;
  }

  /**
   * Evaluates a gateway condition: JavaScript where each `${x}` reads as `(x)`. The result must be
   * a boolean; anything else fails (a string `"false"` is not silently true).
   *
   * @throws {ExpressionError} when it fails or is not a boolean.
   */
  async evaluateCondition(expression: string, scope: Record<string, unknown>, where: ExpressionSite = { input: 'condition' }): Promise<boolean> {
    const converted = conditionToExpression(expression);
    if (converted.error) throw new ExpressionError(where.input, expression, 'template', converted.error);
    const value = await this.evaluate(converted.expression, scope, where);
    if (typeof value !== 'boolean') {
      throw new ExpressionError(where.input, expression, 'result',
        `a condition must be true or false, got ${value === null ? 'null' : `${typeof value} ${truncate(JSON.stringify(value) ?? String(value))}`}`);
    }
    return value;
  }

  /**
   * Checks that each expression (JavaScript, no `${}` around it; a condition after
   * `conditionToExpression`) is syntactically valid, by compiling it in the isolate exactly as
   * {@link evaluate} would, and never running it. One call into the isolate, with the budget of a
   * batch. The host process parses nothing itself.
   *
   * Returns, per expression, the parser's message, or `undefined` when it compiles. When the
   * check itself cannot finish (budget, memory, a crashed worker) every entry is `undefined`: the
   * expressions are then checked when they run, as before.
   *
   * @example
   * await sandbox.checkSyntax(['a + 1', '1+', 'n =='])
   * // [undefined, 'Unexpected end of input', 'Unexpected end of input']
   */
  async checkSyntax(expressions: string[]): Promise<(string | undefined)[]> {
    this.#assertOpen();
    const sources = expressions.map((e) => e.trim());
    const asked = sources.filter((s) => s !== '');
    if (asked.length === 0) return sources.map(() => 'the expression is empty');
    const budget = this.timeoutMs * Math.min(asked.length, BATCH_BUDGET_CAP);
    const reply = await this.#worker.call('{}', asked, budget, true);
    this.#assertOpen();
    const outcomes = reply.ok ? parseOutcomes(reply.json) : [];
    let next = 0;
    return sources.map((s) => {
      if (s === '') return 'the expression is empty';
      const outcome = outcomes[next++];
      return outcome && !outcome.ok ? outcome.message : undefined;
    });
  }

  /** Stops the worker process and its isolate. Further calls throw {@link SandboxClosedError}. */
  close(): void {
    this.#closed = true;
    this.#worker.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new SandboxClosedError();
  }

  async #evaluateAll(expressions: string[], scope: Record<string, unknown>, input: string): Promise<Outcome[]> {
    let scopeJson: string;
    try {
      scopeJson = JSON.stringify(scopeReads(expressions, scope ?? {}));
    } catch (err) {
      throw new ExpressionError(input, expressions[0]!, 'scope', err instanceof Error ? err.message : String(err));
    }
    return this.#runBatch(expressions, scopeJson, 0);
  }

  async #runBatch(expressions: string[], scopeJson: string, attempt: number): Promise<Outcome[]> {
    this.#assertOpen();
    const budget = this.timeoutMs * Math.min(expressions.length, BATCH_BUDGET_CAP);
    const reply = await this.#worker.call(scopeJson, expressions, budget);
    this.#assertOpen();
    if (reply.ok) return parseOutcomes(reply.json);
    if (reply.failure === 'disposed') {
      // The isolate was disposed under this batch without it being blamed: run it again.
      if (attempt < 2) return this.#runBatch(expressions, scopeJson, attempt + 1);
      return expressions.map(() => ({ ok: false, kind: 'memory', message: 'the sandbox isolate was disposed repeatedly' }));
    }
    if (expressions.length > 1 && reply.failure !== 'other') return this.#runOneByOne(expressions, scopeJson);
    const message = reply.failure === 'timeout'
      ? `did not finish within ${this.timeoutMs} ms`
      : reply.failure === 'memory'
        ? `used more than ${this.memoryMb} MiB of memory`
        : reply.message;
    const kind: ExpressionFailure = reply.failure === 'timeout' || reply.failure === 'memory' ? reply.failure : 'runtime';
    return expressions.map(() => ({ ok: false, kind, message }));
  }

  /** After a batch blew a budget: find the culprit, each expression with its own budget; stops at the first failure. */
  async #runOneByOne(expressions: string[], scopeJson: string): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const expression of expressions) {
      const [outcome] = await this.#runBatch([expression], scopeJson, 0);
      outcomes.push(outcome!);
      if (!outcome!.ok) break;
    }
    return outcomes;
  }
}

function parseOutcomes(json: string): Outcome[] {
  const raw = JSON.parse(json) as Array<{ v?: unknown; u?: 1; k?: ExpressionFailure; m?: string }>;
  return raw.map((r) => {
    if (r.k !== undefined) return { ok: false, kind: r.k, message: r.m ?? '' };
    return { ok: true, value: r.u === 1 ? undefined : r.v };
  });
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
