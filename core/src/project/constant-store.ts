import type { Db } from '../store/db.js';

/** A project constant: a named string every flow of the project reads as `${_env_KEY}`. */
export interface ProjectConstant {
  key: string;
  value: string;
  description: string | null;
}

const TABLE = 'project_constants';

/** The `project_constants` table: the only code that reads or writes it. */
export class ProjectConstantStore {
  constructor(private readonly db: Db) {}

  /** The project's constants, by key. */
  async list(projectId: string): Promise<ProjectConstant[]> {
    const rows = await this.db(TABLE).where({ project_id: projectId }).orderBy('key').select('key', 'value', 'description');
    return rows.map((r: ProjectConstant) => ({ key: r.key, value: r.value, description: r.description ?? null }));
  }

  /** The keys alone, for checking templates without reading every value. */
  async keys(projectId: string): Promise<string[]> {
    return this.db(TABLE).where({ project_id: projectId }).orderBy('key').pluck('key');
  }

  /** Creates or replaces one constant; true when it did not exist before. */
  async put(projectId: string, c: ProjectConstant): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const replaced = await tx(TABLE).where({ project_id: projectId, key: c.key }).update({ value: c.value, description: c.description });
      if (replaced > 0) return false;
      // Two first PUTs of one key race to this insert; the loser replaces what the winner wrote.
      await tx(TABLE).insert({ project_id: projectId, key: c.key, value: c.value, description: c.description })
        .onConflict(['project_id', 'key']).merge(['value', 'description']);
      return true;
    });
  }

  /** Deletes one constant; false when there was none. */
  async delete(projectId: string, key: string): Promise<boolean> {
    return (await this.db(TABLE).where({ project_id: projectId, key }).delete()) > 0;
  }
}
