import type { ScriptLanguage } from '@opsloom/agent/protocol';
import type { Db } from '../../store/db.js';
import type { RunOrigin, ScriptReferenceView, ScriptVersionStatus, ScriptVersionView, ScriptView } from '../api-types.js';

/**
 * A library script: of a project, or public (`projectId` null) for every project. The fields are the
 * API's ({@link ScriptView}), with times in epoch milliseconds.
 */
export interface Script extends Omit<ScriptView, 'createdAt' | 'updatedAt'> {
  createdAt: number;
  updatedAt: number;
}

/** One version of a script's text (only drafts can be edited): {@link ScriptVersionView} with epoch-ms times. */
export interface ScriptVersion extends Omit<ScriptVersionView, 'createdAt' | 'updatedAt'> {
  createdAt: number;
  updatedAt: number;
}

/** A job that ran a script: {@link ScriptReferenceView} with its start time in epoch milliseconds. */
export interface ScriptReference extends Omit<ScriptReferenceView, 'createdAt'> {
  createdAt: number;
}

interface ScriptRow {
  id: string; project_id: string | null; name: string; language: string; description: string | null; created_by: string;
  created_at: number; updated_at: number;
}
interface VersionRow {
  id: string; script_id: string; version: string; content: string; status: string; description: string | null;
  created_by: string; created_at: number; updated_at: number;
}

const toScript = (r: ScriptRow): Script => ({
  id: r.id, projectId: r.project_id, name: r.name, language: r.language as ScriptLanguage, description: r.description,
  createdBy: r.created_by, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});
const toVersion = (r: VersionRow): ScriptVersion => ({
  id: r.id, scriptId: r.script_id, version: r.version, content: r.content, status: r.status as ScriptVersionStatus,
  description: r.description, createdBy: r.created_by, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});

/** Scripts and their versions in the database. */
export class ScriptStore {
  constructor(private readonly db: Db) {}

  async insert(script: Script, version: ScriptVersion): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('job_scripts').insert({
        id: script.id, project_id: script.projectId, name: script.name, language: script.language, description: script.description,
        created_by: script.createdBy, created_at: script.createdAt, updated_at: script.updatedAt,
      });
      await trx('job_script_versions').insert(versionRow(version));
    });
  }

  async byName(projectId: string | null, name: string): Promise<Script | undefined> {
    const q = this.db<ScriptRow>('job_scripts').where({ name });
    if (projectId === null) q.whereNull('project_id');
    else q.where({ project_id: projectId });
    const row = await q.first();
    return row ? toScript(row) : undefined;
  }

  async get(id: string): Promise<Script | undefined> {
    const row = await this.db<ScriptRow>('job_scripts').where({ id }).first();
    return row ? toScript(row) : undefined;
  }

  /** Scripts of a project (or the public ones for null), each with its online version's id, if any. */
  async list(projectId: string | null): Promise<(Script & { onlineVersionId: string | null })[]> {
    const q = this.db<ScriptRow>('job_scripts').orderBy('name');
    if (projectId === null) q.whereNull('project_id');
    else q.where({ project_id: projectId });
    const scripts = (await q).map(toScript);
    const online = new Map<string, string>();
    for (let i = 0; i < scripts.length; i += 500) {
      const rows = await this.db<VersionRow>('job_script_versions').select('id', 'script_id')
        .whereIn('script_id', scripts.slice(i, i + 500).map((s) => s.id)).where({ status: 'online' });
      for (const r of rows) online.set(r.script_id, r.id);
    }
    return scripts.map((s) => ({ ...s, onlineVersionId: online.get(s.id) ?? null }));
  }

  async update(id: string, patch: { name?: string; description?: string | null }, at: number): Promise<void> {
    await this.db('job_scripts').where({ id }).update({ ...patch, updated_at: at });
  }

  async delete(id: string): Promise<void> {
    await this.db('job_scripts').where({ id }).delete();
  }

  async versions(scriptId: string): Promise<ScriptVersion[]> {
    return (await this.db<VersionRow>('job_script_versions').where({ script_id: scriptId }).orderBy('id', 'desc')).map(toVersion);
  }

  async version(id: string): Promise<ScriptVersion | undefined> {
    const row = await this.db<VersionRow>('job_script_versions').where({ id }).first();
    return row ? toVersion(row) : undefined;
  }

  async onlineVersion(scriptId: string): Promise<ScriptVersion | undefined> {
    const row = await this.db<VersionRow>('job_script_versions').where({ script_id: scriptId, status: 'online' }).first();
    return row ? toVersion(row) : undefined;
  }

  async insertVersion(v: ScriptVersion): Promise<void> {
    await this.db('job_script_versions').insert(versionRow(v));
  }

  async updateVersion(id: string, patch: { version?: string; content?: string; description?: string | null }, at: number): Promise<void> {
    await this.db('job_script_versions').where({ id }).update({ ...patch, updated_at: at });
  }

  /** Makes `versionId` the online version; the previous online version goes offline, in one transaction. */
  async publish(scriptId: string, versionId: string, at: number): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('job_script_versions').where({ script_id: scriptId, status: 'online' }).update({ status: 'offline', updated_at: at });
      await trx('job_script_versions').where({ id: versionId }).update({ status: 'online', updated_at: at });
      await trx('job_scripts').where({ id: scriptId }).update({ updated_at: at });
    });
  }

  async setStatus(versionId: string, status: ScriptVersionStatus, at: number): Promise<void> {
    await this.db('job_script_versions').where({ id: versionId }).update({ status, updated_at: at });
  }

  async deleteVersion(id: string): Promise<void> {
    await this.db('job_script_versions').where({ id }).delete();
  }

  /** Jobs that ran this script (any version), newest first, and how many there are. */
  async references(scriptId: string, limit: number): Promise<{ total: number; items: ScriptReference[] }> {
    const total = Number(((await this.db('job_instances').where({ script_id: scriptId }).count({ n: '*' }).first()) as { n: number } | undefined)?.n ?? 0);
    const rows = await this.db('job_instances').select('id', 'project_id', 'name', 'origin', 'script_version_id', 'created_by_name', 'created_at')
      .where({ script_id: scriptId }).orderBy('id', 'desc').limit(limit) as { id: string; project_id: string; name: string; origin: string; script_version_id: string | null; created_by_name: string | null; created_at: number }[];
    return {
      total,
      items: rows.map((r) => ({ jobId: r.id, projectId: r.project_id, name: r.name, origin: r.origin as RunOrigin, versionId: r.script_version_id, createdBy: r.created_by_name, createdAt: Number(r.created_at) })),
    };
  }
}

function versionRow(v: ScriptVersion): Record<string, unknown> {
  return {
    id: v.id, script_id: v.scriptId, version: v.version, content: v.content, status: v.status, description: v.description,
    created_by: v.createdBy, created_at: v.createdAt, updated_at: v.updatedAt,
  };
}
