import type { Db } from '../store/db.js';
import type { CmdbModule, CmdbSet } from './cmdb-model.js';

interface SetRow { id: string; project_id: string; name: string; description: string | null; created_at: number; updated_at: number }
interface ModuleRow extends SetRow { set_id: string }

const toSet = (r: SetRow): CmdbSet => ({
  id: r.id, projectId: r.project_id, name: r.name, description: r.description, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});
const toModule = (r: ModuleRow): CmdbModule => ({ ...toSet(r), setId: r.set_id });

/** Sets and modules of projects (`cmdb_sets`, `cmdb_modules`). */
export class TopologyStore {
  constructor(private readonly db: Db) {}

  async sets(projectId: string, trx: Db = this.db): Promise<CmdbSet[]> {
    return (await trx<SetRow>('cmdb_sets').where({ project_id: projectId }).orderBy('name')).map(toSet);
  }

  async modules(projectId: string, trx: Db = this.db): Promise<CmdbModule[]> {
    return (await trx<ModuleRow>('cmdb_modules').where({ project_id: projectId }).orderBy('name')).map(toModule);
  }

  async set(projectId: string, id: string): Promise<CmdbSet | undefined> {
    const row = await this.db<SetRow>('cmdb_sets').where({ project_id: projectId, id }).first();
    return row ? toSet(row) : undefined;
  }

  async module(projectId: string, id: string): Promise<CmdbModule | undefined> {
    const row = await this.db<ModuleRow>('cmdb_modules').where({ project_id: projectId, id }).first();
    return row ? toModule(row) : undefined;
  }

  /** Hosts per module id (modules without hosts are absent). */
  async hostCounts(projectId: string): Promise<Map<string, number>> {
    const rows = await this.db('cmdb_host_placements').select('module_id').count({ n: '*' }).where({ project_id: projectId }).groupBy('module_id') as { module_id: string; n: number }[];
    return new Map(rows.map((r) => [r.module_id, Number(r.n)]));
  }

  /** Hosts of the project in no module (the idle pool). */
  async idleCount(projectId: string): Promise<number> {
    const row = await this.db('job_hosts as h').leftJoin('cmdb_host_placements as p', 'p.host_id', 'h.id')
      .where('h.project_id', projectId).whereNull('p.host_id').count({ n: '*' }).first() as { n: number } | undefined;
    return Number(row?.n ?? 0);
  }

  async insertSet(s: CmdbSet, trx: Db = this.db): Promise<void> {
    await trx('cmdb_sets').insert({ id: s.id, project_id: s.projectId, name: s.name, description: s.description, created_at: s.createdAt, updated_at: s.updatedAt });
  }

  async insertModule(m: CmdbModule, trx: Db = this.db): Promise<void> {
    await trx('cmdb_modules').insert({
      id: m.id, project_id: m.projectId, set_id: m.setId, name: m.name, description: m.description, created_at: m.createdAt, updated_at: m.updatedAt,
    });
  }

  async updateSet(projectId: string, id: string, patch: { name?: string; description?: string | null }, at: number): Promise<boolean> {
    return (await this.db('cmdb_sets').where({ project_id: projectId, id }).update({ ...patch, updated_at: at })) > 0;
  }

  async updateModule(projectId: string, id: string, patch: { name?: string; description?: string | null }, at: number): Promise<boolean> {
    return (await this.db('cmdb_modules').where({ project_id: projectId, id }).update({ ...patch, updated_at: at })) > 0;
  }

  /** Deletes the set and its modules, only if none of them holds a host (checked in the same transaction). */
  async deleteEmptySet(projectId: string, id: string): Promise<'deleted' | 'missing' | 'not-empty'> {
    return this.db.transaction(async (trx) => {
      if (!(await trx('cmdb_sets').where({ project_id: projectId, id }).first())) return 'missing';
      const used = await trx('cmdb_host_placements as p').join('cmdb_modules as m', 'm.id', 'p.module_id').where('m.set_id', id).first('p.host_id');
      if (used) return 'not-empty';
      await trx('cmdb_modules').where({ set_id: id }).delete();
      await trx('cmdb_sets').where({ id }).delete();
      return 'deleted';
    });
  }

  /** Deletes the module only if it holds no host. */
  async deleteEmptyModule(projectId: string, id: string): Promise<'deleted' | 'missing' | 'not-empty'> {
    return this.db.transaction(async (trx) => {
      if (!(await trx('cmdb_modules').where({ project_id: projectId, id }).first())) return 'missing';
      if (await trx('cmdb_host_placements').where({ module_id: id }).first('host_id')) return 'not-empty';
      await trx('cmdb_modules').where({ id }).delete();
      return 'deleted';
    });
  }
}
