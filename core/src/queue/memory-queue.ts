import { CoordinationError } from './errors.js';
import type { BulkJob, EnqueueOptions, JobHandler, ProcessOptions, QueueCounts, WorkQueue } from './interface.js';
import { assertJobName, compileBulk, compileEnqueueOptions, toJson, type CompiledEnqueueOptions } from './options.js';

/** A job as the in-process engine keeps it: data stays JSON so every delivery gets a fresh copy. */
interface StoredJob {
  readonly id: string;
  readonly name: string;
  readonly json: string;
  readonly opts: CompiledEnqueueOptions;
  /** Deliveries that have failed so far. */
  failures: number;
  timer?: NodeJS.Timeout;
}

interface Consumer {
  readonly handler: JobHandler<unknown>;
  readonly concurrency: number;
  running: number;
  /** Called when `running` drops to 0 while the consumer is stopping. */
  onIdle?: () => void;
}

/** setTimeout cannot wait longer than this; longer delays re-arm until due. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The jobs of one in-process queue, shared by the successive handles of that name.
 * Dispatch is a setImmediate hop, not a poll: a job added while a consumer has a free slot
 * starts on the next turn of the event loop (and I/O still gets its turn between jobs).
 */
export class MemoryQueueState {
  readonly #waiting: StoredJob[] = [];
  #head = 0;
  readonly #delayed = new Map<string, StoredJob>();
  readonly #failed: StoredJob[] = [];
  /** Deduplication keys of pending jobs. */
  readonly #pendingKeys = new Set<string>();
  #consumer: Consumer | undefined;
  #active = 0;
  #nextId = 1;
  #pumpScheduled = false;
  #closed = false;

  constructor(readonly name: string, private readonly keepFailed: number) {}

  enqueue(name: string, json: string, opts: CompiledEnqueueOptions): void {
    if (this.#closed) throw new CoordinationError('coordination_closed', `queue "${this.name}" belongs to a closed coordination`);
    if (opts.jobId !== undefined) {
      if (this.#pendingKeys.has(opts.jobId)) return;
      this.#pendingKeys.add(opts.jobId);
    }
    const job: StoredJob = { id: String(this.#nextId++), name, json, opts, failures: 0 };
    if (opts.delayMs > 0) this.#delay(job, Date.now() + opts.delayMs);
    else this.#makeWaiting(job);
  }

  counts(): QueueCounts {
    return { waiting: this.#waiting.length - this.#head, delayed: this.#delayed.size, active: this.#active, failed: this.#failed.length };
  }

  attach(handler: JobHandler<unknown>, concurrency: number): Consumer {
    if (this.#consumer) throw new CoordinationError('queue_already_processing', `queue "${this.name}" already has a consumer in this process`);
    const consumer: Consumer = { handler, concurrency, running: 0 };
    this.#consumer = consumer;
    this.#schedulePump();
    return consumer;
  }

  /** Stops giving jobs to `consumer`; resolves when its running handlers have settled. */
  detach(consumer: Consumer): Promise<void> {
    if (this.#consumer === consumer) this.#consumer = undefined;
    if (consumer.running === 0) return Promise.resolve();
    return new Promise((resolve) => { consumer.onIdle = resolve; });
  }

  /** Drops timers; jobs still queued are lost with the process, as the in-process engine promises nothing more. */
  close(): void {
    this.#closed = true;
    for (const job of this.#delayed.values()) clearTimeout(job.timer);
    this.#delayed.clear();
  }

  #delay(job: StoredJob, dueAt: number): void {
    const wait = Math.min(Math.max(dueAt - Date.now(), 0), MAX_TIMER_MS);
    job.timer = setTimeout(() => {
      if (Date.now() < dueAt) { this.#delay(job, dueAt); return; }
      this.#delayed.delete(job.id);
      job.timer = undefined;
      this.#makeWaiting(job);
    }, wait);
    this.#delayed.set(job.id, job);
  }

  #makeWaiting(job: StoredJob): void {
    this.#waiting.push(job);
    this.#schedulePump();
  }

  #takeWaiting(): StoredJob | undefined {
    if (this.#head >= this.#waiting.length) return undefined;
    const job = this.#waiting[this.#head];
    this.#waiting[this.#head++] = undefined as unknown as StoredJob;
    // Compact now and then so the array does not grow forever (amortised O(1) dequeue).
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
    return job;
  }

  #schedulePump(): void {
    if (this.#pumpScheduled || !this.#consumer) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    const consumer = this.#consumer;
    if (!consumer || this.#closed) return;
    while (consumer.running < consumer.concurrency) {
      const job = this.#takeWaiting();
      if (!job) return;
      void this.#run(consumer, job);
    }
  }

  async #run(consumer: Consumer, job: StoredJob): Promise<void> {
    consumer.running++;
    this.#active++;
    let failed = false;
    try {
      await consumer.handler({ id: job.id, name: job.name, data: JSON.parse(job.json) as unknown, attempt: job.failures + 1 });
    } catch {
      failed = true;
    }
    consumer.running--;
    this.#active--;
    if (failed) this.#settleFailure(job);
    else if (job.opts.jobId !== undefined) this.#pendingKeys.delete(job.opts.jobId);
    if (consumer.running === 0 && consumer.onIdle) consumer.onIdle();
    this.#schedulePump();
  }

  #settleFailure(job: StoredJob): void {
    job.failures++;
    if (job.failures < job.opts.attempts && !this.#closed) {
      if (job.opts.backoffMs > 0) this.#delay(job, Date.now() + job.opts.backoffMs);
      else this.#makeWaiting(job);
      return;
    }
    if (job.opts.jobId !== undefined) this.#pendingKeys.delete(job.opts.jobId);
    if (this.keepFailed === 0) return;
    this.#failed.push(job);
    if (this.#failed.length > this.keepFailed) this.#failed.shift();
  }
}

/** A handle on an in-process queue; see {@link WorkQueue}. */
export class MemoryWorkQueue<T> implements WorkQueue<T> {
  #consumer: Consumer | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(private readonly state: MemoryQueueState, private readonly onClosed: () => void) {}

  get name(): string {
    return this.state.name;
  }

  async add(name: string, data: T, opts?: EnqueueOptions): Promise<void> {
    this.#assertOpen();
    assertJobName(name);
    const compiled = compileEnqueueOptions(opts);
    this.state.enqueue(name, toJson(data, `data of job "${name}"`), compiled);
  }

  async addBulk(jobs: BulkJob<T>[]): Promise<void> {
    this.#assertOpen();
    for (const job of compileBulk(jobs)) this.state.enqueue(job.name, job.json, job.opts);
  }

  process(handler: JobHandler<T>, opts?: ProcessOptions): void {
    this.#assertOpen();
    if (this.#consumer) throw new CoordinationError('queue_already_processing', `queue "${this.name}" is already being processed by this handle`);
    const concurrency = opts?.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new CoordinationError('invalid_job', `concurrency must be a whole number ≥ 1, got ${concurrency}`);
    }
    this.#consumer = this.state.attach(handler as JobHandler<unknown>, concurrency);
  }

  async counts(): Promise<QueueCounts> {
    return this.state.counts();
  }

  close(): Promise<void> {
    if (!this.#closing) {
      this.#closed = true;
      this.onClosed();
      this.#closing = this.#consumer ? this.state.detach(this.#consumer) : Promise.resolve();
    }
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closed) throw new CoordinationError('queue_closed', `queue "${this.name}" handle is closed; ask the coordination for a new one`);
  }
}
