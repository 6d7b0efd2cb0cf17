import { SandboxProcess, type SandboxSettings } from './sandbox-process.js';

/**
 * A supervised, fixed-size pool of sandbox processes. A process that dies is replaced at once
 * (with a short back-off if it keeps dying). Calls of one plugin version go to the same process,
 * so its compiled code and warm isolates are reused.
 */
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

  /** The process for a plugin version (stable while the pool lives), spawning it if needed. */
  pick(key: string): SandboxProcess {
    const i = hash(key) % this.size;
    let proc = this.#slots[i];
    if (!proc || !proc.alive) {
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
