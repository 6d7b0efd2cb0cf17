import type { Knex } from 'knex';

/**
 * A run records whether its agent cut the log at its size limit (`logTruncated` in the agent's
 * result): without it, a cut log read back as the whole output.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('job_host_runs', (t) => {
    t.boolean('log_truncated').notNullable().defaultTo(false);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('job_host_runs', (t) => {
    t.dropColumn('log_truncated');
  });
}
