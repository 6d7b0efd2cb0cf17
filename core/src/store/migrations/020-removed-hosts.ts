import type { Knex } from 'knex';

/**
 * Removed hosts are remembered until an administrator re-admits them. Without this, an agent started
 * with an enrolment token simply enrolled again after its host was removed, and the host came back.
 * A tombstone keeps the host's identity (project, cloud area, IP), refused for enrolment with any token
 * of the project, and the agent that held it, whose `hello` is then refused as removed.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('job_removed_hosts', (t) => {
    // The id the host had, so an administrator re-admits the host they removed.
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.integer('cloud_area').notNullable();
    t.string('ip', 45).notNullable();
    t.string('hostname', 255).notNullable();
    t.string('agent_id', 26).notNullable();
    t.string('removed_by', 64).notNullable();
    t.bigInteger('removed_at').notNullable();
    t.unique(['project_id', 'cloud_area', 'ip']);
    t.index(['agent_id']);
    t.index(['project_id', 'removed_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('job_removed_hosts');
}
