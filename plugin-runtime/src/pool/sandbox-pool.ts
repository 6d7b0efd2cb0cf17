import { SandboxProcess, type SandboxSettings } from './sandbox-process.js';

/**
 * A supervised, fixed-size pool of sandbox processes. A process that dies is replaced at once
 * (with a short back-off if it keeps dying). Calls of one plugin version go to the same process,
 * so its compiled code and warm isolates are reused.
 */
/** Calls in flight at a plugin's home process before further calls may go to an idler process. */
const SPILL_AFTER = 2;

export class SandboxPool {
  readonly #slots: (SandboxProcess | undefined)[];
  #restarts = 0;
  #closed = false;
  readonly #recentDeaths: number[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly size: number,
    private readonly settings: SandboxSettings,
  ) {
    this.#slots = Array.from({ length: size }, (_, i) => this.#spawn(i));
  }

  /**
   * The process for a call of a plugin version: its home process (stable while the pool lives, so
   * compiled code and warm isolates are reused), unless the home is busy and another process is
   * idler — then the call spills over there, so one hot plugin can use every core.
   */
  pick(key: string): SandboxProcess {
    const home = this.#slot(hash(key) % this.size);
    if (home.inFlight < SPILL_AFTER) return home;
    let best = home;
    for (let i = 0; i < this.size; i++) {
      const p = this.#slots[i];
      if (p?.alive && p.inFlight < best.inFlight) best = p;
    }
    return best;
  }

  /** Every live process (to unload a plugin version wherever it was loaded). */
  live(): SandboxProcess[] {
    return this.#slots.filter((p): p is SandboxProcess => Boolean(p?.alive));
  }

  #slot(i: number): SandboxProcess {
    let proc = this.#slots[i];
    if (!proc || !proc.alive) {
      // A process we killed is replaced here, before its exit arrives (#replace then ignores it).
      if (proc) this.#restarts++;
      proc = this.#spawn(i);
      this.#slots[i] = proc;
    }
    return proc;
  }

  stats(): { processes: number; alive: number; restarts: number; pids: (number | undefined)[] } {
    return {
      processes: this.size,
      alive: this.#slots.filter((p) => p?.alive).length,
      restarts: this.#restarts,
      pids: this.#slots.map((p) => p?.pid),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    await Promise.all(this.#slots.map((p) => p?.stop()));
  }

  #spawn(i: number): SandboxProcess {
    return new SandboxProcess(this.settings, (proc) => this.#replace(i, proc));
  }

  #replace(i: number, dead: SandboxProcess): void {
    if (this.#closed || this.#slots[i] !== dead) return;
    this.#restarts++;
    const now = Date.now();
    this.#recentDeaths.push(now);
    while (this.#recentDeaths.length && now - this.#recentDeaths[0] > 10_000) this.#recentDeaths.shift();
    this.#slots[i] = undefined;
    // Crash-looping (e.g. a plugin that kills its process on every call): back off, up to 1 s.
    const delay = this.#recentDeaths.length > 5 ? Math.min(1000, 50 * this.#recentDeaths.length) : 0;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#closed && this.#slots[i] === undefined) this.#slots[i] = this.#spawn(i);
    }, delay);
    this.#timers.add(t);
  }
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}
