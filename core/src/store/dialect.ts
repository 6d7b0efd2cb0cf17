import type { Knex } from 'knex';

/** True when `db` is SQLite (the embedded default); otherwise it is MySQL / MariaDB. */
export function isSqlite(db: Knex): boolean {
  return String(db.client.config.client).includes('sqlite');
}
