/**
 * Polls while the host is connected and `active()` says so (e.g. a job still running). One tick
 * at a time: a slow answer never stacks up requests.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * @example
 * #poll = new PollController(this, 1000, () => !this.job?.finished, () => this.#reload());
 */
export class PollController implements ReactiveController {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #connected = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly intervalMs: number,
    private readonly active: () => boolean,
    private readonly tick: () => Promise<void>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#connected = true;
    this.#schedule();
  }

  hostDisconnected(): void {
    this.#connected = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Makes sure polling is scheduled (call after something that may have made `active()` true). */
  wake(): void {
    if (this.#connected && this.#timer === undefined) this.#schedule();
  }

  #schedule(): void {
    this.#timer = setTimeout(async () => {
      if (this.active()) {
        try {
          await this.tick();
        } catch { /* the next tick tries again; the view shows the last error itself */ }
      }
      this.#timer = undefined;
      if (this.#connected && this.active()) this.#schedule();
    }, this.intervalMs);
  }
}
