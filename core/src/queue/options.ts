import { CoordinationError } from './errors.js';
import type { BackgroundErrorHandler, BulkJob, EnqueueOptions } from './interface.js';

/** Options of {@link createCoordination}. */
export interface CoordinationOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://…`; unset = in-process engine. */
  redisUrl?: string;
  /** Prefix of every Redis key and channel, so deployments (and tests) can share a server. @default 'opsloom' */
  prefix?: string;
  /** Where errors with no caller go (event handler failures, connection drops). @default console.error */
  onError?: BackgroundErrorHandler;
  /** Failed jobs kept per queue for inspection. @default 1000 */
  keepFailed?: number;
}

/** {@link CoordinationOptions} with defaults applied and values checked. */
export interface CompiledCoordinationOptions {
  redisUrl: string | undefined;
  prefix: string;
  onError: BackgroundErrorHandler;
  keepFailed: number;
}

/** {@link EnqueueOptions} with defaults applied. */
export interface CompiledEnqueueOptions {
  delayMs: number;
  jobId: string | undefined;
  attempts: number;
  backoffMs: number;
}

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** Queue names become Redis key parts, so no ':' (BullMQ's separator) and nothing exotic. */
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function defaultOnError(error: unknown, context: string): void {
  console.error(`opsloom coordination: ${context}:`, error);
}

/** Applies defaults and rejects unusable options at start-up. */
export function compileCoordinationOptions(options: CoordinationOptions): CompiledCoordinationOptions {
  const { redisUrl, prefix = 'opsloom', onError = defaultOnError, keepFailed = 1000 } = options;
  if (redisUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(redisUrl);
    } catch {
      throw new CoordinationError('invalid_coordination_options', `Redis URL "${redisUrl}" is not a URL; expected redis://host:port[/db]`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new CoordinationError('invalid_coordination_options', `Redis URL must start with redis:// or rediss://, got "${url.protocol}//"`);
    }
  }
  if (!PREFIX.test(prefix)) {
    throw new CoordinationError('invalid_coordination_options', `key prefix "${prefix}" must be 1-64 characters of letters, digits, '.', '_', ':' or '-'`);
  }
  if (!Number.isInteger(keepFailed) || keepFailed < 0) {
    throw new CoordinationError('invalid_coordination_options', `keepFailed must be a whole number ≥ 0, got ${keepFailed}`);
  }
  return { redisUrl, prefix, onError, keepFailed };
}

/** Throws unless `name` can name a queue on every engine. */
export function assertQueueName(name: string): void {
  if (!QUEUE_NAME.test(name)) {
    throw new CoordinationError('invalid_queue_name', `queue name "${name}" must be 1-100 characters of letters, digits, '.', '_' or '-'`);
  }
}

function wholeAtLeast(value: number | undefined, fallback: number, min: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new CoordinationError('invalid_job', `${what} must be a whole number ≥ ${min}, got ${value}`);
  }
  return value;
}

/** Applies defaults to one job's options; throws on nonsense such as negative delays. */
export function compileEnqueueOptions(opts: EnqueueOptions | undefined): CompiledEnqueueOptions {
  const jobId = opts?.jobId;
  if (jobId !== undefined && (typeof jobId !== 'string' || jobId.length === 0)) {
    throw new CoordinationError('invalid_job', 'jobId must be a non-empty string');
  }
  return {
    delayMs: wholeAtLeast(opts?.delayMs, 0, 0, 'delayMs'),
    jobId,
    attempts: wholeAtLeast(opts?.attempts, 1, 1, 'attempts'),
    backoffMs: wholeAtLeast(opts?.backoffMs, 0, 0, 'backoffMs'),
  };
}

/** Checks a job name; both engines accept any non-empty string. */
export function assertJobName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new CoordinationError('invalid_job', 'job name must be a non-empty string');
  }
}

/**
 * Serialises job data or an event message. Both engines move JSON, so the in-process one
 * serialises too: a Date or a class instance arrives as it would through Redis.
 */
export function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new CoordinationError('invalid_job', `${what} is not serialisable to JSON: ${(error as Error).message}`);
  }
  if (text === undefined) {
    throw new CoordinationError('invalid_job', `${what} is not serialisable to JSON (got ${typeof value})`);
  }
  return text;
}

/** Validates a bulk add up front, so a bad entry adds nothing. */
export function compileBulk<T>(jobs: BulkJob<T>[]): { name: string; json: string; opts: CompiledEnqueueOptions }[] {
  return jobs.map((job) => {
    assertJobName(job.name);
    return { name: job.name, json: toJson(job.data, `data of job "${job.name}"`), opts: compileEnqueueOptions(job.opts) };
  });
}

/** Throws unless `ttlMs` is a usable lease duration. */
export function assertTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1) {
    throw new CoordinationError('invalid_lease', `lease ttl must be a whole number of ms ≥ 1, got ${ttlMs}`);
  }
}

/** Throws unless `key` can name a lease. */
export function assertLeaseKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
    throw new CoordinationError('invalid_lease', 'lease key must be a string of 1-200 characters');
  }
}
