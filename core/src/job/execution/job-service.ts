import type { Logger } from 'pino';
import type { ScriptLanguage } from '@opsloom/agent/protocol';
import { NotFoundError, StateError, ValidationError } from '../../errors.js';
import { parseAt } from '../../http/validate.js';
import { newId } from '../../store/ids.js';
import type { HostResultView, HostRunStatus, JobStatus, JobView, LogSearchView, LogView, RunOrigin } from '../api-types.js';
import type { DangerService } from '../danger/danger-service.js';
import type { HostStore, HostWithAgent } from '../hosts/host-store.js';
import { NoTargetsError } from '../job-errors.js';
import type { SecretCipher } from '../../secrets/secret-cipher.js';
import type { ScriptService } from '../scripts/script-service.js';
import { batchSizes } from './batch-expression.js';
import { executeScriptRequest, type ExecuteScriptRequest } from './execute-request.js';
import type { JobDispatcher } from './job-dispatcher.js';
import { hostResultView, jobView, type HostRun, type JobRecord } from './job-model.js';
import type { JobProgress } from './job-progress.js';
import type { JobStore } from './job-store.js';
import { searchLogs, type LogSearchQuery } from './log-search.js';
import type { LogStore } from './log-store.js';

/** Who starts or changes a job, and from where (recorded on the job and with rule hits). */
export interface JobActor {
  projectId: string;
  userId: string | null;
  username: string | null;
  origin: RunOrigin;
}

/** Timeouts of the job service. */
export interface JobLimits {
  /** Timeout of a run when the request sets none (bk-job: 2 h). */
  defaultTimeoutSeconds: number;
  /** Longest timeout a request may set (bk-job: 3 days). */
  maxTimeoutSeconds: number;
}

/**
 * The job service facade (bk-job's script execution): start a script on hosts, follow it, read its
 * logs, terminate it, retry hosts, confirm rolling batches. Every run, whatever its origin (API, flow
 * plugin, plan, cron), enters through {@link executeScript} or {@link retry}, where the final script
 * text is screened by the high-risk command rules before anything is dispatched.
 *
 * @example
 * const { jobId } = await jobs.executeScript({ hostIds: [h1], content: 'echo hello', language: 'bash' },
 *   { projectId, userId, username, origin: 'flow' });
 * const view = await jobs.get(jobId, projectId); // poll until view.finished
 */
export class JobService {
  constructor(
    private readonly jobs: JobStore,
    private readonly logs: LogStore,
    private readonly hostStore: HostStore,
    private readonly scripts: ScriptService,
    private readonly danger: DangerService,
    private readonly dispatcher: JobDispatcher,
    private readonly progress: JobProgress,
    private readonly cipher: SecretCipher,
    private readonly limits: JobLimits,
    private readonly log: Logger,
  ) {}

  /**
   * Starts a script on hosts of the actor's project and returns the job id as soon as the first batch
   * is dispatched. Hosts that are not the project's end as `not_allowed`; hosts whose agent is offline
   * end as `agent_offline`.
   * @throws ValidationError, NotFoundError, ScriptNotRunnableError, DangerousScriptError, DangerCheckFailedError, NoTargetsError
   */
  async executeScript(request: ExecuteScriptRequest, actor: JobActor): Promise<{ jobId: string; job: JobView }> {
    const req = parseAt(executeScriptRequest, request, 'body');
    let language: ScriptLanguage;
    let content: string;
    let scriptId: string | null = null;
    let scriptVersionId: string | null = null;
    if (req.scriptVersionId || req.scriptId) {
      const { script, version } = await this.scripts.resolveForRun(actor.projectId, { ...(req.scriptId ? { scriptId: req.scriptId } : {}), ...(req.scriptVersionId ? { versionId: req.scriptVersionId } : {}) });
      ({ language } = script);
      content = version.content;
      scriptId = script.id;
      scriptVersionId = version.id;
    } else {
      language = req.language!;
      content = req.content!;
    }
    const timeoutSeconds = req.timeoutSeconds ?? this.limits.defaultTimeoutSeconds;
    if (timeoutSeconds > this.limits.maxTimeoutSeconds) {
      throw new ValidationError(`body.timeoutSeconds: at most ${this.limits.maxTimeoutSeconds} seconds are allowed`, [{ path: 'body.timeoutSeconds', message: `at most ${this.limits.maxTimeoutSeconds}` }]);
    }
    const { allowed, refused } = await this.#targets(actor.projectId, req.hostIds ?? [], req.hosts ?? []);
    if (allowed.length === 0 && refused.length === 0) throw new NoTargetsError('no target hosts were given');
    const sizes = req.rolling ? batchSizes(req.rolling.expression, Math.max(allowed.length, 1)) : [Math.max(allowed.length, 1)];

    const jobId = newId();
    await this.danger.screen({ projectId: actor.projectId, userId: actor.userId, username: actor.username, origin: actor.origin, language, script: content, jobId });

    const now = Date.now();
    const params = req.params ?? '';
    const job: JobRecord = {
      id: jobId, projectId: actor.projectId, name: req.name ?? `script ${new Date(now).toISOString()}`, origin: actor.origin,
      createdBy: actor.userId, createdByName: actor.username, status: 'running', language, script: content, scriptId, scriptVersionId,
      paramsPlain: req.paramsSensitive ? null : params, paramsCipher: req.paramsSensitive && params ? this.cipher.seal(params) : null,
      paramsSensitive: req.paramsSensitive ?? false, runAs: req.runAs ?? null, timeoutSeconds,
      rollingExpression: req.rolling?.expression ?? null, rollingMode: req.rolling?.mode ?? null, currentBatch: 1, batchCount: sizes.length,
      hostCount: allowed.length + refused.length, createdAt: now, endedAt: null,
    };
    const runs: HostRun[] = [];
    let batch = 1;
    let left = sizes[0]!;
    for (const h of allowed) {
      if (left === 0) left = sizes[batch++]!;
      left--;
      runs.push(newRun(jobId, { hostId: h.id, cloudArea: h.cloudArea, ip: h.ip, agentId: h.agentId }, batch, 1));
    }
    for (const r of refused) {
      runs.push({
        ...newRun(jobId, { hostId: r.hostId, cloudArea: r.cloudArea, ip: r.ip, agentId: null }, 1, 1), status: 'not_allowed',
        failureCode: 'HOST_NOT_ALLOWED', failureMessage: 'this host is not in the project\'s inventory', endedAt: now,
      });
    }
    await this.jobs.insert(job, runs);
    await this.progress.startBatch(job, 1);
    if (allowed.length === 0) await this.progress.check(jobId);
    return { jobId, job: await this.get(jobId, actor.projectId) };
  }

  /** A job with its per-status counts and result groups; `projectId` scopes the lookup. */
  async get(jobId: string, projectId?: string): Promise<JobView> {
    const job = await this.#job(jobId, projectId);
    return jobView(job, await this.jobs.groups(job.id));
  }

  /** Jobs of a project, newest first, each with its hosts counted per status (one query for the page). */
  async list(projectId: string, q: { status?: JobStatus; before?: string; limit: number }): Promise<JobView[]> {
    const jobs = await this.jobs.list(projectId, q);
    const groups = await this.jobs.groupsOf(jobs.map((j) => j.id));
    return jobs.map((j) => jobView(j, groups.get(j.id) ?? []));
  }

  /** Per-host results of a job's current attempt, filtered by status and/or tag. */
  async hosts(projectId: string, jobId: string, f: { status?: HostRunStatus; tag?: string; batch?: number; limit: number; offset: number }): Promise<HostResultView[]> {
    const job = await this.#job(jobId, projectId);
    return (await this.jobs.runs(job.id, f)).map(hostResultView);
  }

  /** A page of one run's log, by byte offset: base64 (exact bytes) or text (invalid UTF-8 replaced by U+FFFD). */
  async readLog(projectId: string, jobId: string, runId: string, q: { offset: number; limit: number; encoding: 'base64' | 'text' }): Promise<LogView> {
    const job = await this.#job(jobId, projectId);
    const run = await this.jobs.run(runId);
    if (!run || run.jobId !== job.id) throw new NotFoundError('run', runId);
    const page = await this.logs.read(run.id, q.offset, q.limit);
    return {
      runId: run.id, offset: page.offset, nextOffset: page.nextOffset, storedBytes: page.storedBytes,
      complete: run.endedAt !== null && page.nextOffset >= page.storedBytes && page.storedBytes >= (run.logBytes ?? 0),
      truncated: run.logTruncated,
      encoding: q.encoding, data: q.encoding === 'text' ? page.data.toString('utf8') : page.data.toString('base64'),
    };
  }

  /** Lines containing `keyword` in the logs of a job's hosts (bk-job's log search), a bounded page at a time. */
  async searchLogs(projectId: string, jobId: string, q: LogSearchQuery): Promise<LogSearchView> {
    const job = await this.#job(jobId, projectId);
    return searchLogs(this.jobs, this.logs, job.id, q);
  }

  /** Stops a job: every host that has not ended is cancelled (its agent kills the script). */
  async terminate(projectId: string, jobId: string): Promise<JobView> {
    const job = await this.#job(jobId, projectId);
    const ended = await this.jobs.terminate(job.id, { status: 'cancelled', failureCode: 'TERMINATED', failureMessage: 'the job was terminated', endedAt: Date.now() });
    if (!ended) {
      const now = await this.#job(job.id);
      throw new StateError(`job ${job.id} has ended already (${now.status})`, 'job_ended');
    }
    await this.dispatcher.cancel(ended);
    return this.get(job.id);
  }

  /**
   * Runs hosts again as a new attempt: `failed` = every host that did not succeed (hosts outside the
   * project are never retried), `all` = every host. The script is screened again (rules may have changed).
   */
  async retry(jobId: string, scope: 'failed' | 'all', actor: JobActor): Promise<JobView> {
    const job = await this.#job(jobId, actor.projectId);
    if (job.status === 'running') throw new StateError(`job ${job.id} is still running; wait for it or terminate it first`, 'job_running');
    if (job.scriptVersionId) await this.scripts.assertStillRunnable(job.scriptVersionId);
    const current = (await this.jobs.runs(job.id)).filter((r) => r.status !== 'not_allowed' && r.batch <= job.currentBatch);
    const pick = current.filter((r) => r.endedAt !== null && (scope === 'all' || r.status !== 'success'));
    if (pick.length === 0) throw new StateError('there are no hosts to retry', 'nothing_to_retry');
    await this.danger.screen({ projectId: job.projectId, userId: actor.userId, username: actor.username, origin: actor.origin, language: job.language, script: job.script, jobId: job.id });
    // A host may have re-enrolled (new agent) or left the project since: target what it is now.
    const now = new Map((await this.hostStore.byIds(job.projectId, pick.flatMap((r) => (r.hostId ? [r.hostId] : [])))).map((h) => [h.id, h]));
    const fresh = pick.map((r) => {
      const host = r.hostId ? now.get(r.hostId) : undefined;
      const run = newRun(job.id, { ...r, agentId: host?.agentId ?? null }, job.currentBatch, r.attempt + 1);
      return host ? run : { ...run, status: 'not_allowed' as const, failureCode: 'HOST_NOT_ALLOWED', failureMessage: 'this host is no longer in the project\'s inventory', endedAt: Date.now() };
    });
    if (!(await this.jobs.supersede(job.id, pick.map((r) => r.id), fresh))) {
      throw new StateError(`job ${job.id} was retried meanwhile; reload it`, 'job_changed');
    }
    await this.progress.startBatch({ ...job, status: 'running', endedAt: null }, job.currentBatch);
    return this.get(job.id);
  }

  /** Continues a rolling job waiting for confirmation, or paused after failures: starts its next batch. */
  async confirm(projectId: string, jobId: string): Promise<JobView> {
    const job = await this.#job(jobId, projectId);
    if (job.status !== 'paused' && job.status !== 'confirming') {
      throw new StateError(`job ${job.id} is ${job.status}; only a paused or confirming rolling job can be continued`, 'job_not_waiting');
    }
    if (!(await this.jobs.setStatus(job.id, [job.status], 'running', null))) throw new StateError(`job ${job.id} changed meanwhile; reload it`, 'job_changed');
    await this.progress.advance({ ...job, status: 'running' });
    return this.get(job.id);
  }

  async #job(jobId: string, projectId?: string): Promise<JobRecord> {
    const job = await this.jobs.get(jobId);
    if (!job || (projectId !== undefined && job.projectId !== projectId)) throw new NotFoundError('job', jobId);
    return job;
  }

  async #targets(projectId: string, hostIds: string[], pairs: { cloudArea: number; ip: string }[]): Promise<{ allowed: HostWithAgent[]; refused: { hostId: string | null; cloudArea: number; ip: string }[] }> {
    const refused: { hostId: string | null; cloudArea: number; ip: string }[] = [];
    const found = new Map<string, HostWithAgent>();
    const ids = [...new Set(hostIds)];
    const byId = new Map((await this.hostStore.byIds(projectId, ids)).map((h) => [h.id, h]));
    for (const id of ids) {
      const h = byId.get(id);
      if (h) found.set(h.id, h);
      else refused.push({ hostId: id, cloudArea: -1, ip: '' });
    }
    const uniquePairs = [...new Map(pairs.map((p) => [`${p.cloudArea}|${p.ip}`, p])).values()];
    const byPair = new Map((await this.hostStore.byIdentities(projectId, uniquePairs)).map((h) => [`${h.cloudArea}|${h.ip}`, h]));
    for (const p of uniquePairs) {
      const h = byPair.get(`${p.cloudArea}|${p.ip}`);
      if (h) found.set(h.id, h);
      else refused.push({ hostId: null, cloudArea: p.cloudArea, ip: p.ip });
    }
    return { allowed: [...found.values()], refused };
  }
}

function newRun(jobId: string, target: { hostId: string | null; cloudArea: number; ip: string; agentId: string | null }, batch: number, attempt: number): HostRun {
  return {
    id: newId(), jobId, hostId: target.hostId, cloudArea: target.cloudArea, ip: target.ip, agentId: target.agentId, batch, attempt,
    superseded: false, status: 'waiting', exitCode: null, signal: null, tag: null, failureCode: null, failureMessage: null,
    dispatchedAt: null, startedAt: null, endedAt: null, deadlineAt: null, logBytes: null, logTruncated: false,
  };
}
