import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredPackage } from '@opsloom/plugin-registry';
import type { Logger } from 'pino';
import { entriesOf } from './catalog-entry.js';
import type { CatalogStore } from './catalog-store.js';
import type { RegistryLink } from './registry-link.js';
import type { RemoteSources } from './remote-sources.js';
import type { TrustStore } from './trust-store.js';

/** What the indexer reads the registry's storage through (the embedded or standalone registry). */
export interface StorageView {
  listPackages(): Promise<StoredPackage[]>;
  /** Verdaccio's storage folder, to skip packages whose packument file did not change. */
  readonly storageDir: string;
}

/** Dependencies of {@link CatalogIndexer}. */
export interface CatalogIndexerDeps {
  catalog: CatalogStore;
  trust: TrustStore;
  sources: RemoteSources;
  link: RegistryLink;
  storage: StorageView;
  log: Logger;
}

/**
 * Keeps the catalog in step with the registry: `indexPackage` on every publish notification, and
 * `reconcile` at start and every minute (publishes whose notification was lost, packages cached
 * from remote sources, unpublished packages). A package is re-read only when its packument file
 * changed since the last reconcile.
 */
export class CatalogIndexer {
  private readonly seen = new Map<string, number>();
  private readonly chains = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: CatalogIndexerDeps) {}

  /** Re-reads one package's packument and replaces its catalog rows. Calls for one name run in order. */
  indexPackage(name: string): Promise<void> {
    const previous = this.chains.get(name) ?? Promise.resolve();
    const next = previous.then(() => this.index(name));
    const tail = next.catch(() => undefined);
    this.chains.set(name, tail);
    void tail.then(() => {
      if (this.chains.get(name) === tail) this.chains.delete(name);
    });
    return next;
  }

  private async index(name: string): Promise<void> {
    const packument = await this.deps.link.packument(name);
    if (!packument) {
      await this.deps.catalog.removePackages([name]);
      return;
    }
    const origin = (await this.deps.sources.originOf(name)) ?? 'local';
    const entries = entriesOf(packument, origin, await this.deps.trust.knownKeys());
    await this.deps.catalog.replacePackage(name, entries);
  }

  /** Brings the catalog in line with the registry's storage. Concurrent calls share one run. */
  reconcile(): Promise<void> {
    this.running ??= this.reconcileOnce().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async reconcileOnce(): Promise<void> {
    const stored = await this.deps.storage.listPackages();
    const names = new Set(stored.map((p) => p.name));
    for (const { name } of stored) {
      const mtime = await stat(join(this.deps.storage.storageDir, name, 'package.json')).then((s) => s.mtimeMs, () => 0);
      if (mtime !== 0 && this.seen.get(name) === mtime) continue;
      try {
        await this.indexPackage(name);
        this.seen.set(name, mtime);
      } catch (err) {
        this.deps.log.warn({ err, name }, 'catalog: indexing a package failed; the next reconcile retries');
      }
    }
    const gone = (await this.deps.catalog.packageNames()).filter((n) => !names.has(n));
    if (gone.length) await this.deps.catalog.removePackages(gone);
    for (const n of [...this.seen.keys()]) if (!names.has(n)) this.seen.delete(n);
  }

  /** Reconciles now, then every `intervalMs`. */
  start(intervalMs = 60_000): Promise<void> {
    this.timer = setInterval(() => {
      this.reconcile().catch((err: unknown) => this.deps.log.warn({ err }, 'catalog reconcile failed'));
    }, intervalMs);
    this.timer.unref();
    return this.reconcile();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    await Promise.all([...this.chains.values()]);
  }
}
