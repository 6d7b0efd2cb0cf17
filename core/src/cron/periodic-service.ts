import type { Logger } from 'pino';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { Db } from '../store/db.js';
import { isUniqueViolation } from '../store/db.js';
import { newId } from '../store/ids.js';
import type { JsonValue } from '../model/index.js';
import type { TaskService } from '../flow/task/task-service.js';
import { isTimeZone } from '../project/project-service.js';
import { parseCron } from './schedule.js';

/** A periodic (cron) or clocked (one-off, `runAt`) task definition. */
export interface Periodic {
  id: string; projectId: string; name: string; templateId: string; templateVersion: number | null;
  variables: Record<string, JsonValue>; excludeNodes: string[]; cron: string | null; timeZone: string | null; runAt: number | null;
  enabled: boolean; nextRunAt: number | null; lastRunAt: number | null; totalRuns: number; createdBy: string; createdAt: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- knex rows are untyped records
const toPeriodic = (r: Record<string, any>): Periodic => ({
  id: r.id, projectId: r.project_id, name: r.name, templateId: r.template_id, templateVersion: r.template_version === null ? null : Number(r.template_version),
  variables: JSON.parse(r.variables), excludeNodes: JSON.parse(r.exclude_nodes), cron: r.cron, timeZone: r.time_zone, runAt: r.run_at === null ? null : Number(r.run_at),
  enabled: Boolean(r.enabled), nextRunAt: r.next_run_at === null ? null : Number(r.next_run_at), lastRunAt: r.last_run_at === null ? null : Number(r.last_run_at),
  totalRuns: Number(r.total_runs), createdBy: r.created_by, createdAt: Number(r.created_at),
});

/** A slot later than this when the scheduler sees it was missed (core was down): skipped, not replayed. */
const MISSED_AFTER_MS = 60_000;

/**
 * Refuses a clocked task's time that has passed by more than `leeway`: it would never run, only be
 * recorded as missed (or, for one that fired, find its slot taken).
 */
function assertAhead(runAt: number, now: number, leeway: number): void {
  if (runAt < now - leeway) {
    throw new ValidationError(`body.runAt: ${new Date(runAt).toISOString()} has passed; give a time ahead`, [{ path: 'body.runAt', message: 'has passed' }]);
  }
}

/**
 * Refuses enabling a clocked task whose time has passed when no new time came with it: the caller
 * sent no runAt, so the refusal names what they did send and how to go on.
 */
function assertEnableable(runAt: number, now: number): void {
  if (runAt < now) {
    const when = new Date(runAt).toISOString();
    throw new ValidationError(`body.enabled: this clocked task's time (${when}) has passed; send a new runAt with enabled: true to enable it again`,
      [{ path: 'body.enabled', message: `the clocked task's time ${when} has passed; give a new runAt` }]);
  }
}
/** A slot claimed this long ago and not yet started: its scheduler stopped, another one finishes it. */
const RECOVER_AFTER_MS = 10_000;

export interface PeriodicInput {
  name: string; templateId: string; version?: number; variables?: Record<string, JsonValue>; excludeNodes?: string[];
  cron?: string; timeZone?: string; runAt?: string; enabled?: boolean;
}

/**
 * Periodic and clocked tasks. Each due slot fires exactly once however many schedulers run and
 * whichever of them dies: the slot is claimed by a unique (task, slot) row holding the id its task
 * will have, and a slot left claimed is finished by the next pass (see recover).
 */
export class PeriodicService {
  /**
   * @param projects.timeZone a project's time zone (the default for its cron schedules).
   * @param projects.refusal why a user may not run tasks in a project now, if so: slots fire as their periodic task's creator.
   */
  constructor(private readonly db: Db, private readonly tasks: TaskService, private readonly projects: {
    timeZone(projectId: string): Promise<string>;
    refusal(projectId: string, username: string): Promise<string | undefined>;
  }, private readonly log: Logger) {}

  async create(projectId: string, by: string, input: PeriodicInput): Promise<Periodic> {
    await this.tasks.check(projectId, input);
    const schedule = await this.schedule(projectId, input);
    const now = Date.now();
    const enabled = input.enabled ?? true;
    // A time given as "now" may arrive a little late: it fires at once, as a slot found late does.
    if (schedule.runAt !== null) assertAhead(schedule.runAt, now, MISSED_AFTER_MS);
    const id = newId();
    await this.db('periodic_tasks').insert({
      id, project_id: projectId, name: input.name, template_id: input.templateId, template_version: input.version ?? null,
      variables: JSON.stringify(input.variables ?? {}), exclude_nodes: JSON.stringify(input.excludeNodes ?? []), cron: input.cron ?? null,
      time_zone: schedule.timeZone, run_at: schedule.runAt, enabled, next_run_at: enabled ? schedule.next(now) : null,
      total_runs: 0, created_by: by, created_at: now, updated_at: now,
    });
    return this.get(projectId, id);
  }

  /** Changes a periodic task; `version: null` unpins its template version (each slot then runs the latest). */
  async update(projectId: string, id: string, patch: Partial<Omit<PeriodicInput, 'version'>> & { version?: number | null }): Promise<Periodic> {
    const current = await this.get(projectId, id);
    const version = patch.version === null ? null : patch.version ?? current.templateVersion;
    // Its variables, exclusions and history belong to its template (as in bk-sops): another template is another periodic task.
    if (patch.templateId !== undefined && patch.templateId !== current.templateId) {
      throw new ValidationError('body.templateId: a periodic task keeps its template; create a new periodic task for another one', [{ path: 'body.templateId', message: 'cannot change' }]);
    }
    // A schedule of the other kind replaces the current one: runAt makes a periodic task clocked, cron a clocked one periodic.
    const cron = patch.cron ?? (patch.runAt ? null : current.cron);
    const runAt = patch.runAt ?? (patch.cron || current.runAt === null ? null : new Date(current.runAt).toISOString());
    const merged: PeriodicInput = {
      name: patch.name ?? current.name, templateId: current.templateId, ...(version ? { version } : {}),
      variables: patch.variables ?? current.variables, excludeNodes: patch.excludeNodes ?? current.excludeNodes,
      // A cron schedule keeps its zone; one that becomes clocked leaves it (runAt carries its offset).
      ...(cron ? { cron } : {}), ...((patch.timeZone ?? (cron ? current.timeZone : null)) ? { timeZone: (patch.timeZone ?? current.timeZone)! } : {}),
      ...(runAt ? { runAt } : {}),
      enabled: patch.enabled ?? current.enabled,
    };
    // Disabling (or renaming) one that a later template version broke must stay possible.
    if (patch.variables || patch.excludeNodes || patch.version !== undefined || (merged.enabled && !current.enabled)) await this.tasks.check(projectId, merged);
    const schedule = await this.schedule(projectId, merged);
    // A new time, or a clocked task enabled again (after it fired), must lie ahead: its past slot may have fired already.
    if (schedule.runAt !== null && patch.runAt) assertAhead(schedule.runAt, Date.now(), 0);
    else if (schedule.runAt !== null && merged.enabled && !current.enabled) assertEnableable(schedule.runAt, Date.now());
    await this.db('periodic_tasks').where({ id }).update({
      name: merged.name, template_version: merged.version ?? null, variables: JSON.stringify(merged.variables), exclude_nodes: JSON.stringify(merged.excludeNodes),
      cron: merged.cron ?? null, time_zone: schedule.timeZone, run_at: schedule.runAt, enabled: merged.enabled,
      next_run_at: merged.enabled ? schedule.next(Date.now()) : null, updated_at: Date.now(),
    });
    return this.get(projectId, id);
  }

  async get(projectId: string, id: string): Promise<Periodic> {
    const r = await this.db('periodic_tasks').where({ id, project_id: projectId }).first();
    if (!r) throw new NotFoundError('periodic task', id);
    return toPeriodic(r);
  }

  async list(projectId: string): Promise<Periodic[]> {
    return (await this.db('periodic_tasks').where({ project_id: projectId }).orderBy('created_at', 'desc')).map(toPeriodic);
  }

  /** The periodic tasks (enabled or not) that run template `templateId`, by id and name. */
  async usingTemplate(projectId: string, templateId: string): Promise<{ id: string; name: string }[]> {
    return this.db('periodic_tasks').where({ project_id: projectId, template_id: templateId }).orderBy('name').select('id', 'name');
  }

  async delete(projectId: string, id: string): Promise<void> {
    await this.get(projectId, id);
    await this.db('periodic_tasks').where({ id }).delete();
  }

  async history(projectId: string, id: string, limit = 100) {
    await this.get(projectId, id);
    const rows = await this.db('periodic_runs').where({ periodic_id: id }).orderBy('slot_at', 'desc').limit(limit);
    return rows.map((r: { slot_at: number; outcome: string; task_id: string | null; error: string | null; created_at: number }) => ({
      slotAt: Number(r.slot_at), outcome: r.outcome, taskId: r.task_id, error: r.error, firedAt: Number(r.created_at),
    }));
  }

  /** The next `count` slots of an enabled periodic task. */
  async upcoming(projectId: string, id: string, count = 5): Promise<number[]> {
    const p = await this.get(projectId, id);
    if (!p.enabled) return [];
    if (p.runAt !== null) return p.nextRunAt ? [p.nextRunAt] : [];
    return parseCron(p.cron!, p.timeZone!).next(Date.now(), count);
  }

  /** One scheduler pass: fires due slots, skips missed ones, and finishes slots a stopped scheduler claimed. */
  async tick(now = Date.now()): Promise<number> {
    const due = (await this.db('periodic_tasks').where('enabled', true).where('next_run_at', '<=', now).orderBy('next_run_at').limit(100)).map(toPeriodic);
    let fired = 0;
    for (const p of due) {
      const slot = p.nextRunAt!;
      const missed = now - slot > MISSED_AFTER_MS;
      // After a missed slot the schedule resumes at the first slot still within the grace, not after
      // now: a later slot only seconds late fires on the next pass instead of being dropped unrecorded.
      const next = p.runAt !== null ? null : parseCron(p.cron!, p.timeZone!).next(missed ? now - MISSED_AFTER_MS : slot)[0]!;
      // The slot's task id is reserved with the claim: whoever finishes the slot creates the task
      // under it, so a slot whose scheduler stopped is finished once, never twice (see recover).
      const taskId = newId();
      // Claim the slot: moving the schedule past it is a compare-and-set that one scheduler wins
      // (the row lock lets them through one by one), and the slot's row is written in the same
      // transaction, so no crash leaves a claimed slot due.
      const claimed = await this.db.transaction(async (trx) => {
        const moved = await trx('periodic_tasks').where({ id: p.id, next_run_at: slot }).update({
          next_run_at: next, enabled: p.runAt !== null ? false : p.enabled, ...(missed ? {} : { last_run_at: now, total_runs: p.totalRuns + 1 }), updated_at: now,
        });
        if (moved === 0) return false;
        try {
          await trx('periodic_runs').insert({ periodic_id: p.id, slot_at: slot, outcome: missed ? 'missed' : 'claimed', task_id: missed ? null : taskId, created_at: now });
          return true;
        } catch (err) {
          // The unique (periodic_id, slot_at) row: this slot fired before, by a scheduler that died
          // before it moved the schedule on (once two separate writes). It fires no more; the move stays.
          if (!isUniqueViolation(err)) throw err;
          return false;
        }
      });
      if (claimed && !missed && (await this.fire(p, slot, taskId))) fired++;
    }
    return fired + (await this.recover(now));
  }

  /**
   * Finishes slots claimed by a scheduler that stopped before it started their task (killed, or
   * its database connection lost). One still within MISSED_AFTER_MS of its time fires now; an older
   * one counts as missed while down. Safe while the claiming scheduler is only slow: the task is
   * created under the reserved id once, and started once.
   */
  private async recover(now: number): Promise<number> {
    const stale = await this.db('periodic_runs').where('outcome', 'claimed').where('created_at', '<', now - RECOVER_AFTER_MS).orderBy('created_at').limit(100);
    let fired = 0;
    for (const run of stale as { periodic_id: string; slot_at: number | string; task_id: string }[]) {
      const slot = Number(run.slot_at);
      const row = await this.db('periodic_tasks').where({ id: run.periodic_id }).first();
      if (!row) continue;
      const p = toPeriodic(row);
      if (now - slot <= MISSED_AFTER_MS) {
        if (await this.fire(p, slot, run.task_id)) fired++;
        continue;
      }
      // Too late to fire; a task the stopped scheduler did start still counts as started.
      const task = await this.tasks.get(p.projectId, run.task_id).catch(() => undefined);
      await this.settle(p.id, slot, task && task.state !== 'created' ? { outcome: 'started' }
        : { outcome: 'missed', error: 'the scheduler stopped before it started this slot\'s task, and was back too late to start it on time', taskId: task ? task.id : null });
    }
    return fired;
  }

  /** Creates and starts a claimed slot's task under its reserved id; true once the task runs. */
  private async fire(p: Periodic, slot: number, taskId: string): Promise<boolean> {
    try {
      // A slot runs in its creator's name: one who lost the right to run tasks here runs nothing more.
      const refusal = await this.projects.refusal(p.projectId, p.createdBy);
      if (refusal) throw new ForbiddenError(`the periodic task runs as its creator, and ${refusal}`);
      const stamp = new Date(slot).toISOString().replace(/[-:T]/g, '').slice(0, 14);
      try {
        await this.tasks.create(p.projectId, p.createdBy, {
          id: taskId, templateId: p.templateId, ...(p.templateVersion ? { version: p.templateVersion } : {}), name: `${p.name}_${stamp}`,
          variables: p.variables, excludeNodes: p.excludeNodes, createMethod: p.runAt !== null ? 'clocked' : 'periodic',
        });
      } catch (err) {
        // Created already, by the scheduler that claimed the slot before it stopped.
        if (!isUniqueViolation(err)) throw err;
      }
      try {
        await this.tasks.start(p.projectId, taskId);
      } catch (err) {
        // Started already (by whoever else finished this slot): the slot ran once.
        if ((err as { code?: string }).code !== 'task_already_started') throw err;
      }
      return await this.settle(p.id, slot, { outcome: 'started' });
    } catch (err) {
      this.log.warn({ err, periodicId: p.id }, 'periodic task could not start');
      const made = await this.tasks.get(p.projectId, taskId).then(() => taskId, () => null);
      await this.settle(p.id, slot, { outcome: 'failed', error: (err as Error).message.slice(0, 2000), taskId: made });
      return false;
    }
  }

  /**
   * Records how a claimed slot ended; false when someone else recorded it first. `taskId` replaces
   * the reserved id when given: null for a slot whose task was never made, so history links no task.
   */
  private async settle(periodicId: string, slot: number, end: { outcome: 'started' | 'missed' | 'failed'; error?: string; taskId?: string | null }): Promise<boolean> {
    const changes = { outcome: end.outcome, error: end.error ?? null, ...(end.taskId !== undefined ? { task_id: end.taskId } : {}) };
    return (await this.db('periodic_runs').where({ periodic_id: periodicId, slot_at: slot, outcome: 'claimed' }).update(changes)) > 0;
  }

  private async schedule(projectId: string, input: PeriodicInput): Promise<{ timeZone: string | null; runAt: number | null; next(after: number): number | null }> {
    if (!input.cron && !input.runAt) throw new ValidationError('body: give a schedule: cron (periodic) or runAt (clocked)', [{ path: 'body.cron', message: 'give cron or runAt' }]);
    if (input.cron && input.runAt) throw new ValidationError('body: give either cron (periodic) or runAt (clocked), not both', [{ path: 'body.cron', message: 'cron or runAt, not both' }]);
    if (input.runAt) {
      if (input.timeZone) {
        throw new ValidationError('body.timeZone: a clocked task runs once at runAt, an instant with its own offset; timeZone is for cron schedules', [{ path: 'body.timeZone', message: 'only with cron' }]);
      }
      const at = Date.parse(input.runAt);
      if (Number.isNaN(at)) throw new ValidationError(`body.runAt: "${input.runAt}" is not a date-time`);
      return { timeZone: null, runAt: at, next: () => at };
    }
    const timeZone = input.timeZone ?? (await this.projects.timeZone(projectId));
    if (!isTimeZone(timeZone)) throw new ValidationError(`body.timeZone: unknown time zone "${timeZone}"`);
    const cron = parseCron(input.cron!, timeZone);
    return { timeZone, runAt: null, next: (after) => cron.next(after)[0]! };
  }
}
