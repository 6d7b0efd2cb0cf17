/**
 * The most calls of one plugin version in flight at once lately: how many isolates its bursts
 * hold. Peaks are kept per window of `windowMs`; the recent peak is the larger of the current
 * window's and the last one's, so it covers the last one to two windows.
 *
 * ```ts
 * const peak = new RecentPeak(2000);
 * peak.enter(); peak.enter(); peak.leave(); peak.leave();
 * peak.value; // 2, until two windows have passed without such a burst
 * ```
 */
export class RecentPeak {
  #inFlight = 0;
  #current = 0;
  #previous = 0;
  #windowStart: number;

  /** @param now a clock in milliseconds (tests pass their own). */
  constructor(private readonly windowMs: number, private readonly now: () => number = () => performance.now()) {
    this.#windowStart = now();
  }

  /** A call started. */
  enter(): void {
    this.#roll();
    if (++this.#inFlight > this.#current) this.#current = this.#inFlight;
  }

  /** A call ended. */
  leave(): void {
    this.#inFlight--;
  }

  /** The most calls in flight at once over the current window and the last one. */
  get value(): number {
    this.#roll();
    return Math.max(this.#current, this.#previous);
  }

  #roll(): void {
    const elapsed = this.now() - this.#windowStart;
    if (elapsed < this.windowMs) return;
    // A window with no call in it ends at the calls still in flight, not at the last peak.
    this.#previous = elapsed < 2 * this.windowMs ? this.#current : this.#inFlight;
    this.#current = this.#inFlight;
    this.#windowStart += elapsed - (elapsed % this.windowMs);
  }
}
