import { CoordinationError } from './errors.js';
import type { BackgroundErrorHandler, EventBus, Unsubscribe } from './interface.js';
import { toJson } from './options.js';

type Handler = (message: unknown) => void;

/**
 * In-process {@link EventBus}. Messages go through JSON like they would through Redis, and
 * are delivered on a microtask: publish never runs subscribers inside the publisher's stack,
 * and each channel keeps its order.
 */
export class MemoryEventBus implements EventBus {
  readonly #channels = new Map<string, Set<Handler>>();
  #closed = false;

  constructor(private readonly onError: BackgroundErrorHandler) {}

  async publish(channel: string, message: unknown): Promise<void> {
    this.#assertOpen();
    this.#send(channel, toJson(message, `message on channel "${channel}"`));
  }

  async publishAll(messages: readonly { channel: string; message: unknown }[]): Promise<void> {
    this.#assertOpen();
    // All or none, like a Redis pipeline that fails while it is built.
    const texts = messages.map(({ channel, message }) => toJson(message, `message on channel "${channel}"`));
    messages.forEach(({ channel }, i) => this.#send(channel, texts[i]!));
  }

  #send(channel: string, json: string): void {
    const handlers = this.#channels.get(channel);
    if (!handlers || handlers.size === 0) return;
    // Subscribers at publish time receive it, unless they unsubscribe before delivery.
    const targets = [...handlers];
    queueMicrotask(() => {
      const value: unknown = JSON.parse(json);
      for (const handler of targets) {
        if (!handlers.has(handler)) continue;
        try {
          handler(value);
        } catch (error) {
          this.onError(error, `event handler on channel "${channel}"`);
        }
      }
    });
  }

  async subscribe(channel: string, handler: Handler): Promise<Unsubscribe> {
    this.#assertOpen();
    let handlers = this.#channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#channels.set(channel, handlers);
    }
    // A wrapper, so the same function subscribed twice gets two independent subscriptions.
    const subscription: Handler = (message) => handler(message);
    handlers.add(subscription);
    return async () => {
      handlers.delete(subscription);
      if (handlers.size === 0 && this.#channels.get(channel) === handlers) this.#channels.delete(channel);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#channels.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new CoordinationError('coordination_closed', 'the event bus is closed');
  }
}
