import { sign, verify, type KeyObject } from 'node:crypto';
import { RegistryError, RegistryErrorCode } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import { contentDigest, manifestDigest, type PackageJson } from './digest.js';
import { isOrgName, keyIdOf, parsePrivateKey, parsePublicKey, type OrgKey } from './keys.js';
import type { PackageFiles } from './tarball.js';

/**
 * The signature a plugin version carries in its package.json as `opsloom.signature`.
 *
 * Why not sign the tarball bytes: the signature lives inside the tarball, so it cannot cover the
 * tarball's own bytes. Instead it covers {@link contentDigest} (every file, package.json included
 * minus this field) and the manifest digest; the installer recomputes both from the downloaded
 * tarball after checking the tarball against the registry's `dist.integrity`. Tar metadata
 * (times, owners) is not covered; the installer writes files itself and never honours it.
 */
export interface PackageSignature {
  /** Format version of the signed payload. */
  v: 1;
  alg: 'ed25519';
  /** Signing organisation; its keys come from the caller's trust store. */
  org: string;
  /** {@link keyIdOf} the signing public key. */
  keyId: string;
  /** {@link contentDigest} of the package at signing time. */
  contentDigest: string;
  /** {@link manifestDigest} of `opsloom.plugin` at signing time. */
  manifestDigest: string;
  /** base64 ed25519 signature over {@link signedPayload}. */
  sig: string;
}

const PAYLOAD_PREFIX = 'opsloom-plugin-signature/v1\n';

/**
 * The exact bytes that are signed: the ASCII line `opsloom-plugin-signature/v1` and a newline,
 * then the canonical JSON of `{alg, contentDigest, keyId, manifestDigest, name, org, v, version}`.
 * Name and version are included so a signature cannot be moved to another package or version.
 */
export function signedPayload(sig: Omit<PackageSignature, 'sig'>, name: string, version: string): Buffer {
  const body = canonicalJson({
    alg: sig.alg, contentDigest: sig.contentDigest, keyId: sig.keyId, manifestDigest: sig.manifestDigest,
    name, org: sig.org, v: sig.v, version,
  });
  return Buffer.from(PAYLOAD_PREFIX + body, 'utf8');
}

/** Signs the package given as a file set (e.g. read from `npm pack` output) with an org key. */
export function signFiles(files: PackageFiles, pkg: PackageJson, key: OrgKey): PackageSignature {
  const { name, version } = pkg;
  if (typeof name !== 'string' || typeof version !== 'string') {
    throw new RegistryError(RegistryErrorCode.SigningFailed, 'package.json needs a name and a version before it can be signed');
  }
  const privateKey = parsePrivateKey(key.privateKey);
  const keyId = keyIdOf(key.publicKey);
  const unsigned: Omit<PackageSignature, 'sig'> = {
    v: 1, alg: 'ed25519', org: key.org, keyId, contentDigest: contentDigest(files), manifestDigest: manifestDigest(pkg),
  };
  const sig = sign(null, signedPayload(unsigned, name, version), privateKey).toString('base64');
  return { ...unsigned, sig };
}

/**
 * True when `signature.sig` is `publicKey`'s ed25519 signature over {@link signedPayload} for this
 * name and version. Only the signature is checked: the digests it names are the caller's to compare.
 * @example if (!signatureVerifies(sig, pkg.name, pkg.version, trustedKey)) refuse();
 */
export function signatureVerifies(signature: PackageSignature, name: string, version: string, publicKey: KeyObject | string): boolean {
  const key = typeof publicKey === 'string' ? parsePublicKey(publicKey) : publicKey;
  return verify(null, signedPayload(signature, name, version), key, Buffer.from(signature.sig, 'base64'));
}

/** Reads and shape-checks `opsloom.signature`; undefined when the package is unsigned. */
export function readSignature(pkg: PackageJson): PackageSignature | undefined {
  const opsloom = pkg.opsloom as Record<string, unknown> | undefined;
  const raw = typeof opsloom === 'object' && opsloom !== null ? opsloom.signature : undefined;
  if (raw === undefined) return undefined;
  const s = raw as Record<string, unknown>;
  const str = (k: string): boolean => typeof s[k] === 'string' && (s[k] as string).length > 0 && (s[k] as string).length < 1024;
  if (typeof raw !== 'object' || raw === null || s.v !== 1 || s.alg !== 'ed25519' || !isOrgName(s.org)
    || !str('keyId') || !str('contentDigest') || !str('manifestDigest') || !str('sig')) {
    throw new RegistryError(RegistryErrorCode.SignatureInvalid, 'opsloom.signature is malformed: expected {v: 1, alg: "ed25519", org, keyId, contentDigest, manifestDigest, sig}');
  }
  return raw as PackageSignature;
}

/** Where trusted organisation keys come from: core's trust store. */
export interface TrustStore {
  /** Public keys (PEM or base64) pinned for an organisation; empty when it is not trusted. */
  keysFor(org: string): readonly string[] | Promise<readonly string[]>;
}

/** Outcome of {@link verifyPackage}. */
export type VerificationResult =
  | { state: 'verified'; org: string; keyId: string }
  /**
   * Approved by an administrator without a verified signature. `claimedOrg` is what the signature
   * names: anyone can write it, so it is never reported as `org`.
   */
  | { state: 'unsigned-approved'; org: undefined; claimedOrg: string | undefined; reason: 'unsigned' | 'untrusted-org' };

/**
 * Checks a package's signature against the trust store, in this order:
 * signature present (else `PLUGIN_UNSIGNED` unless approved) → organisation trusted (else
 * `PLUGIN_UNTRUSTED_ORG` unless approved) → ed25519 signature valid for a pinned key with that key
 * id (else `PLUGIN_SIGNATURE_INVALID`, never overridable) → manifest unchanged
 * (`PLUGIN_MANIFEST_CHANGED`) → files unchanged (`PLUGIN_CONTENT_CHANGED`).
 * `allowUnsigned` is an administrator's explicit approval of this one version.
 */
export async function verifyPackage(
  files: PackageFiles,
  pkg: PackageJson,
  trust: TrustStore,
  allowUnsigned = false,
): Promise<VerificationResult> {
  const name = String(pkg.name);
  const version = String(pkg.version);
  const signature = readSignature(pkg);
  if (!signature) {
    if (allowUnsigned) return { state: 'unsigned-approved', org: undefined, claimedOrg: undefined, reason: 'unsigned' };
    throw new RegistryError(RegistryErrorCode.Unsigned, `${name}@${version} is not signed; sign it with "opsloom-plugin publish" or have an administrator approve this version`, { name, version });
  }
  const pinned = await trust.keysFor(signature.org);
  if (pinned.length === 0) {
    if (allowUnsigned) return { state: 'unsigned-approved', org: undefined, claimedOrg: signature.org, reason: 'untrusted-org' };
    throw new RegistryError(RegistryErrorCode.UntrustedOrganisation, `${name}@${version} is signed by organisation "${signature.org}", which is not in the trust store; pin its public key or have an administrator approve this version`, { name, version, org: signature.org });
  }
  const key = pinned.map((k) => parsePublicKey(k)).find((k) => keyIdOf(k) === signature.keyId);
  if (!key || !signatureVerifies(signature, name, version, key)) {
    throw new RegistryError(RegistryErrorCode.SignatureInvalid, key
      ? `${name}@${version}: the signature does not verify with "${signature.org}" key ${signature.keyId}; the package or its signature was altered`
      : `${name}@${version} is signed with key ${signature.keyId}, which is not a trusted key of organisation "${signature.org}"`,
    { name, version, org: signature.org, keyId: signature.keyId });
  }
  const actualManifest = manifestDigest(pkg);
  if (actualManifest !== signature.manifestDigest) {
    throw new RegistryError(RegistryErrorCode.ManifestChanged, `${name}@${version}: the opsloom.plugin manifest changed after it was signed; re-sign the package`, { name, version, signed: signature.manifestDigest, actual: actualManifest });
  }
  const actualContent = contentDigest(files);
  if (actualContent !== signature.contentDigest) {
    throw new RegistryError(RegistryErrorCode.ContentChanged, `${name}@${version}: the package files changed after they were signed; re-sign the package`, { name, version, signed: signature.contentDigest, actual: actualContent });
  }
  return { state: 'verified', org: signature.org, keyId: signature.keyId };
}
