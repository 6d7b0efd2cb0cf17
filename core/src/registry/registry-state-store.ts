import type { Db } from '../store/db.js';
import { isUniqueViolation } from '../store/db.js';

/** Names of the values kept in `registry_state`. */
export type RegistryStateName = 'shared-url' | 'reader-secret';

/**
 * A few values every process sharing the database must agree on: the URL a standalone
 * (`opsloom registry`) instance serves at, and the sealed secret of core's reader identity.
 */
export class RegistryStateStore {
  constructor(private readonly db: Db) {}

  async get(name: RegistryStateName): Promise<string | undefined> {
    const row = await this.db('registry_state').where({ name }).first('value');
    return row ? String(row.value) : undefined;
  }

  async set(name: RegistryStateName, value: string): Promise<void> {
    await this.db('registry_state').insert({ name, value, updated_at: Date.now() }).onConflict('name').merge();
  }

  /** Stores `value` unless a value exists already; returns the stored one (the first writer wins). */
  async setOnce(name: RegistryStateName, value: string): Promise<string> {
    try {
      await this.db('registry_state').insert({ name, value, updated_at: Date.now() });
      return value;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return (await this.get(name))!;
    }
  }
}
