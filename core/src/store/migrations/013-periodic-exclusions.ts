import type { Knex } from 'knex';
import { isSqlite } from '../dialect.js';

/**
 * A periodic task's excluded nodes become longtext on MySQL / MariaDB: a TEXT column holds 64 KiB,
 * about a thousand node ids, fewer than the 10,000 exclusions a task accepts (saving more answered
 * 500). SQLite's text has no such limit.
 */
export async function up(db: Knex): Promise<void> {
  if (isSqlite(db)) return;
  await db.schema.alterTable('periodic_tasks', (t) => {
    t.text('exclude_nodes', 'longtext').notNullable().alter();
  });
}

export async function down(db: Knex): Promise<void> {
  if (isSqlite(db)) return;
  await db.schema.alterTable('periodic_tasks', (t) => {
    t.text('exclude_nodes').notNullable().alter();
  });
}
