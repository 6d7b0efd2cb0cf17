/**
 * A token bucket per plugin version: `rate` host calls per second, bursts up to `rate`.
 * Refuses instead of queueing, so a runaway plugin learns at once and the host never buffers for it.
 */
export class HostCallRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes one token for `key`; false when the plugin is over its rate. */
  take(key: string, rate: number, now = performance.now()): boolean {
    let b = this.#buckets.get(key);
    if (!b) {
      b = { tokens: rate, at: now };
      this.#buckets.set(key, b);
    }
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Forgets buckets idle long enough to be full again. */
  sweep(now = performance.now()): void {
    for (const [key, b] of this.#buckets) if (now - b.at > 60_000) this.#buckets.delete(key);
  }
}
