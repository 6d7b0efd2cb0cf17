/**
 * A child process for redis-coordination.test.ts: it acquires a lease, keeps renewing it like
 * a live holder would, says so on stdout, and waits to be killed.
 * argv: redisUrl prefix key ttlMs
 */
import { createCoordination } from './index.js';
import { keepLease } from './lease-keeper.js';

const [redisUrl, prefix, key, ttl] = process.argv.slice(2);
const ttlMs = Number(ttl);
const coordination = createCoordination({ redisUrl, prefix });
const lease = await coordination.leases.acquire(key, ttlMs);
if (!lease) {
  process.stdout.write('busy\n');
  process.exit(2);
}
keepLease(lease, { ttlMs, intervalMs: Math.floor(ttlMs / 5), onLost: () => process.exit(3) });
process.stdout.write(`acquired ${lease.token}\n`);
// The Redis connection keeps this process alive until the test kills it.
