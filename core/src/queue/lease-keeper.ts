import type { Lease } from './interface.js';

/** Options of {@link keepLease}. */
export interface KeepLeaseOptions {
  /** The ttl each renewal sets. */
  ttlMs: number;
  /** Time between renewals; a third of the ttl leaves room for two slow or failed renewals. @default ttlMs / 3 */
  intervalMs?: number;
  /** Called once when the lease is lost (someone else holds it, or renewals kept failing past its ttl). */
  onLost: (reason: 'taken' | 'unreachable') => void;
  /** Called with errors of single renewals that will be retried. */
  onRenewError?: (error: unknown) => void;
}

/** A running renewal loop. */
export interface LeaseKeeper {
  /** Stops renewing (does not release the lease). */
  stop(): void;
}

/**
 * Renews `lease` in the background until stopped or lost. The timer is unref'd: holding a
 * lease never keeps a process alive on its own, and a process that dies simply stops renewing,
 * so its lease expires after at most one ttl.
 *
 * @example
 * const lease = await coordination.leases.acquire('role:scheduler', 10_000);
 * if (lease) keepLease(lease, { ttlMs: 10_000, onLost: () => scheduler.stop() });
 */
export function keepLease(lease: Lease, options: KeepLeaseOptions): LeaseKeeper {
  const { ttlMs, intervalMs = Math.max(1, Math.floor(ttlMs / 3)), onLost, onRenewError } = options;
  let stopped = false;
  let lastRenewed = Date.now();
  let timer: NodeJS.Timeout | undefined;

  const lose = (reason: 'taken' | 'unreachable'): void => {
    if (stopped) return;
    stopped = true;
    onLost(reason);
  };
  const tick = async (): Promise<void> => {
    try {
      if (await lease.renew(ttlMs)) lastRenewed = Date.now();
      else return lose('taken');
    } catch (error) {
      onRenewError?.(error);
      if (Date.now() - lastRenewed >= ttlMs) return lose('unreachable');
    }
    schedule();
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
