import type { Knex } from 'knex';
import type { PluginManifest } from '@opsloom/plugin-runtime/manifest';
import type { Db } from '../store/db.js';
import { searchText, type CatalogEntry } from './catalog-entry.js';
import { judgeClaim, type CatalogSignatureState } from './catalog-signature.js';
import type { KnownKeys } from './trust-store.js';
import { whereLike } from '../store/like.js';
import { slices } from '../store/slices.js';

/**
 * A catalog row as stored (the readme and schemas only in {@link CatalogStore.get}; the stored
 * signature only for re-judging it).
 */
export interface CatalogRow extends Omit<CatalogEntry, 'readme' | 'manifest' | 'signature' | 'manifestSigned'> {
  downloads: number;
  indexedAt: number;
}

/** A catalog row with everything the detail page shows. */
export interface CatalogDetail extends CatalogRow {
  readme: string | null;
  manifest: PluginManifest;
}

/** Filters of {@link CatalogStore.search}; every one is optional and they combine with AND. */
export interface CatalogQuery {
  /** Words that must all appear in name, title, description or keywords (case-insensitive). */
  q?: string;
  category?: string;
  /** An exact capability the version declares, e.g. `agent.execute`. */
  capability?: string;
  runtime?: string;
  /** An organisation whose pinned key verifies the signature (state `trusted`); what the API shows as `org`. */
  org?: string;
  /**
   * An organisation a signature names without a pinned key verifying it (any state but `trusted`:
   * an unpinned or unknown key, or a signature that does not verify); what the API shows as `claimedOrg`.
   */
  claimedOrg?: string;
  /** `local` or a remote source's name. */
  origin?: string;
  signatureState?: CatalogSignatureState;
  /** Every version instead of the latest one of each package. @default false */
  allVersions?: boolean;
  /** 1-based. @default 1 */
  page?: number;
  /** @default 20 */
  pageSize?: number;
}

const LIST_COLUMNS = [
  'name', 'version', 'title', 'category', 'description', 'keywords', 'runtime', 'mode', 'capabilities', 'org', 'key_id',
  'signature_state', 'origin', 'integrity', 'published_at', 'is_latest', 'downloads', 'indexed_at',
].map((c) => `c.${c}`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- knex rows are untyped records
type Row = Record<string, any>;

const toRow = (r: Row): CatalogRow => ({
  name: r.name, version: r.version, title: r.title, category: r.category, description: r.description,
  keywords: JSON.parse(r.keywords), runtime: r.runtime, mode: r.mode, capabilities: JSON.parse(r.capabilities),
  org: r.org, keyId: r.key_id, signatureState: r.signature_state, origin: r.origin, integrity: r.integrity,
  publishedAt: Number(r.published_at), isLatest: Boolean(r.is_latest), downloads: Number(r.downloads), indexedAt: Number(r.indexed_at),
});

/**
 * The marketplace catalog (`registry_catalog` + `registry_catalog_capabilities`): every published
 * plugin version, searchable without asking Verdaccio (whose search cannot filter by keyword).
 */
export class CatalogStore {
  constructor(private readonly db: Db) {}

  /**
   * Replaces what the catalog knows about one package with `entries` (all its versions): upserts
   * them, drops versions that are gone, and moves the latest flag. One transaction per package.
   */
  async replacePackage(name: string, entries: CatalogEntry[]): Promise<void> {
    const now = Date.now();
    await this.db.transaction(async (tx) => {
      // The versions that are gone, found here: a NOT IN list of every version a package has
      // would pass SQLite's limit of bound parameters for a package with tens of thousands.
      const kept = new Set(entries.map((e) => e.version));
      const known = (await tx('registry_catalog').where({ name }).pluck('version')) as string[];
      for (const gone of slices(known.filter((v) => !kept.has(v)), 500)) {
        for (const table of ['registry_catalog', 'registry_catalog_capabilities', 'registry_catalog_details']) {
          await tx(table).where({ name }).whereIn('version', gone).delete();
        }
      }
      for (const e of entries) await this.upsert(tx, e, now);
    });
  }

  /** Inserts or updates versions without touching others (bulk loads, benchmarks). */
  async upsertMany(entries: CatalogEntry[]): Promise<void> {
    const now = Date.now();
    await this.db.transaction(async (tx) => {
      for (const e of entries) await this.upsert(tx, e, now);
    });
  }

  private async upsert(tx: Knex.Transaction, e: CatalogEntry, now: number): Promise<void> {
    const row = {
      name: e.name, version: e.version, title: e.title, category: e.category, description: e.description,
      keywords: JSON.stringify(e.keywords), search_text: searchText(e), runtime: e.runtime, mode: e.mode,
      capabilities: JSON.stringify(e.capabilities), org: e.org, key_id: e.keyId,
      signature_state: e.signatureState, signature: e.signature ? JSON.stringify(e.signature) : null, manifest_signed: e.manifestSigned ?? null,
      origin: e.origin, integrity: e.integrity, published_at: e.publishedAt,
      is_latest: e.isLatest, indexed_at: now,
    };
    const { name: _n, version: _v, ...changes } = row;
    await tx('registry_catalog').insert({ ...row, downloads: 0 }).onConflict(['name', 'version']).merge(changes);
    const details = { name: e.name, version: e.version, manifest: JSON.stringify(e.manifest), ...(e.readme !== undefined ? { readme: e.readme } : {}) };
    await tx('registry_catalog_details').insert(details).onConflict(['name', 'version']).merge(e.readme !== undefined ? ['manifest', 'readme'] : ['manifest']);
    await tx('registry_catalog_capabilities').where({ name: e.name, version: e.version }).delete();
    const caps = [...new Set(e.capabilities)].filter((c) => c.length <= 191);
    for (const part of slices(caps, 500)) await tx('registry_catalog_capabilities').insert(part.map((capability) => ({ name: e.name, version: e.version, capability })));
  }

  /** Searches the catalog; `total` counts every match, `items` holds one page. */
  async search(query: CatalogQuery): Promise<{ items: CatalogRow[]; total: number; page: number; pageSize: number }> {
    const page = Math.max(1, query.page ?? 1);
    const pageSize = Math.min(100, Math.max(1, query.pageSize ?? 20));
    const base = this.db('registry_catalog as c');
    if (!query.allVersions) base.where('c.is_latest', true);
    for (const word of (query.q ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8)) {
      whereLike(base, ['c.search_text'], word);
    }
    if (query.category) base.where('c.category', query.category);
    if (query.runtime) base.where('c.runtime', query.runtime);
    // The column holds whatever organisation the signature names; only a trusted one is that organisation's.
    if (query.org) base.where('c.org', query.org).where('c.signature_state', 'trusted');
    if (query.claimedOrg) base.where('c.org', query.claimedOrg).whereNot('c.signature_state', 'trusted');
    if (query.origin) base.where('c.origin', query.origin);
    if (query.signatureState) base.where('c.signature_state', query.signatureState);
    if (query.capability) {
      // A join lets the planner start from the capability index instead of probing every row.
      base.join('registry_catalog_capabilities as k', (j) => { j.on('k.name', 'c.name').andOn('k.version', 'c.version'); })
        .where('k.capability', query.capability);
    }
    // Count and page apart: a count over an index is cheap, while a window count would defeat
    // the index-ordered early stop of the page query.
    const [{ n }] = await base.clone().count({ n: '*' });
    const rows = await base.select(LIST_COLUMNS).orderBy([{ column: 'c.name' }, { column: 'c.published_at', order: 'desc' }])
      .limit(pageSize).offset((page - 1) * pageSize);
    const total = Number(n);
    return { items: rows.map(toRow), total, page, pageSize };
  }

  /** One version with readme and manifest, or undefined. */
  async get(name: string, version: string): Promise<CatalogDetail | undefined> {
    const r = await this.db('registry_catalog as c').join('registry_catalog_details as d', (j) => { j.on('d.name', 'c.name').andOn('d.version', 'c.version'); })
      .where({ 'c.name': name, 'c.version': version }).first([...LIST_COLUMNS, 'd.readme', 'd.manifest']);
    return r ? { ...toRow(r), readme: r.readme ?? null, manifest: JSON.parse(r.manifest) } : undefined;
  }

  /** The version flagged latest, or undefined when the package is unknown. */
  async latestVersion(name: string): Promise<string | undefined> {
    const r = await this.db('registry_catalog').where({ name, is_latest: true }).first('version');
    return r?.version ?? (await this.db('registry_catalog').where({ name }).orderBy('published_at', 'desc').first('version'))?.version;
  }

  /** Every version of a package, newest first. */
  async versions(name: string): Promise<CatalogRow[]> {
    return (await this.db('registry_catalog as c').where('c.name', name).orderBy('c.published_at', 'desc').select(LIST_COLUMNS)).map(toRow);
  }

  /** Names of every package in the catalog. */
  async packageNames(): Promise<string[]> {
    return (await this.db('registry_catalog').distinct('name')).map((r: Row) => String(r.name));
  }

  /** Removes packages that are no longer in the registry's storage. */
  async removePackages(names: string[]): Promise<void> {
    for (let i = 0; i < names.length; i += 200) {
      const chunk = names.slice(i, i + 200);
      await this.db.transaction(async (tx) => {
        await tx('registry_catalog_capabilities').whereIn('name', chunk).delete();
        await tx('registry_catalog_details').whereIn('name', chunk).delete();
        await tx('registry_catalog').whereIn('name', chunk).delete();
      });
    }
  }

  async countDownload(name: string, version: string): Promise<void> {
    await this.db('registry_catalog').where({ name, version }).increment('downloads', 1);
  }

  /**
   * Re-judges every signed entry against the trust store's keys (after it changed), re-verifying
   * the stored signature. Rows indexed before signatures were stored are judged by their claim
   * alone (never trusted) until the indexer re-reads their package.
   */
  async refreshSignatureStates(keys: KnownKeys): Promise<void> {
    const rows = await this.db('registry_catalog').whereNotNull('org')
      .select('name', 'version', 'org', 'key_id', 'signature', 'manifest_signed', 'signature_state');
    for (const r of rows) {
      const state = judgeClaim({
        org: r.org, keyId: r.key_id, signature: r.signature ? JSON.parse(r.signature) : null,
        manifestSigned: r.manifest_signed === null ? null : Boolean(r.manifest_signed),
      }, r.name, r.version, keys);
      if (state !== r.signature_state) await this.db('registry_catalog').where({ name: r.name, version: r.version }).update({ signature_state: state });
    }
  }
}
