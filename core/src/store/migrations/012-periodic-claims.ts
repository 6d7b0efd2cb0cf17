import type { Knex } from 'knex';

/**
 * Every scheduler pass looks for slots left claimed by a scheduler that stopped: an index on the
 * outcome keeps that a lookup, not a scan of every run the history keeps.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('periodic_runs', (t) => {
    t.index(['outcome', 'created_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('periodic_runs', (t) => {
    t.dropIndex(['outcome', 'created_at']);
  });
}
