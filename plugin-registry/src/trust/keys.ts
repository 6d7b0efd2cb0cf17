import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { RegistryError, RegistryErrorCode } from '../errors.js';

/**
 * An organisation's ed25519 signing key pair. Keys are PEM strings (SPKI public, PKCS#8 private)
 * so they can be stored as text; `keyId` names the public key in signatures and trust stores.
 */
export interface OrgKey {
  /** Organisation name, e.g. `opsloom` or `orgb`. */
  org: string;
  /** First 16 hex digits of sha256 over the raw 32-byte public key. */
  keyId: string;
  /** SPKI PEM. Safe to share; goes into other organisations' trust stores. */
  publicKey: string;
  /** PKCS#8 PEM. Secret: keep it in core's secret store. */
  privateKey: string;
}

// DER prefix of an SPKI structure wrapping a raw ed25519 key (RFC 8410).
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ORG_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** True when `org` is a usable organisation name (lower case, like an npm scope without `@`). */
export function isOrgName(org: unknown): org is string {
  return typeof org === 'string' && ORG_NAME.test(org);
}

/**
 * Creates a fresh ed25519 key pair for an organisation.
 * @example const key = generateOrgKey('orgb'); trustStore.pin('orgb', key.publicKey);
 */
export function generateOrgKey(org: string): OrgKey {
  if (!isOrgName(org)) throw new RegistryError(RegistryErrorCode.ConfigInvalid, `organisation name "${org}" must be lower case letters, digits, ".", "_" or "-"`);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    org,
    keyId: keyIdOf(publicKey),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * Reads a public key given as SPKI PEM, base64 of the SPKI DER, or base64 of the raw 32 bytes.
 * Throws `REGISTRY_CONFIG_INVALID` for anything else (including non-ed25519 keys).
 */
export function parsePublicKey(text: string): KeyObject {
  let key: KeyObject;
  try {
    if (text.includes('-----BEGIN')) {
      key = createPublicKey(text);
    } else {
      const der = Buffer.from(text.trim(), 'base64');
      key = createPublicKey({ key: der.length === 32 ? Buffer.concat([ED25519_SPKI_PREFIX, der]) : der, format: 'der', type: 'spki' });
    }
  } catch (err) {
    throw new RegistryError(RegistryErrorCode.ConfigInvalid, `public key is not a PEM or base64 ed25519 key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new RegistryError(RegistryErrorCode.ConfigInvalid, `public key is ${key.asymmetricKeyType ?? 'unknown'}, expected ed25519`);
  }
  return key;
}

/** Reads a PKCS#8 PEM ed25519 private key; throws `PLUGIN_SIGNING_FAILED` otherwise. */
export function parsePrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new RegistryError(RegistryErrorCode.SigningFailed, `private key is not a PEM key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new RegistryError(RegistryErrorCode.SigningFailed, 'private key is not an ed25519 key');
  return key;
}

/** The raw 32-byte public key, base64: the compact form for trust stores and the CLI. */
export function publicKeyBase64(key: KeyObject | string): string {
  const obj = typeof key === 'string' ? parsePublicKey(key) : key;
  return obj.export({ type: 'spki', format: 'der' }).subarray(ED25519_SPKI_PREFIX.length).toString('base64');
}

/** The key id of a public key: first 16 hex digits of sha256 over its raw 32 bytes. */
export function keyIdOf(key: KeyObject | string): string {
  const raw = Buffer.from(publicKeyBase64(key), 'base64');
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}
