import { isOrgName, manifestDigest, readSignature, signatureVerifies, type PackageSignature } from '@opsloom/plugin-registry';
import type { KnownKeys } from './trust-store.js';

/**
 * How a catalog version's signature stands against the trust store:
 * - `trusted`: a pinned key of the organisation verifies it, and it covers the listed manifest;
 * - `untrusted`: it verifies with a known but unpinned key, or its key is not in the trust store
 *   (then it cannot be checked here);
 * - `invalid`: a known key does not verify it, it does not cover the listed manifest, or it is
 *   malformed: a forged or tampered claim;
 * - `unsigned`: no signature.
 */
export type CatalogSignatureState = (typeof CATALOG_SIGNATURE_STATES)[number];

/** Every {@link CatalogSignatureState}, e.g. for validating a filter. */
export const CATALOG_SIGNATURE_STATES = ['trusted', 'untrusted', 'invalid', 'unsigned'] as const;

/**
 * What a version's metadata claims about its signature, with what could be checked without the
 * key. The catalog stores it per row, so a trust store change re-judges without the packument.
 */
export interface SignatureClaim {
  /** The organisation the signature names (also when it is malformed, for display). */
  org: string | null;
  keyId: string | null;
  /** The signature if it is well-formed, else null (unsigned or malformed). */
  signature: PackageSignature | null;
  /**
   * Whether the signature's `manifestDigest` is the digest of the manifest the catalog lists (false
   * for a malformed signature). Null when unsigned, or for rows indexed before migration 011.
   */
  manifestSigned: boolean | null;
}

const UNSIGNED: SignatureClaim = { org: null, keyId: null, signature: null, manifestSigned: null };

/**
 * Reads `opsloom.signature` of a version's metadata (the packument's copy of its package.json) and
 * checks the manifest digest it names. Its `contentDigest` cannot be checked without the tarball:
 * the installer does that (plugin-registry's `verifyPackage`).
 */
export function claimOf(meta: Record<string, unknown>): SignatureClaim {
  const opsloom = meta.opsloom;
  const raw = typeof opsloom === 'object' && opsloom !== null ? (opsloom as Record<string, unknown>).signature : undefined;
  if (raw === undefined) return UNSIGNED;
  let signature: PackageSignature | undefined;
  try {
    signature = readSignature(meta);
  } catch {
    // Malformed: the installer refuses it whatever the approval, so it is shown as invalid.
    const s = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    return { org: isOrgName(s.org) ? s.org : null, keyId: keyIdColumn(s.keyId), signature: null, manifestSigned: false };
  }
  if (!signature) return UNSIGNED;
  const { v, alg, org, keyId, contentDigest, manifestDigest: signed, sig } = signature;
  return {
    org, keyId: keyIdColumn(keyId),
    // Only the fields the signed payload covers: extra ones in a remote package are not stored.
    signature: { v, alg, org, keyId, contentDigest, manifestDigest: signed, sig },
    manifestSigned: manifestDigestOf(meta) === signed,
  };
}

/** Judges a claim of version `name@version` against the trust store's keys. */
export function judgeClaim(claim: SignatureClaim, name: string, version: string, keys: KnownKeys): CatalogSignatureState {
  if (claim.manifestSigned === null) {
    // Unsigned, or a row indexed before its signature was stored: the claim cannot be checked, so
    // it is never trusted. The indexer's first reconcile after start re-reads every package and
    // stores the signature (its change-detection memory is per process).
    return claim.org && claim.keyId ? 'untrusted' : 'unsigned';
  }
  if (!claim.signature || !claim.manifestSigned) return 'invalid';
  const key = keys.get(claim.signature.org)?.get(claim.signature.keyId);
  if (!key) return 'untrusted';
  if (!signatureVerifies(claim.signature, name, version, key.publicKey)) return 'invalid';
  return key.pinned ? 'trusted' : 'untrusted';
}

/** The key id as the catalog's column holds it (64 characters; real key ids are 16 hex digits). */
function keyIdColumn(keyId: unknown): string | null {
  return typeof keyId === 'string' && keyId.length <= 64 ? keyId : null;
}

function manifestDigestOf(meta: Record<string, unknown>): string | undefined {
  try {
    return manifestDigest(meta);
  } catch {
    return undefined;
  }
}
