import type { KeyObject } from 'node:crypto';
import { keyIdOf, parsePublicKey, publicKeyBase64, type TrustStore as KeySource } from '@opsloom/plugin-registry';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { Db } from '../store/db.js';

/** One organisation key in the trust store. */
export interface TrustedKey {
  org: string;
  keyId: string;
  /** Raw 32-byte ed25519 public key, base64. */
  publicKey: string;
  /** Only pinned keys make a signature trusted; an unpinned key is known, and shows forged signatures in the catalog. */
  pinned: boolean;
  note: string | null;
  addedBy: string;
  addedAt: number;
  updatedAt: number;
}

/** A key the catalog checks signatures with: pinned keys make a version trusted, unpinned ones only checked. */
export interface KnownKey {
  publicKey: KeyObject;
  pinned: boolean;
}

/** Every key of the trust store, pinned or not: organisation → key id → key. */
export type KnownKeys = ReadonlyMap<string, ReadonlyMap<string, KnownKey>>;

interface Row {
  org: string; key_id: string; public_key: string; pinned: number | boolean; note: string | null; added_by: string; added_at: number; updated_at: number;
}

const toKey = (r: Row): TrustedKey => ({
  org: r.org, keyId: r.key_id, publicKey: r.public_key, pinned: Boolean(r.pinned), note: r.note, addedBy: r.added_by,
  addedAt: Number(r.added_at), updatedAt: Number(r.updated_at),
});

const ORG = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Organisations and their ed25519 public keys (table `registry_trusted_keys`). It is the
 * `TrustStore` the verified installer asks: `keysFor(org)` returns the pinned keys only.
 * @example
 * await trust.add({ org: 'orgb', publicKey: pem, pinned: true }, 'admin');
 * await installVerified({ …, trust });
 */
export class TrustStore implements KeySource {
  constructor(private readonly db: Db) {}

  async list(org?: string): Promise<TrustedKey[]> {
    const q = this.db<Row>('registry_trusted_keys').orderBy([{ column: 'org' }, { column: 'added_at' }]);
    if (org) q.where({ org });
    return (await q).map(toKey);
  }

  async keysFor(org: string): Promise<string[]> {
    const rows = await this.db<Row>('registry_trusted_keys').where({ org, pinned: true }).select('public_key');
    return rows.map((r) => r.public_key);
  }

  /**
   * Every key, pinned or not, parsed once, for verifying the catalog's signatures: a signature
   * that a known but unpinned key rejects is forged, even though that key would not make it trusted.
   */
  async knownKeys(): Promise<KnownKeys> {
    const out = new Map<string, Map<string, KnownKey>>();
    for (const r of await this.db<Row>('registry_trusted_keys').select('org', 'key_id', 'public_key', 'pinned')) {
      if (!out.has(r.org)) out.set(r.org, new Map());
      out.get(r.org)!.set(r.key_id, { publicKey: parsePublicKey(r.public_key), pinned: Boolean(r.pinned) });
    }
    return out;
  }

  /**
   * Adds an organisation key (PEM or base64). Adding a key that is there already updates its pin.
   * @throws ValidationError for a bad organisation name or a key that is not ed25519
   */
  async add(input: { org: string; publicKey: string; pinned: boolean; note?: string | null }, by: string): Promise<TrustedKey> {
    if (!ORG.test(input.org)) throw new ValidationError(`organisation "${input.org}" must be lower case letters, digits, ".", "_" or "-" (like an npm scope without @)`);
    let raw: string;
    let keyId: string;
    try {
      const key = parsePublicKey(input.publicKey);
      raw = publicKeyBase64(key);
      keyId = keyIdOf(key);
    } catch (err) {
      throw new ValidationError(`publicKey: ${(err as Error).message}`, [{ path: 'body.publicKey', message: 'not an ed25519 public key' }]);
    }
    const now = Date.now();
    await this.db('registry_trusted_keys')
      .insert({ org: input.org, key_id: keyId, public_key: raw, pinned: input.pinned, note: input.note ?? null, added_by: by, added_at: now, updated_at: now })
      .onConflict(['org', 'key_id']).merge({ pinned: input.pinned, updated_at: now, ...(input.note !== undefined ? { note: input.note } : {}) });
    return this.get(input.org, keyId);
  }

  async get(org: string, keyId: string): Promise<TrustedKey> {
    const r = await this.db<Row>('registry_trusted_keys').where({ org, key_id: keyId }).first();
    if (!r) throw new NotFoundError('trusted key', `${org}/${keyId}`);
    return toKey(r);
  }

  /** Pins (trusts) or unpins a key. */
  async setPinned(org: string, keyId: string, pinned: boolean): Promise<TrustedKey> {
    await this.get(org, keyId);
    await this.db('registry_trusted_keys').where({ org, key_id: keyId }).update({ pinned, updated_at: Date.now() });
    return this.get(org, keyId);
  }

  /** @throws ConflictError for the key this server signs with (its private key is in the data directory) */
  async remove(org: string, keyId: string, protectedKeyId?: string): Promise<void> {
    if (keyId === protectedKeyId) throw new ConflictError(`key ${keyId} is this server's own ${org} signing key; it cannot be removed`, 'trusted_key_protected');
    const n = await this.db('registry_trusted_keys').where({ org, key_id: keyId }).delete();
    if (!n) throw new NotFoundError('trusted key', `${org}/${keyId}`);
  }
}
