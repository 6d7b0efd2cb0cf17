import type { Coordination } from './interface.js';
import { MemoryCoordination } from './memory-coordination.js';
import { compileCoordinationOptions, type CoordinationOptions } from './options.js';
import { RedisCoordination } from './redis-coordination.js';

export type * from './interface.js';
export { CoordinationError, type CoordinationErrorCode } from './errors.js';
export type { CoordinationOptions } from './options.js';
export { keepLease, type KeepLeaseOptions, type LeaseKeeper } from './lease-keeper.js';

/**
 * The queue, event bus and leases of this process: in-process unless `redisUrl` is set
 * (`OPSLOOM_REDIS`), then BullMQ + Redis pub/sub + Redis leases shared by every core process.
 * Throws a {@link CoordinationError} on unusable options; connecting happens in the background,
 * so await `ready()` before reporting ready.
 *
 * @example
 * const coordination = createCoordination({ redisUrl: config.redisUrl });
 * await coordination.ready();
 * const steps = coordination.queue<{ taskId: string }>('flow-steps');
 */
export function createCoordination(options: CoordinationOptions = {}): Coordination {
  const compiled = compileCoordinationOptions(options);
  const { redisUrl } = compiled;
  return redisUrl === undefined ? new MemoryCoordination(compiled) : new RedisCoordination({ ...compiled, redisUrl });
}
