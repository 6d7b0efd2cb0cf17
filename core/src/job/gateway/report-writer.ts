import type { OutboxMessage } from '@opsloom/agent/protocol';

/** One outbox message received from an authenticated agent, waiting to be stored. */
export interface AgentReport {
  agentId: string;
  message: OutboxMessage;
}

/** What the store did with a batch: the reports it refused (run not given to that agent). */
export interface ReportOutcome {
  refused: Set<AgentReport>;
}

/** Options of {@link ReportWriter}. */
export interface ReportWriterOptions {
  /** Longest a report waits for company before being written. @default 5 */
  maxDelayMs?: number;
  /** Most reports written in one transaction. @default 2000 */
  maxBatch?: number;
}

interface Item {
  report: AgentReport;
  done(ok: boolean, refused: boolean): void;
}

/**
 * Group commit for agent reports: output chunks, run states and results from every connection are
 * gathered for a few milliseconds and written in one transaction, and only then acknowledged. A
 * thousand agents finishing at once cost a handful of transactions instead of thousands.
 */
export class ReportWriter {
  #queue: Item[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;
  readonly #maxDelayMs: number;
  readonly #maxBatch: number;

  constructor(
    private readonly store: (reports: AgentReport[]) => Promise<ReportOutcome>,
    private readonly onError: (err: unknown) => void,
    options: ReportWriterOptions = {},
  ) {
    this.#maxDelayMs = options.maxDelayMs ?? 5;
    this.#maxBatch = options.maxBatch ?? 2000;
  }

  /** Queues a report; `done` runs after the batch holding it was written (ok) or failed. */
  add(report: AgentReport, done: (ok: boolean, refused: boolean) => void): void {
    this.#queue.push({ report, done });
    if (this.#flushing) return;
    if (this.#queue.length >= this.#maxBatch) this.#kick(0);
    else if (!this.#timer) this.#kick(this.#maxDelayMs);
  }

  /** Writes whatever is queued and resolves when the queue is empty. */
  async drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#flushing) {
      if (this.#flushing) await this.#flushing;
      else await this.#flush();
    }
  }

  #kick(delay: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#flush();
    }, delay);
  }

  #flush(): Promise<void> {
    if (this.#flushing || this.#queue.length === 0) return this.#flushing ?? Promise.resolve();
    const batch = this.#queue.splice(0, this.#maxBatch);
    this.#flushing = (async () => {
      let outcome: ReportOutcome | null = null;
      try {
        outcome = await this.store(batch.map((i) => i.report));
      } catch (err) {
        this.onError(err);
      }
      for (const item of batch) {
        try {
          item.done(outcome !== null, outcome?.refused.has(item.report) ?? false);
        } catch (err) {
          this.onError(err);
        }
      }
    })().finally(() => {
      this.#flushing = null;
      if (this.#queue.length > 0) this.#kick(this.#queue.length >= this.#maxBatch ? 0 : this.#maxDelayMs);
    });
    return this.#flushing;
  }
}
