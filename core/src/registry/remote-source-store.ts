import type { Db } from '../store/db.js';

/** A remote source as stored; `tokenSealed` is the AES-256-GCM sealed credential. */
export interface StoredRemoteSource {
  id: string;
  projectId: string;
  name: string;
  url: string;
  tokenSealed: string | null;
  scopes: string[];
  maxAgeSeconds: number | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- knex rows are untyped records
const toSource = (r: Record<string, any>): StoredRemoteSource => ({
  id: r.id, projectId: r.project_id, name: r.name, url: r.url, tokenSealed: r.token_sealed, scopes: JSON.parse(r.scopes),
  maxAgeSeconds: r.max_age_seconds === null ? null : Number(r.max_age_seconds), createdBy: r.created_by,
  createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});

/** Table `registry_remote_sources`: other organisations' registries, per project. */
export class RemoteSourceStore {
  constructor(private readonly db: Db) {}

  async all(): Promise<StoredRemoteSource[]> {
    return (await this.db('registry_remote_sources').orderBy('name')).map(toSource);
  }

  async ofProject(projectId: string): Promise<StoredRemoteSource[]> {
    return (await this.db('registry_remote_sources').where({ project_id: projectId }).orderBy('name')).map(toSource);
  }

  async byName(name: string): Promise<StoredRemoteSource | undefined> {
    const r = await this.db('registry_remote_sources').where({ name }).first();
    return r && toSource(r);
  }

  async insert(s: StoredRemoteSource): Promise<void> {
    await this.db('registry_remote_sources').insert({
      id: s.id, project_id: s.projectId, name: s.name, url: s.url, token_sealed: s.tokenSealed, scopes: JSON.stringify(s.scopes),
      max_age_seconds: s.maxAgeSeconds, created_by: s.createdBy, created_at: s.createdAt, updated_at: s.updatedAt,
    });
  }

  async delete(id: string): Promise<void> {
    await this.db('registry_remote_sources').where({ id }).delete();
  }
}
