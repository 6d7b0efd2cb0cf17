import type { Db } from '../store/db.js';
import type { PluginManifest } from '@opsloom/plugin-runtime/manifest';
import { whereLike } from '../store/like.js';

/** bk-job's script statuses applied to plugins: `disabled` is the emergency stop. */
export type PluginStatus = 'online' | 'offline' | 'disabled';

export interface InstalledPlugin {
  name: string;
  version: string;
  status: PluginStatus;
  runtime: string;
  title: string;
  category: string;
  description: string | null;
  manifest: PluginManifest;
  integrity: string;
  /** Unpacked package directory in the plugin store. */
  dir: string;
  /** The organisation whose pinned key verified the signature; null unless `signatureState` is `verified`. */
  org: string | null;
  /** The organisation an unverified signature names (installed with an administrator's approval): a claim only. */
  claimedOrg: string | null;
  signatureState: string;
  /** Capabilities an operator approved for this version; null = not yet approved. */
  approvedCapabilities: string[] | null;
  approvedBy: string | null;
  approvedAt: number | null;
  source: string;
  installedAt: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- knex rows are untyped records
const toPlugin = (r: Record<string, any>): InstalledPlugin => ({
  name: r.name, version: r.version, status: r.status, runtime: r.runtime, title: r.title, category: r.category, description: r.description,
  manifest: JSON.parse(r.manifest), integrity: r.integrity, dir: r.dir, org: r.org, claimedOrg: r.claimed_org ?? null, signatureState: r.signature_state,
  approvedCapabilities: r.approved_capabilities ? JSON.parse(r.approved_capabilities) : null, approvedBy: r.approved_by,
  approvedAt: r.approved_at === null ? null : Number(r.approved_at), source: r.source, installedAt: Number(r.installed_at),
});

/** The index of installed plugin versions. */
export class PluginStore {
  constructor(private readonly db: Db) {}

  async upsert(p: InstalledPlugin): Promise<void> {
    const row = {
      name: p.name, version: p.version, status: p.status, runtime: p.runtime, title: p.title, category: p.category, description: p.description,
      manifest: JSON.stringify(p.manifest), integrity: p.integrity, dir: p.dir, org: p.org, claimed_org: p.claimedOrg, signature_state: p.signatureState,
      approved_capabilities: p.approvedCapabilities ? JSON.stringify(p.approvedCapabilities) : null, approved_by: p.approvedBy,
      approved_at: p.approvedAt, source: p.source, installed_at: p.installedAt, updated_at: Date.now(),
    };
    await this.db('plugin_versions').insert(row).onConflict(['name', 'version']).merge();
  }

  async get(name: string, version: string): Promise<InstalledPlugin | undefined> {
    const r = await this.db('plugin_versions').where({ name, version }).first();
    return r && toPlugin(r);
  }

  async versionsOf(name: string): Promise<InstalledPlugin[]> {
    return (await this.db('plugin_versions').where({ name })).map(toPlugin);
  }

  async list(filter: { status?: PluginStatus; category?: string; search?: string }): Promise<InstalledPlugin[]> {
    const sql = this.db('plugin_versions').orderBy([{ column: 'name' }, { column: 'installed_at', order: 'desc' }]);
    if (filter.status) sql.where('status', filter.status);
    if (filter.category) sql.where('category', filter.category);
    if (filter.search) whereLike(sql, ['name', 'title', 'description'], filter.search);
    return (await sql).map(toPlugin);
  }

  async setStatus(name: string, version: string, status: PluginStatus): Promise<void> {
    await this.db('plugin_versions').where({ name, version }).update({ status, updated_at: Date.now() });
  }

  /** Records an approval of the contents with `integrity`; false when the version holds other contents now. */
  async approve(name: string, version: string, integrity: string, capabilities: string[], by: string): Promise<boolean> {
    const updated = await this.db('plugin_versions').where({ name, version, integrity }).update({ approved_capabilities: JSON.stringify(capabilities), approved_by: by, approved_at: Date.now(), updated_at: Date.now() });
    return updated > 0;
  }
}
