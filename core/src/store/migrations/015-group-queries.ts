import type { Knex } from 'knex';
import { isSqlite } from '../dialect.js';

/**
 * A dynamic group's saved query becomes mediumtext on MySQL / MariaDB: a query may list 50,000 IPs
 * and 500 topology nodes, and a TEXT column's 64 KiB held about 5,000 IPs (saving more answered
 * 500). SQLite's text has no such limit.
 */
export async function up(db: Knex): Promise<void> {
  if (isSqlite(db)) return;
  await db.schema.alterTable('cmdb_groups', (t) => {
    t.text('query', 'mediumtext').notNullable().alter();
  });
}

export async function down(db: Knex): Promise<void> {
  if (isSqlite(db)) return;
  await db.schema.alterTable('cmdb_groups', (t) => {
    t.text('query').notNullable().alter();
  });
}
