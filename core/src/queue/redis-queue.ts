import { Queue, Worker, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { CoordinationError } from './errors.js';
import type { BackgroundErrorHandler, BulkJob, EnqueueOptions, JobHandler, ProcessOptions, QueueCounts, WorkQueue } from './interface.js';
import { assertJobName, compileBulk, compileEnqueueOptions, toJson, type CompiledEnqueueOptions } from './options.js';

/** What a Redis queue needs from its coordination. */
export interface RedisQueueContext {
  /** The shared command connection (BullMQ duplicates it for a worker's blocking reads). */
  readonly connection: Redis;
  /** BullMQ key prefix, e.g. `opsloom:queue`. */
  readonly prefix: string;
  readonly keepFailed: number;
  readonly onError: BackgroundErrorHandler;
}

/** Maps our options onto BullMQ's; `jobId` becomes a deduplication id so the key frees up when the job finishes. */
function toJobsOptions(opts: CompiledEnqueueOptions): JobsOptions {
  const jobOptions: JobsOptions = { attempts: opts.attempts };
  if (opts.delayMs > 0) jobOptions.delay = opts.delayMs;
  if (opts.backoffMs > 0) jobOptions.backoff = { type: 'fixed', delay: opts.backoffMs };
  if (opts.jobId !== undefined) jobOptions.deduplication = { id: opts.jobId };
  return jobOptions;
}

/**
 * A {@link WorkQueue} on BullMQ. Completed jobs are removed at once (the engine's own tables
 * are the record), failed ones are kept up to `keepFailed` for inspection.
 */
export class RedisWorkQueue<T> implements WorkQueue<T> {
  readonly #queue: Queue;
  #worker: Worker | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(readonly name: string, private readonly context: RedisQueueContext, private readonly onClosed: () => void) {
    this.#queue = new Queue(name, {
      connection: context.connection,
      prefix: context.prefix,
      defaultJobOptions: {
        removeOnComplete: true,
        removeOnFail: context.keepFailed === 0 ? true : { count: context.keepFailed },
      },
    });
    this.#queue.on('error', (error) => context.onError(error, `queue "${name}"`));
  }

  async add(name: string, data: T, opts?: EnqueueOptions): Promise<void> {
    this.#assertOpen();
    assertJobName(name);
    const compiled = compileEnqueueOptions(opts);
    toJson(data, `data of job "${name}"`);
    await this.#queue.add(name, data, toJobsOptions(compiled));
  }

  async addBulk(jobs: BulkJob<T>[]): Promise<void> {
    this.#assertOpen();
    const compiled = compileBulk(jobs);
    if (compiled.length === 0) return;
    await this.#queue.addBulk(compiled.map((job, i) => ({ name: job.name, data: jobs[i].data, opts: toJobsOptions(job.opts) })));
  }

  process(handler: JobHandler<T>, opts?: ProcessOptions): void {
    this.#assertOpen();
    if (this.#worker) throw new CoordinationError('queue_already_processing', `queue "${this.name}" is already being processed by this handle`);
    const concurrency = opts?.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new CoordinationError('invalid_job', `concurrency must be a whole number ≥ 1, got ${concurrency}`);
    }
    this.#worker = new Worker(
      this.name,
      async (job) => {
        // attemptsMade counts failed attempts so far, so this delivery is one more.
        await handler({ id: String(job.id), name: job.name, data: job.data as T, attempt: job.attemptsMade + 1 });
      },
      { connection: this.context.connection, prefix: this.context.prefix, concurrency },
    );
    this.#worker.on('error', (error) => this.context.onError(error, `worker of queue "${this.name}"`));
  }

  async counts(): Promise<QueueCounts> {
    const c = await this.#queue.getJobCounts('wait', 'prioritized', 'delayed', 'active', 'failed');
    return {
      waiting: (c.wait ?? 0) + (c.prioritized ?? 0),
      delayed: c.delayed ?? 0,
      active: c.active ?? 0,
      failed: c.failed ?? 0,
    };
  }

  close(): Promise<void> {
    if (!this.#closing) {
      this.#closed = true;
      this.onClosed();
      this.#closing = (async () => {
        // The worker first: it waits for running handlers, then releases its blocking connection.
        await this.#worker?.close();
        await this.#queue.close();
      })();
    }
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closed) throw new CoordinationError('queue_closed', `queue "${this.name}" handle is closed; ask the coordination for a new one`);
  }
}
