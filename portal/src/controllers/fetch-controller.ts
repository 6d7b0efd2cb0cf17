/**
 * Fetching as a reactive controller (STYLE habit 9): the host says what to load and on which
 * inputs it depends; the controller loads when they change, aborts on disconnect, and asks the
 * host to render with `value`, `error` and `loading`.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ApiError } from '../model/problem.js';

/**
 * @example
 * #templates = new FetchController(this, (signal) => portalApi.templates(this.project), () => [this.project]);
 * render() { return this.#templates.render({ pending: () => 'Loading…', complete: (t) => list(t) }) }
 */
export class FetchController<T> implements ReactiveController {
  value: T | undefined;
  error: ApiError | Error | undefined;
  loading = false;
  #deps: unknown[] | undefined;
  #abort: AbortController | undefined;
  #generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly load: (signal: AbortSignal) => Promise<T>,
    private readonly deps: () => unknown[] = () => [],
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#deps = undefined;
  }

  hostUpdate(): void {
    const next = this.deps();
    if (this.#deps && next.length === this.#deps.length && next.every((d, i) => d === this.#deps![i])) return;
    this.#deps = next;
    void this.run();
  }

  hostDisconnected(): void {
    this.#abort?.abort();
  }

  /** Loads again now (after a change the host made). Resolves when done. */
  async run(): Promise<void> {
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    const generation = ++this.#generation;
    this.loading = true;
    this.host.requestUpdate();
    try {
      const value = await this.load(abort.signal);
      if (generation !== this.#generation) return;
      this.value = value;
      this.error = undefined;
    } catch (err) {
      if (generation !== this.#generation || (err as Error).name === 'AbortError') return;
      this.error = err as Error;
    } finally {
      if (generation === this.#generation) {
        this.loading = false;
        this.host.requestUpdate();
      }
    }
  }

  /** Renders by state. */
  render<R>(r: { pending?: () => R; complete: (value: T) => R; error: (e: ApiError | Error) => R }): R | undefined {
    if (this.error) return r.error(this.error);
    if (this.value === undefined) return r.pending?.();
    return r.complete(this.value);
  }
}
