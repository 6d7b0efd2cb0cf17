import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CoordinationError } from './errors.js';
import type { Lease, LeaseManager } from './interface.js';
import { assertLeaseKey, assertTtl } from './options.js';

interface Holding {
  readonly token: string;
  /** performance.now() deadline: monotonic, so a wall-clock jump does not expire or revive leases. */
  expiresAt: number;
}

/** In-process {@link LeaseManager}: a map of holdings checked lazily against a monotonic clock. */
export class MemoryLeaseManager implements LeaseManager {
  readonly #holdings = new Map<string, Holding>();
  #closed = false;

  async acquire(key: string, ttlMs: number): Promise<Lease | null> {
    this.#assertOpen();
    assertLeaseKey(key);
    assertTtl(ttlMs);
    if (this.#current(key)) return null;
    const holding: Holding = { token: randomUUID(), expiresAt: performance.now() + ttlMs };
    this.#holdings.set(key, holding);
    return new MemoryLease(this, key, holding.token, ttlMs);
  }

  async isHeld(key: string): Promise<boolean> {
    this.#assertOpen();
    return this.#current(key) !== undefined;
  }

  /** @internal used by {@link MemoryLease} */
  renew(key: string, token: string, ttlMs: number): boolean {
    this.#assertOpen();
    const holding = this.#current(key);
    if (!holding || holding.token !== token) return false;
    holding.expiresAt = performance.now() + ttlMs;
    return true;
  }

  /** @internal used by {@link MemoryLease} */
  release(key: string, token: string): void {
    if (this.#holdings.get(key)?.token === token) this.#holdings.delete(key);
  }

  close(): void {
    this.#closed = true;
    this.#holdings.clear();
  }

  #current(key: string): Holding | undefined {
    const holding = this.#holdings.get(key);
    if (holding && holding.expiresAt <= performance.now()) {
      this.#holdings.delete(key);
      return undefined;
    }
    return holding;
  }

  #assertOpen(): void {
    if (this.#closed) throw new CoordinationError('coordination_closed', 'the lease manager is closed');
  }
}

class MemoryLease implements Lease {
  constructor(private readonly manager: MemoryLeaseManager, readonly key: string, readonly token: string, private readonly ttlMs: number) {}

  async renew(ttlMs: number = this.ttlMs): Promise<boolean> {
    assertTtl(ttlMs);
    return this.manager.renew(this.key, this.token, ttlMs);
  }

  async release(): Promise<void> {
    this.manager.release(this.key, this.token);
  }
}
