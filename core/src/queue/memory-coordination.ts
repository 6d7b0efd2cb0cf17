import { CoordinationError } from './errors.js';
import type { Coordination, WorkQueue } from './interface.js';
import { MemoryEventBus } from './memory-events.js';
import { MemoryLeaseManager } from './memory-leases.js';
import { MemoryQueueState, MemoryWorkQueue } from './memory-queue.js';
import { assertQueueName, type CompiledCoordinationOptions } from './options.js';

/** The embedded engine: queues, events and leases inside this process, nothing to install. */
export class MemoryCoordination implements Coordination {
  readonly kind = 'memory';
  readonly events: MemoryEventBus;
  readonly leases = new MemoryLeaseManager();
  readonly #states = new Map<string, MemoryQueueState>();
  readonly #handles = new Map<string, MemoryWorkQueue<unknown>>();
  #closed = false;

  constructor(private readonly options: CompiledCoordinationOptions) {
    this.events = new MemoryEventBus(options.onError);
  }

  queue<T>(name: string): WorkQueue<T> {
    if (this.#closed) throw new CoordinationError('coordination_closed', 'the coordination is closed');
    assertQueueName(name);
    const open = this.#handles.get(name);
    if (open) return open as WorkQueue<T>;
    let state = this.#states.get(name);
    if (!state) {
      state = new MemoryQueueState(name, this.options.keepFailed);
      this.#states.set(name, state);
    }
    const handle = new MemoryWorkQueue<unknown>(state, () => {
      if (this.#handles.get(name) === handle) this.#handles.delete(name);
    });
    this.#handles.set(name, handle);
    return handle as WorkQueue<T>;
  }

  async ready(): Promise<void> {
    if (this.#closed) throw new CoordinationError('coordination_closed', 'the coordination is closed');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#handles.values()].map((handle) => handle.close()));
    for (const state of this.#states.values()) state.close();
    await this.events.close();
    this.leases.close();
  }
}
