import { join } from 'node:path';
import { startRegistry, type RegistryHandle, type RemoteSource } from '@opsloom/plugin-registry';
import type { Logger } from 'pino';
import type { AuthService } from '../auth/auth-service.js';
import type { ProjectService } from '../project/project-service.js';
import { SecretCipher } from '../secrets/secret-cipher.js';
import type { Db } from '../store/db.js';
import { CatalogIndexer } from './catalog-indexer.js';
import { CatalogStore } from './catalog-store.js';
import { registryAuth } from './publish-rights.js';
import { ReaderIdentity } from './reader-identity.js';
import { embeddedLink, type RegistryLink } from './registry-link.js';
import { RegistryStateStore } from './registry-state-store.js';
import { RemoteSourceStore } from './remote-source-store.js';
import { RemoteSources } from './remote-sources.js';
import { TrustStore } from './trust-store.js';

/** The stores and services of the registry domain that do not depend on where Verdaccio runs. */
export interface RegistryParts {
  catalog: CatalogStore;
  trust: TrustStore;
  state: RegistryStateStore;
  sources: RemoteSources;
  reader: ReaderIdentity;
}

/** Builds {@link RegistryParts} over the database and the secret key. */
export async function registryParts(deps: { db: Db; projects: ProjectService; config: { secretKey: string | undefined; dataDir: string } }): Promise<RegistryParts> {
  const cipher = SecretCipher.load(deps.config, 'registry-credentials');
  const state = new RegistryStateStore(deps.db);
  return {
    catalog: new CatalogStore(deps.db),
    trust: new TrustStore(deps.db),
    state,
    sources: new RemoteSources(new RemoteSourceStore(deps.db), cipher, deps.projects),
    reader: await ReaderIdentity.load(state, cipher),
  };
}

/** A Verdaccio this process runs, with the catalog indexer fed by its publish notifications. */
export interface HostedRegistry {
  handle: RegistryHandle;
  link: RegistryLink;
  indexer: CatalogIndexer;
  /** Reconciles now and every `intervalMs`; also re-applies uplinks changed by another process. */
  start(intervalMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts Verdaccio with storage under `<dataDir>/registry`, users bridged to Opsloom users and
 * publish rights following Opsloom roles, uplinks from the remote sources table, and the catalog
 * indexed on every publish. Used by the embedded mode and by `opsloom registry`.
 */
export async function hostRegistry(opts: {
  parts: RegistryParts; auth: AuthService; projects: ProjectService; log: Logger; dataDir: string; port: number; host?: string;
}): Promise<HostedRegistry> {
  const { parts, log } = opts;
  // The indexer needs the running registry, and the registry's publish hook needs the indexer.
  const late: { indexer?: CatalogIndexer } = {};
  let applied = JSON.stringify(await parts.sources.uplinks());
  const handle = await startRegistry({
    dataDir: join(opts.dataDir, 'registry'), port: opts.port, ...(opts.host ? { host: opts.host } : {}),
    ...registryAuth({ auth: opts.auth, projects: opts.projects, reader: parts.reader }),
    remoteSources: JSON.parse(applied) as RemoteSource[],
    onPublish: async (name, version, info) => {
      log.info({ name, version, by: info.username }, 'plugin published');
      await late.indexer?.indexPackage(name);
    },
    logger: { error: (obj, msg) => log.error(obj, msg) },
  });
  const base = embeddedLink(handle, parts.reader);
  const link: RegistryLink = {
    ...base,
    async applyUplinks(sources) {
      await base.applyUplinks(sources);
      applied = JSON.stringify(sources);
    },
  };
  const indexer = new CatalogIndexer({ catalog: parts.catalog, trust: parts.trust, sources: parts.sources, link, storage: handle, log });
  const sync = async (): Promise<void> => {
    const wanted = await parts.sources.uplinks();
    if (JSON.stringify(wanted) !== applied) await link.applyUplinks(wanted);
  };
  late.indexer = indexer;
  let timer: NodeJS.Timeout | undefined;
  return {
    handle, link, indexer,
    async start(intervalMs = 60_000) {
      timer = setInterval(() => {
        sync().catch((err: unknown) => log.warn({ err }, 'registry: applying remote sources failed'));
      }, intervalMs);
      timer.unref();
      await indexer.start(intervalMs);
    },
    async close() {
      if (timer) clearInterval(timer);
      await indexer.stop();
      await handle.close();
    },
  };
}
