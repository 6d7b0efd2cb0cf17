import type { UnsequencedMessage } from './outbox.js';
import type { RunScriptMessage } from './protocol/index.js';
import type { RunningScript, ScriptRunner } from './script-runner.js';

interface RunEntry {
  spec: RunScriptMessage;
  running: RunningScript | null;
}

/** How many finished run ids are remembered to ignore a repeated `run`. */
const REMEMBERED_RUNS = 256;

/**
 * The runs of one agent: at most `limit` running, the rest queued in arrival order. Reports every step
 * as an outbox message through `post`. A `run` repeated by core (it re-sends after a reconnect when
 * unsure) is ignored while the run is known or recently finished, so a script never runs twice.
 */
export class RunManager {
  #runs = new Map<string, RunEntry>();
  #queue: string[] = [];
  #running = 0;
  #recent: string[] = [];
  #recentSet = new Set<string>();
  #idle: (() => void)[] = [];

  constructor(
    private readonly runner: ScriptRunner,
    private readonly limit: number,
    private readonly post: (message: UnsequencedMessage) => void,
  ) {}

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Runs queued or running. */
  ids(): IterableIterator<string> {
    return this.#runs.keys();
  }

  /** Accepts a `run`; returns false when it was a repeat and was ignored. */
  submit(spec: RunScriptMessage): boolean {
    if (this.#runs.has(spec.runId) || this.#recentSet.has(spec.runId)) return false;
    const entry: RunEntry = { spec, running: null };
    this.#runs.set(spec.runId, entry);
    if (this.#running < this.limit) this.#launch(entry);
    else {
      this.#queue.push(spec.runId);
      this.post({ type: 'run-state', runId: spec.runId, state: 'queued', at: Date.now() });
    }
    return true;
  }

  /** Cancels a queued or running run; unknown ids are ignored (the run already ended). */
  cancel(runId: string): void {
    const entry = this.#runs.get(runId);
    if (!entry) return;
    if (entry.running) {
      entry.running.cancel();
      return;
    }
    this.#queue = this.#queue.filter((id) => id !== runId);
    this.#finish(runId, {
      type: 'result', runId, exitCode: null, signal: null, tag: null, startedAt: null, endedAt: Date.now(),
      timedOut: false, cancelled: true, logBytes: 0, logTruncated: false, failure: null,
    });
  }

  /** Cancels everything and resolves when no run is left. */
  async cancelAll(): Promise<void> {
    for (const id of [...this.#queue]) this.cancel(id);
    for (const id of [...this.#runs.keys()]) this.cancel(id);
    if (this.#runs.size > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #launch(entry: RunEntry): void {
    const { runId } = entry.spec;
    this.#running++;
    entry.running = this.runner.start(entry.spec, {
      started: (at) => this.post({ type: 'run-state', runId, state: 'running', at }),
      output: (chunk) => this.post({ type: 'output', runId, offset: chunk.offset, data: chunk.bytes.toString('base64'), stream: chunk.stream }),
    });
    entry.running.outcome.then((outcome) => {
      this.#running--;
      this.#finish(runId, { type: 'result', runId, ...outcome });
      this.#pump();
    }, (err: unknown) => {
      // The runner turns every expected failure into an outcome; this is a bug, still reported as a result.
      this.#running--;
      this.#finish(runId, {
        type: 'result', runId, exitCode: null, signal: null, tag: null, startedAt: null, endedAt: Date.now(), timedOut: false,
        cancelled: false, logBytes: 0, logTruncated: false, failure: { code: 'AGENT_INTERNAL', message: String((err as Error)?.message ?? err) },
      });
      this.#pump();
    });
  }

  #finish(runId: string, result: UnsequencedMessage): void {
    this.#runs.delete(runId);
    this.#recent.push(runId);
    this.#recentSet.add(runId);
    if (this.#recent.length > REMEMBERED_RUNS) this.#recentSet.delete(this.#recent.shift() as string);
    this.post(result);
    if (this.#runs.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  #pump(): void {
    while (this.#running < this.limit && this.#queue.length > 0) {
      const entry = this.#runs.get(this.#queue.shift() as string);
      if (entry) this.#launch(entry);
    }
  }
}
