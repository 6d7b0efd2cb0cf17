/**
 * The pure rules of the job pages: which operations a job allows and why not, how result groups are
 * ordered, how a log is followed by byte offset. The shapes the job API sends (jobs, host results,
 * logs, hosts, scripts, high-risk rules) are core's, imported from `@opsloom/core/job-api`, so the
 * portal reads exactly what the routes send.
 */
import type { HostRunStatus, JobView, LogView, ResultGroup } from '@opsloom/core/job-api';
import type { Availability } from './task-operations.js';

/** Job-level operations of the result view. */
export type JobOperation = 'retry-failed' | 'retry-all' | 'terminate' | 'confirm';

/** Statuses that mean a host did not succeed (what "retry failed" runs again). */
const UNSUCCESSFUL: readonly HostRunStatus[] = ['failed', 'timeout', 'agent_offline', 'cancelled'];

/**
 * Hosts of a job that did not succeed (failed, timed out, agent offline, cancelled).
 * @example unsuccessfulHosts({ success: 8, failed: 1, timeout: 1 }) // 2
 */
export function unsuccessfulHosts(counts: JobView['counts']): number {
  return UNSUCCESSFUL.reduce((n, s) => n + (counts[s] ?? 0), 0);
}

/**
 * The job operations with their availability; a disabled one says why.
 *
 * @example
 * jobOperations({ status: 'running', finished: false, counts: { running: 2 } }).find((o) => o.op === 'retry-failed')!.reason
 * // 'the job is still running; wait for it or terminate it first'
 */
export function jobOperations(job: Pick<JobView, 'status' | 'finished' | 'counts'>): Availability<JobOperation>[] {
  const running = job.status === 'running' ? 'the job is still running; wait for it or terminate it first' : undefined;
  const unsuccessful = unsuccessfulHosts(job.counts);
  const rule: Record<JobOperation, [string, string | undefined]> = {
    'retry-failed': ['Retry failed hosts', running ?? (unsuccessful === 0 ? 'no host failed' : undefined)],
    'retry-all': ['Run again on all hosts', running],
    terminate: ['Terminate', job.finished ? `the job has ended (${job.status})` : undefined],
    confirm: ['Continue with next batch', job.status === 'paused' || job.status === 'confirming' ? undefined : 'only a paused or confirming rolling job waits for this'],
  };
  return (Object.keys(rule) as JobOperation[]).map((op) => {
    const [label, reason] = rule[op];
    return reason === undefined ? { op, label, enabled: true } : { op, label, enabled: false, reason };
  });
}

/** A readable name of a host status. */
export function statusLabel(status: HostRunStatus): string {
  return ({
    waiting: 'Waiting', running: 'Running', success: 'Succeeded', failed: 'Failed', timeout: 'Timed out',
    agent_offline: 'Agent offline', not_allowed: 'Not allowed', cancelled: 'Cancelled',
  } satisfies Record<HostRunStatus, string>)[status];
}

/**
 * Result groups in the order a person scans them: problems first, then running, then success;
 * within a status, the largest group first.
 */
export function orderGroups(groups: readonly ResultGroup[]): ResultGroup[] {
  const rank: Record<HostRunStatus, number> = { failed: 0, timeout: 1, agent_offline: 2, not_allowed: 3, cancelled: 4, running: 5, waiting: 6, success: 7 };
  return [...groups].sort((a, b) => rank[a.status] - rank[b.status] || b.count - a.count || (a.tag ?? '').localeCompare(b.tag ?? ''));
}

/**
 * Follows a host's log by byte offset: each page's base64 bytes go through one streaming UTF-8
 * decoder, so a character split between two pages is shown whole.
 */
export class LogFollower {
  text = '';
  offset = 0;
  complete = false;
  #decoder = new TextDecoder('utf-8');

  /** Adds a page; pages for another offset than the one awaited are ignored (a stale answer). */
  add(page: LogView): boolean {
    if (page.offset !== this.offset) return false;
    const bytes = page.encoding === 'base64' ? base64Bytes(page.data) : new TextEncoder().encode(page.data);
    this.text += this.#decoder.decode(bytes, { stream: !page.complete });
    this.offset = page.nextOffset;
    this.complete = page.complete;
    return true;
  }
}

function base64Bytes(data: string): Uint8Array {
  const bin = atob(data);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Log lines containing `needle` (case-insensitive), with their 1-based line numbers. */
export function matchingLines(text: string, needle: string): { line: number; text: string }[] {
  const n = needle.trim().toLowerCase();
  if (!n) return [];
  return text.split('\n').flatMap((t, i) => (t.toLowerCase().includes(n) ? [{ line: i + 1, text: t }] : []));
}

/**
 * The command that starts an agent for a project, as shown after creating an enrolment token.
 *
 * @example
 * agentStartCommand('http://ops.example:7070', 'tok') // 'opsloom-agent --server ws://ops.example:7070/agent/v1 --enrol-token tok --state-dir /var/lib/opsloom-agent'
 */
export function agentStartCommand(origin: string, token: string, cloudArea = 0): string {
  const ws = origin.replace(/^http/, 'ws').replace(/\/+$/, '');
  const area = cloudArea ? ` --cloud-area ${cloudArea}` : '';
  return `opsloom-agent --server ${ws}/agent/v1 --enrol-token ${token}${area} --state-dir /var/lib/opsloom-agent`;
}
