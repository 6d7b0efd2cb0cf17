/**
 * The job shapes of the bk-job-like API (`/api/v1/projects/:projectId/jobs`, hosts, scripts,
 * high-risk rules) as the portal reads them, and the pure rules of the job pages: which
 * operations a job allows and why not, how hosts group, how a log is followed by byte offset.
 */
import type { Availability } from './task-operations.js';
import type { ScriptLanguage } from './script-highlight.js';

/** Per-host status of a job. */
export type HostRunStatus = 'waiting' | 'running' | 'success' | 'failed' | 'timeout' | 'agent_offline' | 'not_allowed' | 'cancelled';

/** Status of a job. */
export type JobStatus = 'running' | 'paused' | 'confirming' | 'success' | 'failed' | 'cancelled';

/** `GET /jobs/:jobId`. */
export interface Job {
  id: string;
  name: string;
  origin: string;
  status: JobStatus;
  finished: boolean;
  createdBy: string | null;
  language: ScriptLanguage;
  script: string;
  scriptId: string | null;
  scriptVersionId: string | null;
  params: string;
  paramsSensitive: boolean;
  runAs: string | null;
  timeoutSeconds: number;
  rolling: { expression: string; mode: string; currentBatch: number; batchCount: number } | null;
  hostCount: number;
  counts: Partial<Record<HostRunStatus, number>>;
  groups: ResultGroup[];
  createdAt: string;
  endedAt: string | null;
}

/** Hosts that ended alike: same status and result tag (bk-job's result groups). */
export interface ResultGroup {
  status: HostRunStatus;
  tag: string | null;
  count: number;
}

/** One host's result (`GET /jobs/:jobId/hosts`). */
export interface HostResult {
  runId: string;
  hostId: string | null;
  cloudArea: number;
  ip: string;
  batch: number;
  attempt: number;
  status: HostRunStatus;
  exitCode: number | null;
  signal: string | null;
  tag: string | null;
  failure: { code: string; message: string | null } | null;
  startedAt: string | null;
  endedAt: string | null;
  logBytes: number | null;
}

/** A page of a host's log (`GET /jobs/:jobId/runs/:runId/log`). */
export interface LogPage {
  runId: string;
  offset: number;
  nextOffset: number;
  storedBytes: number;
  complete: boolean;
  encoding: 'base64' | 'text';
  data: string;
}

/** One host whose log matched a search. */
export interface LogSearchHit {
  runId: string;
  ip: string;
  cloudArea: number;
  lines: { offset: number; text: string }[];
}

/** A host of the inventory (`GET /hosts`). */
export interface InventoryHost {
  id: string;
  cloudArea: number;
  ip: string;
  hostname: string;
  agentId: string;
  online: boolean;
  lastSeenAt: string | null;
  facts?: Record<string, unknown>;
}

/** An agent enrolment token (the secret only in the create answer). */
export interface EnrolToken {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  uses: number;
  token?: string;
}

/** Status of a script version. */
export type ScriptVersionStatus = 'draft' | 'online' | 'offline' | 'disabled';

/** One version of a library script. */
export interface ScriptVersion {
  id: string;
  scriptId: string;
  version: string;
  content: string;
  status: ScriptVersionStatus;
  description: string | null;
  createdBy: string;
  createdAt: string;
}

/** A library script (with its versions when fetched alone). */
export interface Script {
  id: string;
  name: string;
  language: ScriptLanguage;
  description: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  onlineVersionId?: string | null;
  versions?: ScriptVersion[];
}

/** A high-risk command rule. */
export interface DangerRule {
  id: string;
  expression: string;
  languages: ScriptLanguage[];
  description: string;
  action: 'scan' | 'intercept';
  enabled: boolean;
  position: number;
}

/** One recorded hit of a high-risk rule. */
export interface DangerHit {
  id: number;
  at: string;
  ruleId: string;
  expression: string;
  action: 'scan' | 'intercept';
  description: string;
  username: string | null;
  origin: string;
  language: ScriptLanguage;
  line: number;
  lineContent: string;
  blocked: boolean;
  jobId: string | null;
}

/** Job-level operations of the result view. */
export type JobOperation = 'retry-failed' | 'retry-all' | 'terminate' | 'confirm';

/** Statuses that mean a host did not succeed (what "retry failed" runs again). */
const UNSUCCESSFUL: readonly HostRunStatus[] = ['failed', 'timeout', 'agent_offline', 'cancelled'];

/**
 * The job operations with their availability; a disabled one says why.
 *
 * @example
 * jobOperations({ status: 'running', finished: false, counts: { running: 2 } }).find((o) => o.op === 'retry-failed')!.reason
 * // 'the job is still running; wait for it or terminate it first'
 */
export function jobOperations(job: Pick<Job, 'status' | 'finished' | 'counts'>): Availability<JobOperation>[] {
  const running = job.status === 'running' ? 'the job is still running; wait for it or terminate it first' : undefined;
  const unsuccessful = UNSUCCESSFUL.reduce((n, s) => n + (job.counts[s] ?? 0), 0);
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
  add(page: LogPage): boolean {
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
