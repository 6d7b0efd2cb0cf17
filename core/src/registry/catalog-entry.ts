import type { Packument, PackageSignature } from '@opsloom/plugin-registry';
import { validateManifest, type PluginManifest } from '@opsloom/plugin-runtime/manifest';
import { claimOf, judgeClaim, type CatalogSignatureState } from './catalog-signature.js';
import type { KnownKeys } from './trust-store.js';

/** One published plugin version as the marketplace lists it. */
export interface CatalogEntry {
  name: string;
  version: string;
  title: string;
  category: string;
  description: string | null;
  keywords: string[];
  runtime: string;
  mode: string;
  capabilities: string[];
  manifest: PluginManifest;
  /** undefined = keep what the catalog has (older versions carry no readme in the packument). */
  readme: string | undefined;
  /** The signing organisation named by `opsloom.signature` (see `signatureState` for whether it holds). */
  org: string | null;
  keyId: string | null;
  signatureState: CatalogSignatureState;
  /** The well-formed `opsloom.signature`, kept to re-judge it when the trust store changes. */
  signature: PackageSignature | null;
  /** Whether the signature covers the listed manifest; see `SignatureClaim.manifestSigned`. */
  manifestSigned: boolean | null;
  /** `local`, or the name of the remote source it came through. */
  origin: string;
  integrity: string | null;
  publishedAt: number;
  isLatest: boolean;
}

/** Lower-cased text the search matches: name, title, description and keywords. */
export function searchText(e: Pick<CatalogEntry, 'name' | 'title' | 'description' | 'keywords'>): string {
  return [e.name, e.title, e.description ?? '', ...e.keywords].join('\n').toLowerCase();
}

const clip = (s: string, max: number): string => (s.length > max ? s.slice(0, max) : s);

/**
 * The catalog entries of a packument: one per version that is a valid plugin (others, e.g. a
 * cached package that is not a plugin, are skipped). The registry refused invalid plugins at
 * publish already; remote packages are checked here again because another registry may not.
 */
export function entriesOf(packument: Packument, origin: string, keys: KnownKeys): CatalogEntry[] {
  const latest = packument['dist-tags']?.latest;
  const out: CatalogEntry[] = [];
  for (const [version, meta] of Object.entries(packument.versions ?? {})) {
    const checked = validateManifest(meta);
    if (!checked.ok || checked.name !== packument.name || checked.version !== version) continue;
    const manifest = checked.manifest;
    const keywords = Array.isArray(meta.keywords) ? meta.keywords.filter((k): k is string => typeof k === 'string').slice(0, 50).map((k) => clip(k, 100)) : [];
    const description = typeof manifest.description === 'string' ? manifest.description : typeof meta.description === 'string' ? meta.description : null;
    const claim = claimOf(meta);
    const dist = (meta.dist ?? {}) as { integrity?: unknown };
    const time = packument.time?.[version];
    const ownReadme = typeof meta.readme === 'string' && meta.readme !== '' ? meta.readme : undefined;
    const readme = ownReadme ?? (version === latest && typeof packument.readme === 'string' && packument.readme !== '' ? packument.readme : undefined);
    out.push({
      name: packument.name, version, title: clip(manifest.title, 200), category: clip(manifest.category, 64),
      description: description === null ? null : clip(description, 4000), keywords,
      runtime: manifest.runtime, mode: manifest.mode, capabilities: [...manifest.capabilities], manifest,
      readme: readme === undefined ? undefined : clip(readme, 256 * 1024),
      org: claim.org, keyId: claim.keyId, signatureState: judgeClaim(claim, packument.name, version, keys),
      signature: claim.signature, manifestSigned: claim.manifestSigned, origin,
      // The publishing client (or a remote registry) sets dist.integrity: one over the column's 200 characters is no sha512 a tarball can match.
      integrity: typeof dist.integrity === 'string' && dist.integrity.length <= 200 ? dist.integrity : null,
      publishedAt: typeof time === 'string' && !Number.isNaN(Date.parse(time)) ? Date.parse(time) : Date.now(),
      isLatest: version === latest,
    });
  }
  return out;
}
