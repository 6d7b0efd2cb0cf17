/**
 * The coordination contract core runs on: work queues, an event bus and leases. Two engines
 * implement it side by side — in-process (`memory-*.ts`, the embedded default) and Redis
 * (`redis-*.ts`, BullMQ + ioredis, for clusters) — and one contract suite tests both.
 * Everything that crosses this interface is JSON: job data and event messages are serialised
 * by both engines, so code that works embedded behaves the same in a cluster.
 */

/** One delivery of a job to a handler. */
export interface Job<T = unknown> {
  /** Engine-assigned id (the `jobId` option is a deduplication key, not this id). */
  id: string;
  name: string;
  /** The JSON copy of what was added. */
  data: T;
  /** 1 on the first delivery, 2 on the first retry, … */
  attempt: number;
}

/** Per-job options of {@link WorkQueue.add}. */
export interface EnqueueOptions {
  /** Deliver no earlier than this many ms from now. @default 0 */
  delayMs?: number;
  /**
   * Deduplication key: while a job added with this key is pending (waiting, delayed, active or
   * waiting for a retry), adding another job with the same key does nothing.
   */
  jobId?: string;
  /** Total deliveries before the job counts as failed. @default 1 */
  attempts?: number;
  /** Fixed pause between a failed attempt and the next. @default 0 */
  backoffMs?: number;
}

/** A job to add in {@link WorkQueue.addBulk}. */
export interface BulkJob<T = unknown> {
  name: string;
  data: T;
  opts?: EnqueueOptions;
}

/** Counts of jobs per state (failed = the bounded number of failed jobs kept). */
export interface QueueCounts {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
}

/** Options of {@link WorkQueue.process}. */
export interface ProcessOptions {
  /** Jobs run at once by this consumer. @default 1 */
  concurrency?: number;
}

/** Handles one job; a rejection is a failed attempt (retried per `attempts`/`backoffMs`). */
export type JobHandler<T = unknown> = (job: Job<T>) => Promise<void>;

/**
 * A named queue of jobs, delivered at least once to a consumer.
 *
 * @example
 * const q = coordination.queue<{ taskId: string }>('flow-steps');
 * q.process(async (job) => engine.advance(job.data.taskId), { concurrency: 8 });
 * await q.add('advance', { taskId: 't1' }, { jobId: 't1:n3', attempts: 3, backoffMs: 500 });
 */
export interface WorkQueue<T = unknown> {
  readonly name: string;
  add(name: string, data: T, opts?: EnqueueOptions): Promise<void>;
  addBulk(jobs: BulkJob<T>[]): Promise<void>;
  /** Starts consuming (once per queue handle); handler throwing = failed attempt. */
  process(handler: JobHandler<T>, opts?: ProcessOptions): void;
  /** Counts for /metrics and tests. */
  counts(): Promise<QueueCounts>;
  /** Stops consuming (waits for running handlers) and detaches this handle; pending jobs stay queued. */
  close(): Promise<void>;
}

/** Removes a subscription. */
export type Unsubscribe = () => Promise<void>;

/**
 * Publish/subscribe of JSON messages on named channels; every subscriber (in every process
 * sharing the engine) receives every message published after its subscription resolved.
 */
export interface EventBus {
  publish(channel: string, message: unknown): Promise<void>;
  /** Publishes several messages in this order, in one round trip where the bus has them. */
  publishAll(messages: readonly { channel: string; message: unknown }[]): Promise<void>;
  /** Resolves once the subscription is active. Handler errors are reported, never thrown back. */
  subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe>;
  close(): Promise<void>;
}

/** An exclusive, expiring claim on a key (e.g. "the scheduler role", "task t1"). */
export interface Lease {
  readonly key: string;
  /** Random proof of ownership: only the holder of this token can renew or release. */
  readonly token: string;
  /** Extends the lease to `ttlMs` from now (default: the ttl it was acquired with); false if lost. */
  renew(ttlMs?: number): Promise<boolean>;
  /** Gives the lease up if still held (no effect once lost). */
  release(): Promise<void>;
}

/** Hands out leases; a lease whose holder stops renewing expires after its ttl. */
export interface LeaseManager {
  /** The lease, or null when someone else holds the key. */
  acquire(key: string, ttlMs: number): Promise<Lease | null>;
  /** true if someone holds it */
  isHeld(key: string): Promise<boolean>;
}

/** The queue, events and leases of one process, on one engine. */
export interface Coordination {
  /** Which engine this is (for logs and /readyz). */
  readonly kind: 'memory' | 'redis';
  /** The queue of this name (the same handle until it is closed). */
  queue<T>(name: string): WorkQueue<T>;
  readonly events: EventBus;
  readonly leases: LeaseManager;
  /** ping for /readyz; rejects when the engine is unreachable */
  ready(): Promise<void>;
  /** Closes queues, subscriptions and connections. */
  close(): Promise<void>;
}

/** Receives errors that have no caller to go to (a failing event handler, a dropped connection). */
export type BackgroundErrorHandler = (error: unknown, context: string) => void;
