/** Several protocol messages carried as one IPC message. */
export interface Batch<T> { t: 'batch'; m: T[] }

/**
 * Sends the messages queued during one turn of the event loop as one IPC message. Under load a
 * turn finishes many flow steps or plugin calls at once: one write and one wake-up of the other
 * process then carries them all, instead of one each. Order is kept; a lone message goes as is.
 */
export class MessageBatcher<T> {
  #queue: T[] = [];
  #scheduled = false;

  constructor(private readonly write: (message: T | Batch<T>) => void) {}

  send(message: T): void {
    this.#queue.push(message);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends what is queued now (also called before the process goes away). */
  flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    if (queue.length === 0) return;
    this.#queue = [];
    this.write(queue.length === 1 ? queue[0]! : { t: 'batch', m: queue });
  }
}

/** Hands each message of `message` (a batch or a single one) to `handle`, in order. */
export function forEachMessage<T extends { t: string }>(message: T | Batch<T>, handle: (m: T) => void): void {
  if (message.t === 'batch') for (const m of (message as Batch<T>).m) handle(m);
  else handle(message as T);
}
