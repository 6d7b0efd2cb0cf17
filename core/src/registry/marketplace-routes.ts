import { z } from 'zod';
import { route, type Route } from '../http/route.js';
import { queryInt } from '../http/schemas.js';
import { pluginView } from '../plugin/plugin-routes.js';
import type { CatalogIndexer } from './catalog-indexer.js';
import { CATALOG_SIGNATURE_STATES } from './catalog-signature.js';
import { catalogView, detailView } from './catalog-view.js';
import type { MarketplaceService } from './marketplace-service.js';

const name = z.string().min(1).max(214);
const ref = z.object({ name, version: z.string().min(1).max(64) });
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/**
 * The marketplace: search and detail from the catalog, verified install. Enabling, disabling and
 * taking a version offline use `plugin.status`; approving capabilities uses `plugin.approve`.
 * Scoped names are URL-encoded in paths: `%40acme%2Fping`.
 */
export function marketplaceRoutes(market: MarketplaceService, indexer: () => CatalogIndexer | undefined): Route[] {
  return [
    route({
      id: 'marketplace.search', method: 'get', path: '/api/v1/marketplace/plugins', tag: 'marketplace', auth: 'user',
      summary: 'Search published plugins by text, category, capability, runtime, organisation (verified or claimed) or origin (latest versions unless allVersions=true)',
      query: z.object({
        q: z.string().max(200).optional(), category: z.string().max(64).optional(), capability: z.string().max(191).optional(),
        runtime: z.enum(['isolate', 'wasm']).optional(),
        org: z.string().max(64).optional().describe('Signed by this organisation and verified by one of its pinned keys (signature state trusted)'),
        claimedOrg: z.string().max(64).optional().describe('Naming this organisation in a signature that no pinned key verifies (untrusted or invalid): a claim, not verified'),
        origin: z.string().max(64).optional(),
        signature: z.enum(CATALOG_SIGNATURE_STATES).optional(), allVersions: flag.optional(),
        page: queryInt(1, 100_000).optional(), pageSize: queryInt(1, 100).optional(),
      }),
      async handler({ query }) {
        const { signature, ...rest } = query;
        const r = await market.search({ ...rest, ...(signature ? { signatureState: signature } : {}) });
        return { ...r, items: r.items.map(catalogView) };
      },
    }),
    route({
      id: 'marketplace.get', method: 'get', path: '/api/v1/marketplace/plugins/:name', tag: 'marketplace', auth: 'user',
      summary: 'A plugin\'s latest version with readme and schemas, and all its versions with their install status', params: z.object({ name }),
      async handler({ params }) { return detailView(await market.detail(params.name)); },
    }),
    route({
      id: 'marketplace.version', method: 'get', path: '/api/v1/marketplace/plugins/:name/versions/:version', tag: 'marketplace', auth: 'user',
      summary: 'One published version with readme and schemas', params: ref,
      async handler({ params }) { return detailView(await market.versionDetail(params.name, params.version)); },
    }),
    route({
      id: 'marketplace.install', method: 'post', path: '/api/v1/marketplace/plugins/:name/versions/:version/install', tag: 'marketplace', auth: 'admin',
      summary: 'Download, verify (integrity and organisation signature) and install a version; allowUnsigned approves an unsigned or untrusted one explicitly; integrity names the contents reviewed, and others are refused (409)',
      params: ref,
      body: z.object({
        allowUnsigned: z.boolean().optional(),
        approve: z.boolean().optional().describe('Approve the capabilities of the contents this install verifies (recorded with their integrity)'),
        integrity: z.string().min(1).max(512).optional().describe('The integrity the catalog lists for the contents reviewed; if the registry serves others, nothing is installed or approved (409 plugin_review_outdated)'),
        status: z.enum(['online', 'offline', 'disabled']).optional(),
      }),
      async handler({ params, body, caller, audit }) {
        audit({ kind: 'plugin', id: `${params.name}@${params.version}`, detail: { ...body } });
        const r = await market.install(params.name, params.version, body, caller.username);
        audit({ kind: 'plugin', id: `${r.plugin.name}@${r.plugin.version}`, detail: { ...body, integrity: r.plugin.integrity, org: r.plugin.org, claimedOrg: r.plugin.claimedOrg, signatureState: r.plugin.signatureState, approval: r.approval.state } });
        return { plugin: pluginView(r.plugin), approval: r.approval };
      },
    }),
    route({
      id: 'marketplace.reindex', method: 'post', path: '/api/v1/marketplace/reindex', tag: 'marketplace', auth: 'admin',
      summary: 'Reconcile the catalog with the registry now (it also runs every minute)',
      async handler({ audit }) {
        audit({ kind: 'catalog', id: 'registry' });
        await indexer()?.reconcile();
        return undefined;
      },
    }),
  ];
}
