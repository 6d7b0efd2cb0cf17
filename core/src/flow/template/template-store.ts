import type { Db } from '../../store/db.js';
import type { FlowGraph } from '../../model/index.js';
import { whereLike } from '../../store/like.js';
import { isSqlite } from '../../store/dialect.js';
import { ValidationError } from '../../errors.js';
import { TemplateChangedError } from '../errors.js';

export interface Template {
  id: string;
  projectId: string;
  name: string;
  description: string | null;
  latestVersion: number;
  createdBy: string;
  updatedBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface TemplateVersion {
  templateId: string;
  version: number;
  graph: FlowGraph;
  comment: string | null;
  createdBy: string;
  createdAt: number;
}

interface Row {
  id: string; project_id: string; name: string; description: string | null; latest_version: number;
  created_by: string; updated_by: string; created_at: number; updated_at: number;
}
const toTemplate = (r: Row): Template => ({
  id: r.id, projectId: r.project_id, name: r.name, description: r.description, latestVersion: Number(r.latest_version),
  createdBy: r.created_by, updatedBy: r.updated_by, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});
interface VersionRow { template_id: string; version: number; graph: string; comment: string | null; created_by: string; created_at: number }
const toVersion = (r: VersionRow): TemplateVersion => ({
  templateId: r.template_id, version: Number(r.version), graph: JSON.parse(r.graph) as FlowGraph, comment: r.comment,
  createdBy: r.created_by, createdAt: Number(r.created_at),
});

/** Flow templates and their immutable versions. Deleting a template hides it; tasks keep their snapshot. */
export class TemplateStore {
  constructor(private readonly db: Db) {}

  async create(t: Template, graph: FlowGraph, comment: string | null): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx('flow_templates').insert({
        id: t.id, project_id: t.projectId, name: t.name, description: t.description, latest_version: 1,
        created_by: t.createdBy, updated_by: t.updatedBy, created_at: t.createdAt, updated_at: t.updatedAt,
      });
      await tx('flow_template_versions').insert({ template_id: t.id, version: 1, graph: JSON.stringify(graph), comment, created_by: t.createdBy, created_at: t.createdAt });
    });
  }

  /**
   * Appends a version; the compare on latest_version makes concurrent saves take distinct numbers.
   * With `baseVersion`, refuses (TemplateChangedError) when the latest version is another one, and
   * (ValidationError) a base the template never had.
   * Returns the template as this save wrote it: a re-read could already show a later concurrent save.
   */
  async addVersion(id: string, graph: FlowGraph, meta: { by: string; comment: string | null; name?: string; description?: string | null; baseVersion?: number }): Promise<Template> {
    return this.db.transaction(async (tx) => {
      for (;;) {
        // A locking read on MariaDB: a plain one reads the transaction's snapshot, so after losing the
        // compare below it would see the same old version again and again (and a base check would pass
        // on a version already replaced). SQLite runs one write transaction at a time.
        const q = tx<Row>('flow_templates').where({ id });
        const row = await (isSqlite(tx) ? q : q.forUpdate()).first();
        if (!row) throw new Error(`template ${id} vanished`);
        if (meta.baseVersion !== undefined && meta.baseVersion > Number(row.latest_version)) {
          throw new ValidationError(`body.baseVersion: template ${id} has no version ${meta.baseVersion}; its latest is ${row.latest_version}`,
            [{ path: 'body.baseVersion', message: `no version ${meta.baseVersion}` }]);
        }
        if (meta.baseVersion !== undefined && Number(row.latest_version) !== meta.baseVersion) {
          throw new TemplateChangedError(id, meta.baseVersion, Number(row.latest_version), row.updated_by);
        }
        const next = Number(row.latest_version) + 1;
        const now = Date.now();
        const patch: Record<string, unknown> = { latest_version: next, updated_by: meta.by, updated_at: now };
        if (meta.name !== undefined) patch.name = meta.name;
        if (meta.description !== undefined) patch.description = meta.description;
        const n = await tx('flow_templates').where({ id, latest_version: row.latest_version }).update(patch);
        if (n === 0) continue;
        await tx('flow_template_versions').insert({ template_id: id, version: next, graph: JSON.stringify(graph), comment: meta.comment, created_by: meta.by, created_at: now });
        return toTemplate({ ...row, ...patch } as Row);
      }
    });
  }

  async get(projectId: string, id: string): Promise<Template | undefined> {
    const r = await this.db<Row>('flow_templates').where({ id, project_id: projectId }).whereNull('deleted_at').first();
    return r && toTemplate(r);
  }

  async list(projectId: string, q: { search?: string; limit: number; offset: number }): Promise<Template[]> {
    const sql = this.db<Row>('flow_templates').where({ project_id: projectId }).whereNull('deleted_at').orderBy('updated_at', 'desc').limit(q.limit).offset(q.offset);
    if (q.search) whereLike(sql, ['name'], q.search);
    return (await sql).map(toTemplate);
  }

  async version(id: string, version: number): Promise<TemplateVersion | undefined> {
    const r = await this.db<VersionRow>('flow_template_versions').where({ template_id: id, version }).first();
    return r && toVersion(r);
  }

  async versions(id: string): Promise<Omit<TemplateVersion, 'graph'>[]> {
    const rows = await this.db<VersionRow>('flow_template_versions').where({ template_id: id }).orderBy('version', 'desc')
      .select('template_id', 'version', 'comment', 'created_by', 'created_at');
    return rows.map((r) => ({ templateId: r.template_id, version: Number(r.version), comment: r.comment, createdBy: r.created_by, createdAt: Number(r.created_at) }));
  }

  /**
   * The templates of a project whose latest version's graph text contains `text`, by name, with
   * that graph. A pre-filter done by the database, so only the candidates' graphs are parsed.
   */
  async latestMentioning(projectId: string, text: string): Promise<{ id: string; name: string; graph: FlowGraph }[]> {
    const sql = this.db('flow_templates as t')
      .join('flow_template_versions as v', (j) => { j.on('v.template_id', 't.id').andOn('v.version', 't.latest_version'); })
      .where('t.project_id', projectId).whereNull('t.deleted_at').orderBy('t.name').select('t.id', 't.name', 'v.graph');
    whereLike(sql, ['v.graph'], text);
    return (await sql).map((r: { id: string; name: string; graph: string }) => ({ id: r.id, name: r.name, graph: JSON.parse(r.graph) as FlowGraph }));
  }

  async softDelete(id: string): Promise<void> {
    await this.db('flow_templates').where({ id }).update({ deleted_at: Date.now() });
  }
}
