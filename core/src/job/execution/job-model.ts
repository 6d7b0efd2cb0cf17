import type { ScriptLanguage } from '@opsloom/agent/protocol';
import type { HostResultView, HostRunStatus, JobStatus, JobView, ResultGroup, RollingMode, RunOrigin } from '../api-types.js';

/** Every host status, for validating filters. */
export const HOST_RUN_STATUSES: readonly HostRunStatus[] = ['waiting', 'running', 'success', 'failed', 'timeout', 'agent_offline', 'not_allowed', 'cancelled'];
/** Statuses a host run ends in. */
export const ENDED_STATUSES: readonly HostRunStatus[] = ['success', 'failed', 'timeout', 'agent_offline', 'not_allowed', 'cancelled'];

/** Every rolling mode, for validating requests. */
export const ROLLING_MODES: readonly RollingMode[] = ['pause-on-failure', 'continue', 'confirm'];

/** What is shown instead of sensitive parameters, everywhere. */
export const MASK = '******';

/** A job as stored. */
export interface JobRecord {
  id: string;
  projectId: string;
  name: string;
  origin: RunOrigin;
  createdBy: string | null;
  createdByName: string | null;
  status: JobStatus;
  language: ScriptLanguage;
  script: string;
  scriptId: string | null;
  scriptVersionId: string | null;
  paramsPlain: string | null;
  paramsCipher: string | null;
  paramsSensitive: boolean;
  runAs: string | null;
  timeoutSeconds: number;
  rollingExpression: string | null;
  rollingMode: RollingMode | null;
  currentBatch: number;
  batchCount: number;
  hostCount: number;
  createdAt: number;
  endedAt: number | null;
}

/** One host's run of a job (one attempt). Its id is the run id the agent sees. */
export interface HostRun {
  id: string;
  jobId: string;
  hostId: string | null;
  cloudArea: number;
  ip: string;
  agentId: string | null;
  batch: number;
  attempt: number;
  superseded: boolean;
  status: HostRunStatus;
  exitCode: number | null;
  signal: string | null;
  tag: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  dispatchedAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
  deadlineAt: number | null;
  logBytes: number | null;
  /** The agent kept only the first part of the output (its log size limit); the rest was dropped. */
  logTruncated: boolean;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function hostResultView(r: HostRun): HostResultView {
  return {
    runId: r.id, hostId: r.hostId, cloudArea: r.cloudArea, ip: r.ip, batch: r.batch, attempt: r.attempt, status: r.status,
    exitCode: r.exitCode, signal: r.signal, tag: r.tag, failure: r.failureCode ? { code: r.failureCode, message: r.failureMessage } : null,
    startedAt: iso(r.startedAt), endedAt: iso(r.endedAt), logBytes: r.logBytes, logTruncated: r.logTruncated,
  };
}

export function jobView(j: JobRecord, groups: ResultGroup[]): JobView {
  const counts: Partial<Record<HostRunStatus, number>> = {};
  for (const g of groups) counts[g.status] = (counts[g.status] ?? 0) + g.count;
  return {
    id: j.id, projectId: j.projectId, name: j.name, origin: j.origin, status: j.status, finished: j.endedAt !== null,
    createdBy: j.createdByName, language: j.language, script: j.script, scriptId: j.scriptId, scriptVersionId: j.scriptVersionId,
    params: j.paramsSensitive ? (j.paramsCipher ? MASK : '') : j.paramsPlain ?? '', paramsSensitive: j.paramsSensitive, runAs: j.runAs,
    timeoutSeconds: j.timeoutSeconds,
    rolling: j.rollingExpression && j.rollingMode ? { expression: j.rollingExpression, mode: j.rollingMode, currentBatch: j.currentBatch, batchCount: j.batchCount } : null,
    hostCount: j.hostCount, counts, groups, createdAt: new Date(j.createdAt).toISOString(), endedAt: iso(j.endedAt),
  };
}
