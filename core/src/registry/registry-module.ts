import { join } from 'node:path';
import type { ModuleFactory } from '../module.js';
import type { PluginService } from '../plugin/plugin-service.js';
import { MarketplaceService } from './marketplace-service.js';
import { marketplaceRoutes } from './marketplace-routes.js';
import { ensureOpsloomKey } from './org-key.js';
import { hostRegistry, registryParts, type HostedRegistry } from './registry-host.js';
import { sharedLink, type RegistryLink } from './registry-link.js';
import { registryRoutes } from './registry-routes.js';
import { RemoteImportService } from './remote-import.js';
import { remoteSourceRoutes } from './remote-source-routes.js';
import { TrustService } from './trust-service.js';
import { trustRoutes } from './trust-routes.js';

/**
 * The plugin registry domain. With `OPSLOOM_REGISTRY=embedded` (the default) it runs Verdaccio on
 * `OPSLOOM_REGISTRY_PORT` with storage under `<dataDir>/registry`; with `off` it uses the shared
 * registry an `opsloom registry` process announced in the database, if any. Either way it serves
 * the marketplace (catalog search, verified install), the trust store and remote sources, and
 * registers the marketplace as `marketplace` for other modules.
 */
export const registryModule: ModuleFactory = async (ctx) => {
  const plugins = ctx.registry.get('plugins') as PluginService;
  const parts = await registryParts({ db: ctx.db, projects: ctx.projects, config: ctx.config });
  const ownKey = await ensureOpsloomKey(ctx.config.dataDir, parts.trust);

  let hosted: HostedRegistry | undefined;
  if (ctx.config.registryEmbedded) {
    hosted = await hostRegistry({ parts, auth: ctx.auth, projects: ctx.projects, log: ctx.log, dataDir: ctx.config.dataDir, port: ctx.config.registryPort });
    ctx.log.info({ url: hosted.handle.url }, 'plugin registry listening');
  }
  let shared: RegistryLink | undefined;
  const link = async (): Promise<RegistryLink | undefined> => {
    if (hosted) return hosted.link;
    const url = await parts.state.get('shared-url');
    if (!url) return undefined;
    if (shared?.url !== url) shared = sharedLink(url, parts.reader);
    return shared;
  };
  const indexer = () => hosted?.indexer;

  const market = new MarketplaceService({
    catalog: parts.catalog, trust: parts.trust, plugins, sources: parts.sources, link,
    storeDir: join(ctx.config.dataDir, 'plugin-store'), log: ctx.log,
  });
  const trust = new TrustService(parts.trust, parts.catalog, () => ownKey.keyId);
  const remote = new RemoteImportService(parts.sources, parts.catalog, link, indexer);
  ctx.registry.set('marketplace', market);
  // The bootstrap publishes the standard plugins to the registry this process reaches.
  ctx.registry.set('registry:link', link);

  return {
    name: 'registry',
    routes: [...registryRoutes(link, ctx.projects), ...marketplaceRoutes(market, indexer), ...trustRoutes(trust), ...remoteSourceRoutes(remote)],
    async start() { await hosted?.start(); },
    async close() { await hosted?.close(); },
  };
};
