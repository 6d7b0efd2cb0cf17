import { PluginFailure } from '../plugin-failure.js';
import { hostKey } from './targets.js';

/** One host in the job service's `status` answer. */
export interface HostStatus {
  hostId: string;
  cloudArea: number;
  ip: string;
  status: string;
  exitCode: number | null;
  tag: string | null;
  startedAt: string | number | null;
  finishedAt: string | number | null;
}

/** The job service's `status` answer. */
export interface JobStatus {
  jobId: string;
  state: 'running' | 'success' | 'failed' | 'cancelled';
  hosts: HostStatus[];
  counts: Record<string, number>;
}

/** A host in the plugin's outputs: the status plus its `cloudArea:ip` key. */
export interface HostResult extends HostStatus {
  host: string;
}

/** The plugin's outputs. */
export interface JobOutputs {
  [key: string]: unknown;
  jobId: string;
  state: 'success' | 'failed';
  total: number;
  successCount: number;
  failedCount: number;
  failureRatio: number;
  successHosts: string[];
  failedHosts: string[];
  hosts: HostResult[];
}

const STATES = new Set(['running', 'success', 'failed', 'cancelled']);

/** Checks the shape of a `status` answer; the host side is ours, but a bad answer must not pass silently. */
export function readJobStatus(value: unknown): JobStatus {
  const v = value as Partial<JobStatus> | null;
  if (!v || typeof v !== 'object' || typeof v.jobId !== 'string' || !STATES.has(v.state as string) || !Array.isArray(v.hosts)) {
    throw new PluginFailure('JOB_STATUS_INVALID', `the job service answered an unexpected status: ${JSON.stringify(value).slice(0, 200)}`);
  }
  return v as JobStatus;
}

/** Builds the outputs of a finished job. A host succeeded only when its status is `success`. */
export function summarise(status: JobStatus): JobOutputs {
  const hosts = status.hosts.map((h): HostResult => ({
    host: hostKey(h),
    hostId: String(h.hostId ?? ''),
    cloudArea: h.cloudArea,
    ip: h.ip,
    status: String(h.status),
    exitCode: typeof h.exitCode === 'number' ? h.exitCode : null,
    tag: typeof h.tag === 'string' ? h.tag : null,
    startedAt: h.startedAt ?? null,
    finishedAt: h.finishedAt ?? null,
  }));
  const ok = hosts.filter((h) => h.status === 'success');
  const failed = hosts.filter((h) => h.status !== 'success');
  return {
    jobId: status.jobId,
    state: status.state === 'success' ? 'success' : 'failed',
    total: hosts.length,
    successCount: ok.length,
    failedCount: failed.length,
    failureRatio: hosts.length === 0 ? 0 : failed.length / hosts.length,
    successHosts: ok.map((h) => h.host),
    failedHosts: failed.map((h) => h.host),
    hosts,
  };
}

/**
 * Throws when the job's failures exceed what the node tolerates; returns the outputs otherwise.
 * A job with no hosts is a failure: it means the selection resolved to nothing.
 */
/** How a job's failure is named: the stable code and what the hosts failed to do. */
export interface FailureWording { code: string; verb: string; empty: string }

/** Wording for script jobs; file transfers pass their own. */
export const SCRIPT_FAILURE: FailureWording = { code: 'JOB_HOSTS_FAILED', verb: 'failed in', empty: 'ran on no hosts' };

export function judge(outputs: JobOutputs, tolerateFailureRatio: number, wording: FailureWording = SCRIPT_FAILURE): JobOutputs {
  if (outputs.total === 0) {
    throw new PluginFailure('NO_TARGET_HOSTS', `job ${outputs.jobId} ${wording.empty}: the targets resolved to an empty host list; check the IPs, topology or group`);
  }
  if (outputs.failedCount > 0 && outputs.failureRatio > tolerateFailureRatio) {
    const shown = outputs.hosts
      .filter((h) => h.status !== 'success')
      .slice(0, 10)
      .map((h) => `${h.host} ${h.status}${h.exitCode !== null ? ` (exit ${h.exitCode})` : ''}`);
    const more = outputs.failedCount > shown.length ? ` and ${outputs.failedCount - shown.length} more` : '';
    throw new PluginFailure(
      wording.code,
      `${outputs.failedCount} of ${outputs.total} hosts ${wording.verb} job ${outputs.jobId}: ${shown.join(', ')}${more}; tolerated failure ratio is ${tolerateFailureRatio}`,
    );
  }
  return outputs;
}

/**
 * Delay before the next status check: 1 s, then ×1.5 per poll, capped.
 * @example pollDelayMs(0, 10_000) // 1000
 */
export function pollDelayMs(polls: number, maxMs: number): number {
  return Math.min(maxMs, Math.round(1000 * 1.5 ** Math.min(polls, 30)));
}
