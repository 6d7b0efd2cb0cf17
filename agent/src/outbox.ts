import { randomBytes } from 'node:crypto';
import type { OutboxMessage } from './protocol/index.js';

/** An outbox message before it is numbered. */
export type UnsequencedMessage = OutboxMessage extends infer M ? (M extends OutboxMessage ? Omit<M, 'seq'> : never) : never;

interface Entry {
  runId: string;
  text: string;
  isResult: boolean;
}

/**
 * Run messages (`run-state`, `output`, `result`) waiting for core's acknowledgement. Each gets the next
 * `seq` of this process's `epoch`; it stays here, serialised, until core acks it, and all of it is
 * re-sent after every reconnect. Memory is the unacknowledged bytes: a script writing faster than core
 * acknowledges holds at most its run's log limit here.
 */
export class Outbox {
  /** Random per process: core deduplicates on `(agentId, epoch, seq)`. */
  readonly epoch: string = randomBytes(8).toString('hex');
  #nextSeq = 1;
  // A Map iterates in insertion order, which is seq order: re-sending keeps the original order.
  #entries = new Map<number, Entry>();
  #bytes = 0;
  #perRun = new Map<string, number>();

  /** Numbers a message, keeps it, and returns the frame text to send. */
  add(message: UnsequencedMessage): string {
    const seq = this.#nextSeq++;
    const text = JSON.stringify({ ...message, seq });
    this.#entries.set(seq, { runId: message.runId, text, isResult: message.type === 'result' });
    this.#bytes += text.length;
    this.#perRun.set(message.runId, (this.#perRun.get(message.runId) ?? 0) + 1);
    return text;
  }

  /** Forgets acknowledged messages; unknown or repeated seqs are ignored. */
  ack(seqs: readonly number[]): void {
    for (const seq of seqs) {
      const e = this.#entries.get(seq);
      if (!e) continue;
      this.#entries.delete(seq);
      this.#bytes -= e.text.length;
      const left = (this.#perRun.get(e.runId) ?? 1) - 1;
      if (left === 0) this.#perRun.delete(e.runId);
      else this.#perRun.set(e.runId, left);
    }
  }

  /** Frames still unacknowledged, oldest first. */
  *pending(): IterableIterator<string> {
    for (const e of this.#entries.values()) yield e.text;
  }

  /** Runs that still have unacknowledged messages. */
  runs(): IterableIterator<string> {
    return this.#perRun.keys();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Characters of unacknowledged frames (ASCII JSON, so also bytes). */
  get bytes(): number {
    return this.#bytes;
  }
}
