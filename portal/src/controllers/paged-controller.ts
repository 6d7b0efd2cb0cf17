/**
 * A list core serves a page at a time, as a reactive controller: the first page loads like a
 * {@link FetchController} (again when its inputs change), later pages are appended on request,
 * and a reload of the first page drops them.
 */
import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { ApiError } from '../model/problem.js';
import { FetchController } from './fetch-controller.js';

/** One page and the cursor of the next one (null on the last page). */
export interface Page<T, C> {
  items: T[];
  next: C | null;
}

/**
 * A page from a list that has no cursor of its own: the next page is asked for after the last
 * item (`cursorOf` it) while a page comes back full.
 */
export function pageAfterLast<T, C>(items: T[], size: number, cursorOf: (last: T) => C): Page<T, C> {
  return { items, next: items.length === size ? cursorOf(items[items.length - 1]!) : null };
}

/**
 * @example
 * #tasks = new PagedController(this, (before) => portalApi.tasks(this.project, { before }), () => [this.project]);
 * render() { return html`${this.#tasks.render({ complete: (items) => table(items), error })}${this.#tasks.more('Older tasks')}` }
 */
export class PagedController<T, C> {
  readonly #host: ReactiveControllerHost;
  readonly #first: FetchController<Page<T, C>>;
  /** Pages loaded after `base`, the first page they follow. */
  #later: { base: Page<T, C>; items: T[]; next: C | null } | undefined;
  #busy = false;
  #error = '';

  constructor(host: ReactiveControllerHost, private readonly load: (cursor: C | undefined, signal?: AbortSignal) => Promise<Page<T, C>>, deps: () => unknown[] = () => []) {
    this.#host = host;
    this.#first = new FetchController(host, (signal) => load(undefined, signal), deps);
  }

  /** Every item loaded so far, in order. */
  get items(): T[] {
    const first = this.#first.value;
    if (!first) return [];
    return this.#later?.base === first ? [...first.items, ...this.#later.items] : first.items;
  }

  /** The cursor of the page after the loaded ones, or null after the last page. */
  get next(): C | null {
    const first = this.#first.value;
    if (!first) return null;
    return this.#later?.base === first ? this.#later.next : first.next;
  }

  /** Loads the first page again, dropping the later ones. */
  reload(): Promise<void> {
    this.#error = '';
    return this.#first.run();
  }

  /** Appends the next page. */
  async loadMore(): Promise<void> {
    const base = this.#first.value;
    const cursor = this.next;
    if (!base || cursor === null || this.#busy) return;
    this.#busy = true;
    this.#host.requestUpdate();
    try {
      const page = await this.load(cursor);
      // The first page was reloaded meanwhile (new inputs): this page follows an older list.
      if (this.#first.value !== base) return;
      const kept = this.#later?.base === base ? this.#later.items : [];
      this.#later = { base, items: [...kept, ...page.items], next: page.next };
      this.#error = '';
    } catch (err) {
      this.#error = `Could not load more: ${(err as Error).message}`;
    } finally {
      this.#busy = false;
      this.#host.requestUpdate();
    }
  }

  /** Renders the loaded items by the first page's state. */
  render<R>(r: { pending?: () => R; complete: (items: T[]) => R; error: (e: ApiError | Error) => R }): R | undefined {
    return this.#first.render({ ...r, complete: () => r.complete(this.items) });
  }

  /** The button that loads the next page (and why the last try failed), while there is one. */
  more(label: string): TemplateResult | typeof nothing {
    if (this.#first.value === undefined) return nothing;
    return html`${this.#error ? html`<p class="notice error" role="alert">${this.#error}</p>` : nothing}
      ${this.next !== null ? html`<p><button class="more" ?disabled=${this.#busy} @click=${() => this.loadMore()}>${label}</button></p>` : nothing}`;
  }
}
