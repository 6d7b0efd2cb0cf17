import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CoordinationError } from './errors.js';
import type { Lease, LeaseManager } from './interface.js';
import { assertLeaseKey, assertTtl } from './options.js';

/** Extends the lease only if the caller still holds it (same token). */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the lease only if the caller still holds it: an expired holder must not free a successor's lease. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * {@link LeaseManager} on Redis: a lease is `SET key token NX PX ttl`, so Redis itself expires
 * it when its holder dies and stops renewing.
 */
export class RedisLeaseManager implements LeaseManager {
  /** @param keyPrefix e.g. `opsloom:lease:` */
  constructor(private readonly redis: Redis, private readonly keyPrefix: string, private readonly isClosed: () => boolean) {}

  async acquire(key: string, ttlMs: number): Promise<Lease | null> {
    this.#assertOpen();
    assertLeaseKey(key);
    assertTtl(ttlMs);
    const token = randomUUID();
    const ok = await this.redis.set(this.keyPrefix + key, token, 'PX', ttlMs, 'NX');
    return ok === 'OK' ? new RedisLease(this.redis, this.keyPrefix + key, key, token, ttlMs) : null;
  }

  async isHeld(key: string): Promise<boolean> {
    this.#assertOpen();
    assertLeaseKey(key);
    return (await this.redis.exists(this.keyPrefix + key)) === 1;
  }

  #assertOpen(): void {
    if (this.isClosed()) throw new CoordinationError('coordination_closed', 'the lease manager is closed');
  }
}

class RedisLease implements Lease {
  constructor(
    private readonly redis: Redis,
    private readonly redisKey: string,
    readonly key: string,
    readonly token: string,
    private readonly ttlMs: number,
  ) {}

  async renew(ttlMs: number = this.ttlMs): Promise<boolean> {
    assertTtl(ttlMs);
    return (await this.redis.eval(RENEW, 1, this.redisKey, this.token, ttlMs)) === 1;
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.redisKey, this.token);
  }
}
