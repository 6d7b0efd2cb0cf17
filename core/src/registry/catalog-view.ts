import { iso } from '../http/schemas.js';
import type { CatalogDetail, CatalogRow } from './catalog-store.js';
import type { MarketplaceVersion } from './marketplace-service.js';

/**
 * A catalog row as the API shows it. `org` is set only when a pinned key verifies the signature;
 * an organisation an unverified signature merely names is `claimedOrg` (and `signature.org`, beside its state).
 */
export const catalogView = (r: CatalogRow) => ({
  name: r.name, version: r.version, title: r.title, category: r.category, description: r.description, keywords: r.keywords,
  runtime: r.runtime, mode: r.mode, capabilities: r.capabilities,
  org: r.signatureState === 'trusted' ? r.org : null, claimedOrg: r.signatureState === 'trusted' ? null : r.org, signature: { state: r.signatureState, org: r.org, keyId: r.keyId },
  origin: r.origin, remote: r.origin !== 'local', integrity: r.integrity, latest: r.isLatest, downloads: r.downloads,
  publishedAt: iso(r.publishedAt),
});

/** A version's detail: readme and schemas, with every version of the package. */
export const detailView = (d: CatalogDetail & { versions: MarketplaceVersion[] }) => ({
  ...catalogView(d),
  readme: d.readme,
  inputs: d.manifest.inputs, outputs: d.manifest.outputs, limits: d.manifest.limits,
  versions: d.versions.map((v) => ({
    version: v.version, publishedAt: iso(v.publishedAt), latest: v.isLatest, capabilities: v.capabilities, integrity: v.integrity,
    signature: { state: v.signatureState, org: v.org, keyId: v.keyId },
    installed: v.installed && { ...v.installed, installedAt: iso(v.installed.installedAt) },
  })),
});
