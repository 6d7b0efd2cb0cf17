import type { Knex } from 'knex';
import type { Db } from '../../store/db.js';
import { slicesWithin, STATEMENT_BYTES } from '../../store/slices.js';
import type { HostRunStatus, JobStatus, ResultGroup } from '../api-types.js';
import type { HostRun, JobRecord } from './job-model.js';

interface JobRow {
  id: string; project_id: string; name: string; origin: string; created_by: string | null; created_by_name: string | null;
  status: string; language: string; script: string; script_id: string | null; script_version_id: string | null;
  params_plain: string | null; params_cipher: string | null; params_sensitive: number | boolean; run_as: string | null;
  timeout_seconds: number; rolling_expression: string | null; rolling_mode: string | null; current_batch: number;
  batch_count: number; host_count: number; created_at: number; ended_at: number | null;
}
interface RunRow {
  id: string; job_id: string; host_id: string | null; cloud_area: number; ip: string; agent_id: string | null; batch: number;
  attempt: number; superseded: number | boolean; status: string; exit_code: number | null; signal: string | null; tag: string | null;
  failure_code: string | null; failure_message: string | null; dispatched_at: number | null; started_at: number | null;
  ended_at: number | null; deadline_at: number | null; log_bytes: number | null; log_truncated: number | boolean;
}

const num = (v: number | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

const toJob = (r: JobRow): JobRecord => ({
  id: r.id, projectId: r.project_id, name: r.name, origin: r.origin as JobRecord['origin'], createdBy: r.created_by,
  createdByName: r.created_by_name, status: r.status as JobStatus, language: r.language as JobRecord['language'], script: r.script,
  scriptId: r.script_id, scriptVersionId: r.script_version_id, paramsPlain: r.params_plain, paramsCipher: r.params_cipher,
  paramsSensitive: Boolean(r.params_sensitive), runAs: r.run_as, timeoutSeconds: Number(r.timeout_seconds),
  rollingExpression: r.rolling_expression, rollingMode: r.rolling_mode as JobRecord['rollingMode'], currentBatch: Number(r.current_batch),
  batchCount: Number(r.batch_count), hostCount: Number(r.host_count), createdAt: Number(r.created_at), endedAt: num(r.ended_at),
});

const toRun = (r: RunRow): HostRun => ({
  id: r.id, jobId: r.job_id, hostId: r.host_id, cloudArea: Number(r.cloud_area), ip: r.ip, agentId: r.agent_id, batch: Number(r.batch),
  attempt: Number(r.attempt), superseded: Boolean(r.superseded), status: r.status as HostRunStatus, exitCode: num(r.exit_code),
  signal: r.signal, tag: r.tag, failureCode: r.failure_code, failureMessage: r.failure_message, dispatchedAt: num(r.dispatched_at),
  startedAt: num(r.started_at), endedAt: num(r.ended_at), deadlineAt: num(r.deadline_at), logBytes: num(r.log_bytes),
  logTruncated: Boolean(r.log_truncated),
});

function runRow(r: HostRun): RunRow {
  return {
    id: r.id, job_id: r.jobId, host_id: r.hostId, cloud_area: r.cloudArea, ip: r.ip, agent_id: r.agentId, batch: r.batch, attempt: r.attempt,
    superseded: r.superseded, status: r.status, exit_code: r.exitCode, signal: r.signal, tag: r.tag, failure_code: r.failureCode,
    failure_message: r.failureMessage, dispatched_at: r.dispatchedAt, started_at: r.startedAt, ended_at: r.endedAt,
    deadline_at: r.deadlineAt, log_bytes: r.logBytes, log_truncated: r.logTruncated,
  };
}

/** How a run ended, as written by a result, the sweeper or a termination. */
export interface RunEnding {
  status: HostRunStatus;
  exitCode?: number | null;
  signal?: string | null;
  tag?: string | null;
  failureCode?: string | null;
  failureMessage?: string | null;
  startedAt?: number | null;
  endedAt: number;
  logBytes?: number | null;
  /** The agent cut the log at its size limit. */
  logTruncated?: boolean;
}

const CHUNK = 400;

/** Jobs and their per-host runs in the database. */
export class JobStore {
  constructor(private readonly db: Db) {}

  async insert(job: JobRecord, runs: HostRun[]): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('job_instances').insert({
        id: job.id, project_id: job.projectId, name: job.name, origin: job.origin, created_by: job.createdBy,
        created_by_name: job.createdByName, status: job.status, language: job.language, script: job.script, script_id: job.scriptId,
        script_version_id: job.scriptVersionId, params_plain: job.paramsPlain, params_cipher: job.paramsCipher,
        params_sensitive: job.paramsSensitive, run_as: job.runAs, timeout_seconds: job.timeoutSeconds,
        rolling_expression: job.rollingExpression, rolling_mode: job.rollingMode, current_batch: job.currentBatch,
        batch_count: job.batchCount, host_count: job.hostCount, created_at: job.createdAt, ended_at: job.endedAt,
      });
      await this.#insertRuns(trx, runs);
    });
  }

  async #insertRuns(trx: Knex.Transaction, runs: HostRun[]): Promise<void> {
    for (let i = 0; i < runs.length; i += 200) await trx('job_host_runs').insert(runs.slice(i, i + 200).map(runRow));
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = await this.db<JobRow>('job_instances').where({ id }).first();
    return row ? toJob(row) : undefined;
  }

  async list(projectId: string, q: { status?: JobStatus; before?: string; limit: number }): Promise<JobRecord[]> {
    const query = this.db<JobRow>('job_instances').where({ project_id: projectId }).orderBy('id', 'desc').limit(q.limit);
    if (q.status) query.where({ status: q.status });
    if (q.before) query.where('id', '<', q.before);
    return (await query).map(toJob);
  }

  /** Changes a job's status (and end time), only while it is in one of `from`; false when it was not. */
  async setStatus(id: string, from: JobStatus[], to: JobStatus, endedAt: number | null): Promise<boolean> {
    return (await this.db('job_instances').where({ id }).whereIn('status', from).update({ status: to, ended_at: endedAt })) > 0;
  }

  /**
   * Terminates a job in one transaction: the job becomes `cancelled` first (only while it has not
   * ended), then its open runs end with `ending`. A progress check racing with this either ends the
   * job before (and this returns null) or finds it cancelled: it can never turn a termination into
   * `failed`. Returns the runs this call ended, for cancelling them on their agents.
   */
  async terminate(id: string, ending: RunEnding): Promise<HostRun[] | null> {
    return this.db.transaction(async (trx) => {
      const n = await trx('job_instances').where({ id }).whereIn('status', ['running', 'paused', 'confirming']).whereNull('ended_at')
        .update({ status: 'cancelled', ended_at: ending.endedAt });
      if (n === 0) return null;
      const open = (await trx<RunRow>('job_host_runs').where({ job_id: id, superseded: false }).whereNull('ended_at')).map(toRun);
      await trx('job_host_runs').where({ job_id: id, superseded: false }).whereNull('ended_at').update(endingRow(ending));
      return open;
    });
  }

  /** Moves a job to its next batch; false when another process did so first. */
  async advanceBatch(id: string, fromBatch: number): Promise<boolean> {
    return (await this.db('job_instances').where({ id, current_batch: fromBatch }).whereNull('ended_at')
      .update({ current_batch: fromBatch + 1, status: 'running' })) > 0;
  }

  /** The current (not superseded) runs of a job, optionally filtered. */
  async runs(jobId: string, f: { status?: HostRunStatus; tag?: string; batch?: number; limit?: number; offset?: number } = {}): Promise<HostRun[]> {
    const q = this.db<RunRow>('job_host_runs').where({ job_id: jobId, superseded: false }).orderBy([{ column: 'batch' }, { column: 'id' }]);
    if (f.status) q.where({ status: f.status });
    if (f.tag !== undefined) q.where({ tag: f.tag });
    if (f.batch !== undefined) q.where({ batch: f.batch });
    if (f.limit !== undefined) q.limit(f.limit).offset(f.offset ?? 0);
    return (await q).map(toRun);
  }

  /** Up to `limit` current runs of a job that were dispatched, by id, after run `after` (a log search page). */
  async dispatchedRuns(jobId: string, after: string | null, limit: number): Promise<HostRun[]> {
    const q = this.db<RunRow>('job_host_runs').where({ job_id: jobId, superseded: false }).whereNotNull('dispatched_at').orderBy('id').limit(limit);
    if (after !== null) q.where('id', '>', after);
    return (await q).map(toRun);
  }

  async run(id: string): Promise<HostRun | undefined> {
    const row = await this.db<RunRow>('job_host_runs').where({ id }).first();
    return row ? toRun(row) : undefined;
  }

  async runsByIds(ids: string[]): Promise<HostRun[]> {
    const out: HostRun[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await this.db<RunRow>('job_host_runs').whereIn('id', ids.slice(i, i + CHUNK))).map(toRun));
    return out;
  }

  /** Hosts per (status, tag) among a job's current runs. */
  async groups(jobId: string): Promise<ResultGroup[]> {
    return (await this.groupsOf([jobId])).get(jobId) ?? [];
  }

  /** {@link groups} of several jobs in one query (a page of the job list), by job id. */
  async groupsOf(jobIds: readonly string[]): Promise<Map<string, ResultGroup[]>> {
    const out = new Map<string, ResultGroup[]>();
    if (jobIds.length === 0) return out;
    const rows = await this.db('job_host_runs').select('job_id', 'status', 'tag').count({ n: '*' }).whereIn('job_id', jobIds).where({ superseded: false })
      .groupBy('job_id', 'status', 'tag') as { job_id: string; status: string; tag: string | null; n: number }[];
    for (const r of rows) {
      if (!out.has(r.job_id)) out.set(r.job_id, []);
      out.get(r.job_id)!.push({ status: r.status as HostRunStatus, tag: r.tag, count: Number(r.n) });
    }
    for (const groups of out.values()) groups.sort((a, b) => b.count - a.count || a.status.localeCompare(b.status));
    return out;
  }

  /** Runs of a job's batch not ended yet (dispatched or not). */
  async unendedInBatch(jobId: string, batch: number): Promise<number> {
    const row = await this.db('job_host_runs').count({ n: '*' }).where({ job_id: jobId, superseded: false, batch }).whereNull('ended_at').first() as { n: number } | undefined;
    return Number(row?.n ?? 0);
  }

  /** Per status, the current runs of a batch (or of the whole job). */
  async statusCounts(jobId: string, batch?: number): Promise<Map<HostRunStatus, number>> {
    const q = this.db('job_host_runs').select('status').count({ n: '*' }).where({ job_id: jobId, superseded: false }).groupBy('status');
    if (batch !== undefined) q.where({ batch });
    const rows = await q as { status: string; n: number }[];
    return new Map(rows.map((r) => [r.status as HostRunStatus, Number(r.n)]));
  }

  /** Runs of a batch still waiting to be dispatched. */
  async undispatched(jobId: string, batch: number): Promise<HostRun[]> {
    return (await this.db<RunRow>('job_host_runs').where({ job_id: jobId, superseded: false, batch, status: 'waiting' })
      .whereNull('dispatched_at').whereNull('ended_at')).map(toRun);
  }

  /** Marks runs as sent to their agents, with the deadline after which the sweeper ends them. */
  async markDispatched(ids: string[], at: number, deadlineAt: number): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await this.db('job_host_runs').whereIn('id', ids.slice(i, i + CHUNK)).whereNull('ended_at').update({ dispatched_at: at, deadline_at: deadlineAt });
    }
  }

  /** Ends the runs that have not ended yet; returns the ids this call ended. */
  async endRuns(ids: string[], ending: RunEnding): Promise<string[]> {
    const ended: string[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const slice = ids.slice(i, i + CHUNK);
      await this.db.transaction(async (trx) => {
        const open = (await trx('job_host_runs').select('id').whereIn('id', slice).whereNull('ended_at')).map((r: { id: string }) => r.id);
        if (open.length === 0) return;
        await trx('job_host_runs').whereIn('id', open).whereNull('ended_at').update(endingRow(ending));
        ended.push(...open);
      });
    }
    return ended;
  }

  /** Runs that were dispatched to these agents and have not ended. */
  async openRunsOfAgents(agentIds: string[]): Promise<HostRun[]> {
    const out: HostRun[] = [];
    for (let i = 0; i < agentIds.length; i += CHUNK) {
      out.push(...(await this.db<RunRow>('job_host_runs').whereIn('agent_id', agentIds.slice(i, i + CHUNK)).where({ superseded: false })
        .whereNull('ended_at').whereNotNull('dispatched_at')).map(toRun));
    }
    return out;
  }

  /** Runs whose deadline has passed without a result. */
  async overdue(now: number, limit: number): Promise<HostRun[]> {
    return (await this.db<RunRow>('job_host_runs').whereNull('ended_at').where('deadline_at', '<', now).limit(limit)).map(toRun);
  }

  /** Running jobs whose current batch has nothing left to wait for, or was never dispatched (after a crash). */
  async stalledJobs(createdBefore: number, limit: number): Promise<string[]> {
    const rows = await this.db('job_instances as j').select('j.id').where('j.status', 'running').whereNull('j.ended_at')
      .where('j.created_at', '<', createdBefore)
      .where((w) => w
        .whereNotExists((q) => q.select(this.db.raw('1')).from('job_host_runs as r').whereRaw('r.job_id = j.id')
          .where('r.superseded', false).whereNull('r.ended_at').whereRaw('r.batch = j.current_batch'))
        .orWhereExists((q) => q.select(this.db.raw('1')).from('job_host_runs as r').whereRaw('r.job_id = j.id')
          .where('r.superseded', false).whereNull('r.ended_at').whereNull('r.dispatched_at').whereRaw('r.batch = j.current_batch')))
      .limit(limit) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /**
   * Replaces runs by new attempts and reopens the job (a retry), in one transaction: the old rows stay
   * as history. Returns false, changing nothing, when one of the runs was replaced meanwhile: two
   * retries sent at once must not run the script twice on a host.
   */
  async supersede(jobId: string, oldIds: string[], fresh: HostRun[]): Promise<boolean> {
    try {
      await this.db.transaction(async (trx) => {
        let replaced = 0;
        for (let i = 0; i < oldIds.length; i += CHUNK) {
          replaced += await trx('job_host_runs').whereIn('id', oldIds.slice(i, i + CHUNK)).where({ superseded: false }).update({ superseded: true });
        }
        if (replaced !== oldIds.length) throw new RetriedMeanwhile();
        await this.#insertRuns(trx, fresh);
        await trx('job_instances').where({ id: jobId }).update({ status: 'running', ended_at: null });
      });
      return true;
    } catch (err) {
      if (err instanceof RetriedMeanwhile) return false;
      throw err;
    }
  }

  /** Cuts a rolling job short: `batch` becomes its last batch (the script was disabled meanwhile). */
  async setBatchCount(id: string, batch: number): Promise<void> {
    await this.db('job_instances').where({ id }).update({ batch_count: batch, current_batch: batch });
  }

  /** Applies agent reports in one transaction: runs that started, and results (each recorded once). Returns the runs ended here. */
  async applyReports(started: { id: string; at: number }[], results: { id: string; ending: RunEnding }[], logs: { runId: string; offset: number; stream: string; data: Buffer }[]): Promise<string[]> {
    const ended: string[] = [];
    await this.db.transaction(async (trx) => {
      // Chunks are up to 1 MiB each: a statement takes as many as fit one MySQL packet.
      for (const part of slicesWithin(logs, 200, STATEMENT_BYTES, (l) => l.data.length)) {
        await trx('job_run_logs').insert(part.map((l) => ({
          run_id: l.runId, offset: l.offset, end_offset: l.offset + l.data.length, stream: l.stream, data: l.data,
        }))).onConflict(['run_id', 'offset']).ignore();
      }
      const byAt = new Map<number, string[]>();
      for (const s of started) byAt.set(s.at, [...(byAt.get(s.at) ?? []), s.id]);
      for (const [at, ids] of byAt) {
        for (let i = 0; i < ids.length; i += CHUNK) {
          await trx('job_host_runs').whereIn('id', ids.slice(i, i + CHUNK)).where({ status: 'waiting' }).whereNull('ended_at')
            .update({ status: 'running', started_at: at });
        }
      }
      for (const r of results) {
        // The first result wins; a repeat (re-sent after a lost ack, or after the sweeper ended the run) changes nothing.
        const n = await trx('job_host_runs').where({ id: r.id }).whereNull('ended_at').update(endingRow(r.ending));
        if (n > 0) ended.push(r.id);
      }
    });
    return ended;
  }
}

/** Rolls a retry back when another retry replaced the same runs first. */
class RetriedMeanwhile extends Error {}

function endingRow(e: RunEnding): Record<string, unknown> {
  const row: Record<string, unknown> = { status: e.status, ended_at: e.endedAt };
  if (e.exitCode !== undefined) row.exit_code = e.exitCode;
  if (e.signal !== undefined) row.signal = e.signal;
  if (e.tag !== undefined) row.tag = e.tag;
  if (e.failureCode !== undefined) row.failure_code = e.failureCode;
  if (e.failureMessage !== undefined) row.failure_message = e.failureMessage;
  if (e.startedAt !== undefined && e.startedAt !== null) row.started_at = e.startedAt;
  if (e.logBytes !== undefined) row.log_bytes = e.logBytes;
  if (e.logTruncated !== undefined) row.log_truncated = e.logTruncated;
  return row;
}
