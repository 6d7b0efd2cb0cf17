import ivm from 'isolated-vm';
import { GUEST_BOOTSTRAP } from './guest-bootstrap.js';
import { freshContext, releaseContext, type PreparedContext } from './isolate-context.js';

/** An isolate with the bootstrap compiled, not yet given to any plugin version. */
export interface BlankIsolate {
  isolate: ivm.Isolate;
  bootstrap: ivm.Script;
  /** A context with the bootstrap already run, when the isolate was made ahead. */
  context?: Promise<PreparedContext>;
}

/** Memory limits with a stock kept; the least recently asked for loses its stock. */
const MAX_LIMITS = 4;
/** How long the process must be without calls before the stock is refilled. */
const QUIET_MS = 10;

/**
 * A small stock of blank isolates per memory limit, made ahead off the call path, so the first
 * call of a plugin version does not pay for creating an isolate and a context (most of a cold
 * start). Taking one schedules its replacement.
 */
export class BlankIsolates {
  readonly #stock = new Map<number, BlankIsolate[]>();
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param perLimit isolates kept ready per memory limit (0 disables the stock).
   * @param busy whether calls are in flight: making an isolate holds this thread for milliseconds,
   * so the stock is refilled only between calls.
   */
  constructor(private readonly perLimit: number, private readonly busy: () => boolean) {}

  /** A blank isolate for this memory limit: from the stock if there is one, else made now. */
  take(memoryMb: number): BlankIsolate {
    let stock = this.#stock.get(memoryMb);
    if (stock) this.#stock.delete(memoryMb);
    stock ??= [];
    this.#stock.set(memoryMb, stock);
    while (this.#stock.size > MAX_LIMITS) this.#drop(this.#stock.keys().next().value as number);
    return stock.shift() ?? make(memoryMb, false);
  }

  /** Isolates held in stock (each ~1.5 MB resident). */
  get size(): number {
    let n = 0;
    for (const s of this.#stock.values()) n += s.length;
    return n;
  }

  /**
   * Tops the stock up once this process has been quiet for a moment; the engine calls it whenever
   * a call ends. A call arriving meanwhile postpones it, so bursts are not held up by it.
   */
  refill(): void {
    if (this.perLimit === 0) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#refillOne(), QUIET_MS);
    this.#timer.unref();
  }

  #refillOne(): void {
    if (this.busy()) return;
    for (const [memoryMb, stock] of this.#stock) {
      if (stock.length >= this.perLimit) continue;
      stock.push(make(memoryMb, true));
      // One isolate per quiet moment: making one holds this thread, so a call arriving meanwhile waits at most for one.
      this.#timer = setTimeout(() => this.#refillOne(), QUIET_MS);
      this.#timer.unref();
      return;
    }
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const key of [...this.#stock.keys()]) this.#drop(key);
  }

  #drop(memoryMb: number): void {
    for (const b of this.#stock.get(memoryMb) ?? []) {
      b.context?.then(releaseContext, () => undefined);
      if (!b.isolate.isDisposed) b.isolate.dispose();
    }
    this.#stock.delete(memoryMb);
  }
}

function make(memoryMb: number, ahead: boolean): BlankIsolate {
  const isolate = new ivm.Isolate({ memoryLimit: memoryMb });
  const bootstrap = isolate.compileScriptSync(GUEST_BOOTSTRAP, { filename: 'opsloom:bootstrap' });
  const blank: BlankIsolate = { isolate, bootstrap };
  if (ahead) {
    blank.context = freshContext(isolate, bootstrap, false);
    blank.context.catch(() => undefined);
  }
  return blank;
}
