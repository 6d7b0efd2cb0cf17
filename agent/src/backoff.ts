/** How the agent spaces reconnection attempts. */
export interface BackoffOptions {
  /** Window of the first attempt after a drop, and the ceiling the growth starts from. @default 1000 */
  baseMs: number;
  /**
   * Largest delay ceiling. It bounds how long a core that came back waits for its last agent, and sets
   * how hard a fleet knocks while core is down: N agents make about N / (0.75 × maxMs) attempts a second
   * (10,000 agents at 10 s: some 1,300 refused connects a second, which a kernel shrugs off). @default 10000
   */
  maxMs: number;
  /**
   * Longest wait after core said an administrator removed this host (`AGENT_REMOVED`). Nothing but an
   * administrator changes that answer, so the agent only asks now and then: a re-admitted host is back
   * within this time on its own (restarting the agent brings it back at once). @default 300000 (5 min)
   */
  removedMs: number;
}

/** The delay before reconnecting after core refused this agent (bad credential, old protocol). */
const REFUSED_FACTOR = 3;

/**
 * The delay before reconnection attempt `attempt` (0 for the first after a drop).
 *
 * The first attempt is drawn from the whole window `[0, baseMs]` ("full jitter"): a fleet dropped at
 * the same instant by a core restart comes back spread over that window, and a single agent whose
 * connection blipped is back almost at once. Later attempts grow exponentially up to `maxMs` with
 * "equal jitter" (half the ceiling fixed, half random), so no agent retries in a tight loop and the
 * fleet stays spread.
 * @example reconnectDelay(0, { baseMs: 1000, maxMs: 10000 }) // between 0 and 1000
 * @example reconnectDelay(3, { baseMs: 1000, maxMs: 10000 }) // between 4000 and 8000
 */
export function reconnectDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (attempt <= 0) return Math.round(random() * options.baseMs);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The delay after core refused the agent: retrying soon will not help, so it waits several times the
 * longest backoff (still jittered, and still retrying, since an operator may fix the cause).
 * @example refusedDelay({ baseMs: 1000, maxMs: 10000 }) // between 15000 and 30000
 */
export function refusedDelay(options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = options.maxMs * REFUSED_FACTOR;
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The delay after core said an administrator removed this host: between half and all of `removedMs`,
 * jittered, so a fleet removed at once (a decommissioned rack) does not come knocking together.
 * @example removedDelay({ baseMs: 1000, maxMs: 10000, removedMs: 300000 }) // between 150000 and 300000
 */
export function removedDelay(options: BackoffOptions, random: () => number = Math.random): number {
  return Math.round(options.removedMs / 2 + random() * (options.removedMs / 2));
}
