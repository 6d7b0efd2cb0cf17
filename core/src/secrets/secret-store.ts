import type { Db } from '../store/db.js';

/** A secret's description, as the API lists it; the value never appears here. */
export interface SecretInfo {
  id: string;
  projectId: string;
  name: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
  updatedBy: string;
}

interface Row {
  id: string; project_id: string; name: string; description: string | null; value_cipher: string;
  created_by: string; created_at: number; updated_by: string; updated_at: number;
}

const TABLE = 'project_secrets';
const INFO_COLUMNS = ['id', 'project_id', 'name', 'description', 'created_at', 'updated_by', 'updated_at'] as const;

const toInfo = (r: Omit<Row, 'value_cipher' | 'created_by'>): SecretInfo => ({
  id: r.id, projectId: r.project_id, name: r.name, description: r.description, createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at), updatedBy: r.updated_by,
});

/** The `project_secrets` table: sealed values and their descriptions. */
export class SecretStore {
  constructor(private readonly db: Db) {}

  async list(projectId: string): Promise<SecretInfo[]> {
    return (await this.db<Row>(TABLE).select(...INFO_COLUMNS).where({ project_id: projectId }).orderBy('name')).map(toInfo);
  }

  async info(projectId: string, name: string): Promise<SecretInfo | undefined> {
    const row = await this.db<Row>(TABLE).select(...INFO_COLUMNS).where({ project_id: projectId, name }).first();
    return row ? toInfo(row) : undefined;
  }

  async sealed(projectId: string, name: string): Promise<string | undefined> {
    const row = await this.db<Row>(TABLE).select('value_cipher').where({ project_id: projectId, name }).first();
    return row?.value_cipher;
  }

  /** @throws a unique violation when the name is taken in the project */
  async insert(s: SecretInfo & { sealed: string; createdBy: string }): Promise<void> {
    await this.db(TABLE).insert({
      id: s.id, project_id: s.projectId, name: s.name, description: s.description, value_cipher: s.sealed,
      created_by: s.createdBy, created_at: s.createdAt, updated_by: s.updatedBy, updated_at: s.updatedAt,
    });
  }

  async update(projectId: string, name: string, patch: { sealed?: string; description?: string | null; updatedBy: string; updatedAt: number }): Promise<boolean> {
    const n = await this.db(TABLE).where({ project_id: projectId, name }).update({
      ...(patch.sealed !== undefined ? { value_cipher: patch.sealed } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      updated_by: patch.updatedBy, updated_at: patch.updatedAt,
    });
    return n > 0;
  }

  async delete(projectId: string, name: string): Promise<boolean> {
    return (await this.db(TABLE).where({ project_id: projectId, name }).delete()) > 0;
  }
}
