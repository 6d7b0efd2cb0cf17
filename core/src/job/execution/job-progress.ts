import type { Logger } from 'pino';
import type { HostRunStatus } from '../api-types.js';
import type { ScriptService } from '../scripts/script-service.js';
import type { JobDispatcher } from './job-dispatcher.js';
import type { JobRecord } from './job-model.js';
import type { JobStore } from './job-store.js';

const isFailure = (s: HostRunStatus): boolean => s !== 'success';

/**
 * Moves jobs forward when their runs end: the next rolling batch (or a pause / confirmation), or the
 * job's end once every host has ended. Every step is a conditional write, so two processes handling
 * results of the same job never both advance it.
 */
export class JobProgress {
  #pending = new Set<Promise<void>>();

  constructor(
    private readonly jobs: JobStore,
    private readonly dispatcher: JobDispatcher,
    private readonly scripts: ScriptService,
    private readonly log: Logger,
  ) {}

  /** Checks these jobs in the background (callers are acknowledging agents and must not wait). */
  soon(jobIds: Iterable<string>): void {
    const ids = [...new Set(jobIds)];
    if (ids.length === 0) return;
    const p = (async () => {
      for (const id of ids) await this.check(id);
    })().catch((err) => this.log.error({ err }, 'job progress failed')).finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /** Waits for background checks (shutdown). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Advances or ends one job if its current batch has nothing left to wait for. */
  async check(jobId: string): Promise<void> {
    const job = await this.jobs.get(jobId);
    if (!job || job.endedAt !== null || job.status !== 'running') return;
    if ((await this.jobs.undispatched(job.id, job.currentBatch)).length > 0) {
      await this.startBatch(job, job.currentBatch);
      return;
    }
    if ((await this.jobs.unendedInBatch(job.id, job.currentBatch)) > 0) return;
    if (job.currentBatch >= job.batchCount) {
      const counts = await this.jobs.statusCounts(job.id);
      const failed = [...counts.entries()].some(([s, n]) => n > 0 && isFailure(s));
      await this.jobs.setStatus(job.id, ['running'], failed ? 'failed' : 'success', Date.now());
      return;
    }
    const batch = await this.jobs.statusCounts(job.id, job.currentBatch);
    const failures = [...batch.entries()].some(([s, n]) => n > 0 && isFailure(s));
    if (job.rollingMode === 'confirm') await this.jobs.setStatus(job.id, ['running'], 'confirming', null);
    else if (job.rollingMode === 'pause-on-failure' && failures) await this.jobs.setStatus(job.id, ['running'], 'paused', null);
    else await this.advance(job);
  }

  /** Starts the next batch (also after a confirmation); false when another process already did. */
  async advance(job: JobRecord): Promise<boolean> {
    if (!(await this.jobs.advanceBatch(job.id, job.currentBatch))) return false;
    await this.startBatch({ ...job, currentBatch: job.currentBatch + 1, status: 'running' }, job.currentBatch + 1);
    return true;
  }

  /** Dispatches a batch's undispatched runs, refusing them all if the script version was disabled meanwhile. */
  async startBatch(job: JobRecord, batch: number): Promise<void> {
    const runs = await this.jobs.undispatched(job.id, batch);
    if (job.scriptVersionId) {
      try {
        await this.scripts.assertStillRunnable(job.scriptVersionId);
      } catch (err) {
        const rest = (await this.jobs.runs(job.id)).filter((r) => r.endedAt === null && r.dispatchedAt === null).map((r) => r.id);
        await this.jobs.endRuns(rest, { status: 'failed', failureCode: 'SCRIPT_DISABLED', failureMessage: (err as Error).message, endedAt: Date.now() });
        await this.jobs.setBatchCount(job.id, batch);
        await this.check(job.id);
        return;
      }
    }
    const ended = await this.dispatcher.dispatch(job, runs);
    if (ended.length > 0) await this.check(job.id);
  }
}
