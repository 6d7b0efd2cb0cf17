import type { ScriptLanguage } from '@opsloom/agent/protocol';
import type { Db } from '../../store/db.js';
import { slicesWithin, STATEMENT_BYTES } from '../../store/slices.js';
import type { DangerAction, DangerHitDetailView, RunOrigin } from '../api-types.js';
import type { DangerRule } from './danger-rule.js';

interface RuleRow {
  id: string; expression: string; languages: string; description: string; action: string; enabled: number | boolean;
  position: number; created_at: number; updated_at: number;
}

/**
 * A recorded match of a rule: who ran what, where, and whether it was refused. The fields are the
 * API's ({@link DangerHitDetailView}), with the time in epoch milliseconds.
 */
export interface DangerHitRecord extends Omit<DangerHitDetailView, 'at'> {
  at: number;
}

/** A hit as lists show it: without the screened script. */
export type DangerHitSummary = Omit<DangerHitRecord, 'script'>;

interface HitRow {
  id: number; at: number; rule_id: string; expression: string; action: string; description: string; project_id: string;
  user_id: string | null; username: string | null; origin: string; language: string; line: number; line_content: string;
  script?: string; blocked: number | boolean; job_id: string | null;
}

/** A hit's own columns; its script is stored once per screening (job_danger_scripts) and only a single hit carries it. */
const SUMMARY_COLUMNS = ['id', 'at', 'rule_id', 'expression', 'action', 'description', 'project_id', 'user_id', 'username', 'origin', 'language', 'line', 'line_content', 'blocked', 'job_id'];

const toRule = (r: RuleRow): DangerRule => ({
  id: r.id, expression: r.expression, languages: r.languages.split(',').filter(Boolean) as ScriptLanguage[],
  description: r.description, action: r.action as DangerAction, enabled: Boolean(r.enabled), position: r.position,
  createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});

const toSummary = (r: HitRow): DangerHitSummary => ({
  id: Number(r.id), at: Number(r.at), ruleId: r.rule_id, expression: r.expression, action: r.action as DangerAction,
  description: r.description, projectId: r.project_id, userId: r.user_id, username: r.username, origin: r.origin as RunOrigin,
  language: r.language as ScriptLanguage, line: r.line, lineContent: r.line_content, blocked: Boolean(r.blocked), jobId: r.job_id,
});

/** Rules and hits in the database. */
export class DangerStore {
  constructor(private readonly db: Db) {}

  async list(): Promise<DangerRule[]> {
    return (await this.db<RuleRow>('job_danger_rules').orderBy([{ column: 'position' }, { column: 'id' }])).map(toRule);
  }

  async get(id: string): Promise<DangerRule | undefined> {
    const row = await this.db<RuleRow>('job_danger_rules').where({ id }).first();
    return row ? toRule(row) : undefined;
  }

  async nextPosition(): Promise<number> {
    const row = await this.db('job_danger_rules').max({ p: 'position' }).first() as { p: number | null } | undefined;
    return Number(row?.p ?? 0) + 1;
  }

  async insert(rule: DangerRule): Promise<void> {
    await this.db('job_danger_rules').insert({
      id: rule.id, expression: rule.expression, languages: rule.languages.join(','), description: rule.description,
      action: rule.action, enabled: rule.enabled, position: rule.position, created_at: rule.createdAt, updated_at: rule.updatedAt,
    });
  }

  async update(rule: DangerRule): Promise<void> {
    await this.db('job_danger_rules').where({ id: rule.id }).update({
      expression: rule.expression, languages: rule.languages.join(','), description: rule.description, action: rule.action,
      enabled: rule.enabled, position: rule.position, updated_at: rule.updatedAt,
    });
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db('job_danger_rules').where({ id }).delete()) > 0;
  }

  /** Gives the rules positions 1..n in the order of `ids`. */
  async reorder(ids: string[]): Promise<void> {
    await this.db.transaction(async (trx) => {
      for (const [i, id] of ids.entries()) await trx('job_danger_rules').where({ id }).update({ position: i + 1 });
    });
  }

  /** Records the hits of one screening in one transaction, with the screened script stored once for all of them. */
  async recordHits(script: string, hits: Omit<DangerHitSummary, 'id'>[]): Promise<void> {
    if (hits.length === 0) return;
    await this.db.transaction(async (trx) => {
      const [scriptId] = await trx('job_danger_scripts').insert({ script });
      const rows = hits.map((h) => ({
        at: h.at, rule_id: h.ruleId, expression: h.expression, action: h.action, description: h.description, project_id: h.projectId,
        user_id: h.userId, username: h.username, origin: h.origin, language: h.language, line: h.line, line_content: h.lineContent,
        script_id: scriptId, blocked: h.blocked, job_id: h.jobId,
      }));
      for (const part of slicesWithin(rows, 200, STATEMENT_BYTES, (r) => Buffer.byteLength(r.line_content))) {
        await trx('job_danger_hits').insert(part);
      }
    });
  }

  /** Hits newest first, for one project or all; `before` pages by id. */
  async hits(query: { projectId?: string; before?: number; limit: number }): Promise<DangerHitSummary[]> {
    const q = this.db('job_danger_hits').select<HitRow[]>(SUMMARY_COLUMNS).orderBy('id', 'desc').limit(query.limit);
    if (query.projectId) q.where({ project_id: query.projectId });
    if (query.before) q.where('id', '<', query.before);
    return (await q).map(toSummary);
  }

  /** One hit with its script; undefined when there is none with this id (in this project, when given). */
  async hit(id: number, projectId?: string): Promise<DangerHitRecord | undefined> {
    const q = this.db('job_danger_hits').leftJoin('job_danger_scripts', 'job_danger_scripts.id', 'job_danger_hits.script_id')
      .select<HitRow[]>([...SUMMARY_COLUMNS.map((c) => `job_danger_hits.${c}`), 'job_danger_scripts.script']).where('job_danger_hits.id', id);
    if (projectId) q.where('job_danger_hits.project_id', projectId);
    const r = (await q)[0];
    return r && { ...toSummary(r), script: r.script ?? '' };
  }
}
