import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretCipher } from '../secrets/secret-cipher.js';
import type { RegistryStateStore } from './registry-state-store.js';

/**
 * Core's own read-only registry account. Opsloom registries refuse anonymous reads, so core logs
 * in as this identity to fetch packuments and tarballs when installing. The name starts with `$`,
 * which no Opsloom username can, and it may never publish. Its secret is random, kept sealed in
 * the database, so a standalone registry and the core processes sharing the database and the
 * secret key agree on it.
 */
export const READER_USERNAME = '$opsloom-core';

const BINDING = 'registry-reader';

/** The reader identity's secret, created once per database. */
export class ReaderIdentity {
  private constructor(readonly secret: string) {}

  /** Loads the secret, creating it on first use. */
  static async load(state: RegistryStateStore, cipher: SecretCipher): Promise<ReaderIdentity> {
    const sealed = (await state.get('reader-secret')) ?? (await state.setOnce('reader-secret', cipher.seal(randomBytes(32).toString('base64url'), BINDING)));
    return new ReaderIdentity(cipher.open(sealed, BINDING));
  }

  /** True when `username`/`password` are this identity's. */
  matches(username: string, password: string): boolean {
    if (username !== READER_USERNAME) return false;
    const a = Buffer.from(password);
    const b = Buffer.from(this.secret);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
