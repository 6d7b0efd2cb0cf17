import type { Db } from '../store/db.js';
import type { DynamicGroup, GroupQuery } from './cmdb-model.js';

interface Row {
  id: string; project_id: string; name: string; description: string | null; query: string; created_by: string; created_at: number;
  updated_by: string; updated_at: number;
}

const toGroup = (r: Row): DynamicGroup => ({
  id: r.id, projectId: r.project_id, name: r.name, description: r.description, query: JSON.parse(r.query) as GroupQuery,
  createdBy: r.created_by, createdAt: Number(r.created_at), updatedBy: r.updated_by, updatedAt: Number(r.updated_at),
});

/** Saved dynamic groups (`cmdb_groups`). */
export class GroupStore {
  constructor(private readonly db: Db) {}

  async list(projectId: string): Promise<DynamicGroup[]> {
    return (await this.db<Row>('cmdb_groups').where({ project_id: projectId }).orderBy('name')).map(toGroup);
  }

  async byName(projectId: string, name: string): Promise<DynamicGroup | undefined> {
    const row = await this.db<Row>('cmdb_groups').where({ project_id: projectId, name }).first();
    return row ? toGroup(row) : undefined;
  }

  /** @throws a unique violation when the name is taken */
  async insert(g: DynamicGroup): Promise<void> {
    await this.db('cmdb_groups').insert({
      id: g.id, project_id: g.projectId, name: g.name, description: g.description, query: JSON.stringify(g.query),
      created_by: g.createdBy, created_at: g.createdAt, updated_by: g.updatedBy, updated_at: g.updatedAt,
    });
  }

  async update(projectId: string, name: string, patch: { description?: string | null; query?: GroupQuery }, by: string, at: number): Promise<boolean> {
    return (await this.db('cmdb_groups').where({ project_id: projectId, name }).update({
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.query !== undefined ? { query: JSON.stringify(patch.query) } : {}),
      updated_by: by, updated_at: at,
    })) > 0;
  }

  async delete(projectId: string, name: string): Promise<boolean> {
    return (await this.db('cmdb_groups').where({ project_id: projectId, name }).delete()) > 0;
  }
}
