/**
 * Slows password guessing: after `freeFailures` failed logins for the same username from the same
 * address, further attempts are refused for a lock-out that doubles with each failure (capped).
 * Kept in memory: in a cluster each process throttles on its own, which still bounds guessing.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();
  constructor(private readonly freeFailures = 5, private readonly baseLockMs = 1000, private readonly maxLockMs = 5 * 60_000) {}

  /** Milliseconds until another attempt is allowed; 0 when allowed now. */
  retryAfterMs(username: string, ip: string, now = Date.now()): number {
    const f = this.failures.get(`${username}\u0000${ip}`);
    return f && f.lockedUntil > now ? f.lockedUntil - now : 0;
  }

  fail(username: string, ip: string, now = Date.now()): void {
    const key = `${username}\u0000${ip}`;
    const f = this.failures.get(key) ?? { count: 0, lockedUntil: 0 };
    f.count++;
    if (f.count > this.freeFailures) {
      f.lockedUntil = now + Math.min(this.maxLockMs, this.baseLockMs * 2 ** (f.count - this.freeFailures - 1));
    }
    this.failures.set(key, f);
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
  }

  succeed(username: string, ip: string): void {
    this.failures.delete(`${username}\u0000${ip}`);
  }
}
