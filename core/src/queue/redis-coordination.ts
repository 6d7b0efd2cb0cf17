import { Redis } from 'ioredis';
import { UnavailableError } from '../errors.js';
import { CoordinationError } from './errors.js';
import type { BackgroundErrorHandler, Coordination, WorkQueue } from './interface.js';
import { assertQueueName, type CompiledCoordinationOptions } from './options.js';
import { RedisEventBus } from './redis-events.js';
import { RedisLeaseManager } from './redis-leases.js';
import { RedisWorkQueue } from './redis-queue.js';

/** How long /readyz waits for a PING before calling Redis unavailable. */
const READY_TIMEOUT_MS = 2000;

/**
 * Opens a connection that reports an outage once (not on every reconnect attempt) and
 * retries commands until Redis is back: BullMQ requires `maxRetriesPerRequest: null`.
 */
function connect(url: string, name: string, onError: BackgroundErrorHandler): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: name });
  let reported = false;
  redis.on('error', (error: unknown) => {
    if (reported) return;
    reported = true;
    onError(error, `Redis connection ${name}`);
  });
  redis.on('ready', () => { reported = false; });
  return redis;
}

/**
 * The cluster engine: BullMQ queues, Redis pub/sub and Redis leases, under one key prefix.
 * Connections: one shared for commands (queues, workers' bookkeeping, leases, publish), one
 * subscriber (on first subscribe), and one blocking connection per processing queue (BullMQ's).
 */
export class RedisCoordination implements Coordination {
  readonly kind = 'redis';
  readonly events: RedisEventBus;
  readonly leases: RedisLeaseManager;
  readonly #commands: Redis;
  readonly #queues = new Map<string, RedisWorkQueue<unknown>>();
  #closed = false;

  constructor(private readonly options: CompiledCoordinationOptions & { redisUrl: string }) {
    const { redisUrl, prefix, onError } = options;
    this.#commands = connect(redisUrl, `${prefix}:commands`, onError);
    this.events = new RedisEventBus(this.#commands, `${prefix}:events:`, () => connect(redisUrl, `${prefix}:events`, onError), onError);
    this.leases = new RedisLeaseManager(this.#commands, `${prefix}:lease:`, () => this.#closed);
  }

  queue<T>(name: string): WorkQueue<T> {
    if (this.#closed) throw new CoordinationError('coordination_closed', 'the coordination is closed');
    assertQueueName(name);
    const open = this.#queues.get(name);
    if (open) return open as WorkQueue<T>;
    const context = { connection: this.#commands, prefix: `${this.options.prefix}:queue`, keepFailed: this.options.keepFailed, onError: this.options.onError };
    const handle: RedisWorkQueue<unknown> = new RedisWorkQueue<unknown>(name, context, () => {
      if (this.#queues.get(name) === handle) this.#queues.delete(name);
    });
    this.#queues.set(name, handle);
    return handle as WorkQueue<T>;
  }

  async ready(): Promise<void> {
    if (this.#closed) throw new CoordinationError('coordination_closed', 'the coordination is closed');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UnavailableError(`Redis did not answer PING within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.#commands.ping(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    await this.events.close();
    await this.#commands.quit().catch(() => this.#commands.disconnect());
  }
}
