/**
 * Gathers calls for a few milliseconds and serves them with one batch call: ten thousand agents
 * saying hello after a core restart become a few dozen queries and transactions instead of tens of
 * thousands (SQLite commits one transaction at a time; MySQL round trips add up too).
 *
 * @example
 * const hosts = new MicroBatcher((ids: string[]) => store.byAgents(ids));
 * const host = await hosts.call('agent-1');
 */
export class MicroBatcher<I, O> {
  #queue: { input: I; resolve(o: O): void; reject(e: unknown): void }[] = [];
  #timer: NodeJS.Timeout | null = null;
  #running = false;

  /** @param run answers a batch, one output per input, in order. */
  constructor(private readonly run: (inputs: I[]) => Promise<O[]>, private readonly maxDelayMs = 5, private readonly maxBatch = 1000) {}

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      if (!this.#running && !this.#timer) this.#timer = setTimeout(() => void this.#flush(), this.#queue.length >= this.maxBatch ? 0 : this.maxDelayMs);
    });
  }

  async #flush(): Promise<void> {
    this.#timer = null;
    this.#running = true;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.maxBatch);
      try {
        const out = await this.run(batch.map((b) => b.input));
        batch.forEach((b, i) => b.resolve(out[i] as O));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.#running = false;
  }
}
