import type { Knex } from 'knex';

/**
 * The CMDB (bk-cmdb's shape): sets and modules of a project, each host's module, free host labels
 * and saved dynamic groups. Hosts themselves are the job service's `job_hosts` rows (one source of
 * truth for `(cloudArea, ip)` and agent state); the CMDB links to them by host id.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('cmdb_sets', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('name', 128).notNullable();
    t.text('description');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['project_id', 'name']);
  });
  await db.schema.createTable('cmdb_modules', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('set_id', 26).notNullable().references('cmdb_sets.id').onDelete('CASCADE');
    t.string('name', 128).notNullable();
    t.text('description');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['set_id', 'name']);
    t.index(['project_id']);
  });
  // A host sits in at most one module; a host without a row is in the project's idle pool.
  await db.schema.createTable('cmdb_host_placements', (t) => {
    t.string('host_id', 26).primary().references('job_hosts.id').onDelete('CASCADE');
    t.string('project_id', 26).notNullable();
    t.string('module_id', 26).notNullable().references('cmdb_modules.id').onDelete('CASCADE');
    t.bigInteger('updated_at').notNullable();
    t.index(['module_id']);
    t.index(['project_id']);
  });
  await db.schema.createTable('cmdb_host_labels', (t) => {
    t.string('host_id', 26).notNullable().references('job_hosts.id').onDelete('CASCADE');
    t.string('project_id', 26).notNullable();
    t.string('key', 63).notNullable();
    t.string('value', 63).notNullable();
    t.primary(['host_id', 'key']);
    t.index(['project_id', 'key', 'value']);
  });
  await db.schema.createTable('cmdb_groups', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('name', 64).notNullable();
    t.text('description');
    t.text('query').notNullable();
    t.string('created_by', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.string('updated_by', 64).notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['project_id', 'name']);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of ['cmdb_groups', 'cmdb_host_labels', 'cmdb_host_placements', 'cmdb_modules', 'cmdb_sets']) {
    await db.schema.dropTableIfExists(table);
  }
}
