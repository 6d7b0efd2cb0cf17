/** Timing helpers of the runtime bench: medians, and peers sampled side by side in the same run. */

/** The median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Milliseconds one run of `fn` took. */
export async function timeMs(fn: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Medians (ms) of several subjects sampled side by side. */
export type Medians<K extends string> = Record<K, number>;

/**
 * Samples each subject `rounds` × `perRound` times, alternating subjects round by round, so that
 * load from elsewhere on the machine falls on all of them alike. `gapMs` spaces calls (0: back to back).
 */
export async function sideBySide<K extends string>(subjects: Record<K, () => unknown>, rounds: number, perRound: number, gapMs = 0): Promise<Medians<K>> {
  const names = Object.keys(subjects) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      for (let i = 0; i < perRound; i++) {
        if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
        samples[name].push(await timeMs(subjects[name]));
      }
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])])) as Medians<K>;
}

/** Formats milliseconds for the table. */
export function fmt(msValue: number): string {
  return msValue >= 1 ? `${msValue.toFixed(2)} ms` : `${(msValue * 1000).toFixed(1)} µs`;
}

/** A table of rows printed in Markdown, as `npm run bench` shows it. */
export class Table {
  readonly #rows: string[][] = [];

  row(what: string, value: string, peer: string, verdict: string): void {
    this.#rows.push([what, value, peer, verdict]);
  }

  print(): void {
    const head = ['measure', 'value', 'peer / limit', 'verdict'];
    const all = [head, ...this.#rows];
    const widths = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
    const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    console.log(line(head));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const r of this.#rows) console.log(line(r));
  }
}
