/**
 * Helpers for catalog tests: a version's packument metadata signed with an organisation key by the
 * registry's own signer, without packing a tarball (the catalog cannot check file contents anyway).
 * @internal
 */
import { parsePublicKey, signFiles, type OrgKey, type PackageSignature } from '@opsloom/plugin-registry';
import type { KnownKey, KnownKeys } from '../trust-store.js';

/** `meta` (name, version, `opsloom.plugin` …) with `opsloom.signature` by `key` added. */
export function signMetadata<T extends { opsloom: { plugin: unknown } }>(meta: T, key: OrgKey): T & { opsloom: { signature: PackageSignature } } {
  const signature = signFiles(new Map([['package.json', Buffer.from(JSON.stringify(meta))]]), meta, key);
  return { ...meta, opsloom: { ...meta.opsloom, signature } };
}

/** The trust store's keys as the catalog reads them, from org keys and whether each is pinned. */
export function knownKeys(...keys: [OrgKey, boolean][]): KnownKeys {
  const out = new Map<string, Map<string, KnownKey>>();
  for (const [key, pinned] of keys) {
    if (!out.has(key.org)) out.set(key.org, new Map());
    out.get(key.org)!.set(key.keyId, { publicKey: parsePublicKey(key.publicKey), pinned });
  }
  return out;
}
