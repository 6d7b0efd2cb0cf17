import type { LogSearchView } from '../api-types.js';
import type { JobStore } from './job-store.js';
import { matchingLines, type LogStore } from './log-store.js';

/** Bounds of one log search request: a job may have 50,000 hosts with megabytes of log each. */
export const LOG_SEARCH_LIMITS = {
  /** Log bytes read per request, by default and at most (`maxBytes` may ask for less). */
  scanBytes: 32 * 1024 * 1024,
  /** Bytes of one host's log searched. */
  hostBytes: 8 * 1024 * 1024,
  /** Hosts looked at per request, whether their logs are long or empty. */
  hosts: 2000,
  /** Hosts with hits returned per request. */
  hits: 500,
  /** Matching lines returned per host. */
  linesPerHost: 20,
} as const;

/** Where a log search starts and how much it may read. */
export interface LogSearchQuery {
  keyword: string;
  /** Continue after this run (the `next` of the previous answer). */
  after?: string | undefined;
  /** Log bytes to read in this request, at most {@link LOG_SEARCH_LIMITS.scanBytes}. */
  maxBytes: number;
}

/**
 * One page of bk-job's log search over a job's dispatched runs, in run id order. It stops once
 * `maxBytes` of log were read (each host is read whole, so the last host may go past it), or at the
 * host or hit bounds, and then answers `next`: ask again with `after=next` to search the rest.
 */
export async function searchLogs(jobs: JobStore, logs: LogStore, jobId: string, q: LogSearchQuery): Promise<LogSearchView> {
  const runs = await jobs.dispatchedRuns(jobId, q.after ?? null, LOG_SEARCH_LIMITS.hosts);
  const items: LogSearchView['items'] = [];
  let scannedBytes = 0;
  for (const [i, run] of runs.entries()) {
    if (i > 0 && (scannedBytes >= q.maxBytes || items.length >= LOG_SEARCH_LIMITS.hits)) return { items, scannedBytes, next: runs[i - 1]!.id };
    const log = await logs.whole(run.id, LOG_SEARCH_LIMITS.hostBytes);
    scannedBytes += log.length;
    const lines = matchingLines(log, q.keyword, LOG_SEARCH_LIMITS.linesPerHost);
    if (lines.length > 0) items.push({ runId: run.id, hostId: run.hostId, cloudArea: run.cloudArea, ip: run.ip, lines });
  }
  // A full page of hosts may have more after it.
  const next = runs.length === LOG_SEARCH_LIMITS.hosts ? runs[runs.length - 1]!.id : null;
  return { items, scannedBytes, next };
}
