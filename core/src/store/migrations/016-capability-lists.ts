import type { Knex } from 'knex';
import { isSqlite } from '../dialect.js';

/**
 * A plugin version's capability lists become mediumtext on MySQL / MariaDB: a manifest may declare
 * any number of capabilities of up to 191 characters, and a TEXT column's 64 KiB held about 350 of
 * the longest (indexing such a version failed on every reconcile, approving it answered 500).
 * SQLite's text has no such limit.
 */
export async function up(db: Knex): Promise<void> {
  if (isSqlite(db)) return;
  await db.schema.alterTable('registry_catalog', (t) => {
    t.text('capabilities', 'mediumtext').notNullable().alter();
  });
  await db.schema.alterTable('plugin_versions', (t) => {
    t.text('approved_capabilities', 'mediumtext').alter();
  });
}

export async function down(db: Knex): Promise<void> {
  if (isSqlite(db)) return;
  await db.schema.alterTable('registry_catalog', (t) => {
    t.text('capabilities').notNullable().alter();
  });
  await db.schema.alterTable('plugin_versions', (t) => {
    t.text('approved_capabilities').alter();
  });
}
