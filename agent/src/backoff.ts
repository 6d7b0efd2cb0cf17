/** How the agent spaces reconnection attempts. */
export interface BackoffOptions {
  /** Delay ceiling of the first attempt. @default 1000 */
  baseMs: number;
  /** Largest delay ceiling. @default 30000 */
  maxMs: number;
}

/**
 * The delay before reconnection attempt `attempt` (0 for the first after a drop): exponential growth
 * capped at `maxMs`, with "equal jitter": half the ceiling is fixed, the other half random. The random
 * half spreads a fleet whose core restarted over the whole window instead of one instant; the fixed half
 * keeps any single agent from retrying in a tight loop.
 * @example reconnectDelay(3, { baseMs: 1000, maxMs: 30000 }) // between 4000 and 8000
 */
export function reconnectDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
