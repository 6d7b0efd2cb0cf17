import type { Knex } from 'knex';
import { isSqlite } from '../dialect.js';

/**
 * A job's parameters become mediumtext on MySQL / MariaDB: a request may carry 64 Ki characters of
 * them (the agent protocol's limit), more than a TEXT column's 64 KiB holds, and sealed they grow
 * by a third (such a job answered 500). SQLite's text has no such limit.
 */
export async function up(db: Knex): Promise<void> {
  if (isSqlite(db)) return;
  await db.schema.alterTable('job_instances', (t) => {
    t.text('params_plain', 'mediumtext').alter();
    t.text('params_cipher', 'mediumtext').alter();
  });
}

export async function down(db: Knex): Promise<void> {
  if (isSqlite(db)) return;
  await db.schema.alterTable('job_instances', (t) => {
    t.text('params_plain').alter();
    t.text('params_cipher').alter();
  });
}
