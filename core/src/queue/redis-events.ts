import type { Redis } from 'ioredis';
import { CoordinationError } from './errors.js';
import type { BackgroundErrorHandler, EventBus, Unsubscribe } from './interface.js';
import { toJson } from './options.js';

type Handler = (message: unknown) => void;

/** Publishes ARGV's (channel, message) pairs in order. */
const PUBLISH_ALL = "for i = 1, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end return #ARGV / 2";

/**
 * {@link EventBus} on Redis pub/sub. Publishing uses the shared command connection; one
 * subscriber connection per process (opened on the first subscribe) fans each message out to
 * the local handlers of its channel, so a thousand SSE clients cost one Redis subscription.
 */
export class RedisEventBus implements EventBus {
  readonly #channels = new Map<string, Set<Handler>>();
  #subscriber: Redis | undefined;
  #closed = false;

  /** @param channelPrefix e.g. `opsloom:events:`; channels are namespaced like keys. */
  constructor(
    private readonly publisher: Redis,
    private readonly channelPrefix: string,
    private readonly openSubscriber: () => Redis,
    private readonly onError: BackgroundErrorHandler,
  ) {}

  async publish(channel: string, message: unknown): Promise<void> {
    this.#assertOpen();
    await this.publisher.publish(this.channelPrefix + channel, toJson(message, `message on channel "${channel}"`));
  }

  async publishAll(messages: readonly { channel: string; message: unknown }[]): Promise<void> {
    this.#assertOpen();
    if (messages.length === 1) return this.publish(messages[0]!.channel, messages[0]!.message);
    // One command for the batch: a flow step's events cost one round trip, not one each (and no
    // pipeline object, which costs ioredis more to build than the publishes).
    const args = messages.flatMap(({ channel, message }) => [this.channelPrefix + channel, toJson(message, `message on channel "${channel}"`)]);
    await this.publisher.eval(PUBLISH_ALL, 0, ...args);
  }

  async subscribe(channel: string, handler: Handler): Promise<Unsubscribe> {
    this.#assertOpen();
    const full = this.channelPrefix + channel;
    const subscriber = this.#ensureSubscriber();
    let handlers = this.#channels.get(full);
    const first = !handlers;
    if (!handlers) {
      handlers = new Set();
      this.#channels.set(full, handlers);
    }
    const subscription: Handler = (message) => handler(message);
    handlers.add(subscription);
    // Commands on one connection run in order, so this SUBSCRIBE cannot overtake an earlier
    // UNSUBSCRIBE of the same channel. Awaiting it also covers handlers added meanwhile.
    if (first) await subscriber.subscribe(full);
    else await subscriber.ping();
    const set = handlers;
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      set.delete(subscription);
      if (set.size === 0 && this.#channels.get(full) === set) {
        this.#channels.delete(full);
        if (!this.#closed) await subscriber.unsubscribe(full);
      }
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels.clear();
    if (this.#subscriber) {
      const subscriber = this.#subscriber;
      this.#subscriber = undefined;
      await subscriber.quit().catch(() => subscriber.disconnect());
    }
  }

  #ensureSubscriber(): Redis {
    if (this.#subscriber) return this.#subscriber;
    const subscriber = this.openSubscriber();
    subscriber.on('message', (channel: string, text: string) => this.#deliver(channel, text));
    this.#subscriber = subscriber;
    return subscriber;
  }

  #deliver(channel: string, text: string): void {
    const handlers = this.#channels.get(channel);
    if (!handlers) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      // Someone else published on our namespace; never let it reach handlers as garbage.
      this.onError(error, `non-JSON message on channel "${channel}"`);
      return;
    }
    for (const handler of [...handlers]) {
      try {
        handler(message);
      } catch (error) {
        this.onError(error, `event handler on channel "${channel.slice(this.channelPrefix.length)}"`);
      }
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new CoordinationError('coordination_closed', 'the event bus is closed');
  }
}
