import type { Knex } from 'knex';

/** Installed plugin versions (the plugin store's index), their status and approved capabilities. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('plugin_versions', (t) => {
    t.string('name', 214).notNullable();
    t.string('version', 64).notNullable();
    t.string('status', 16).notNullable();
    t.string('runtime', 16).notNullable();
    t.string('title', 200).notNullable();
    t.string('category', 64).notNullable();
    t.text('description');
    t.text('manifest', 'longtext').notNullable();
    t.string('integrity', 200).notNullable();
    t.string('dir', 500).notNullable();
    t.string('org', 64);
    t.string('signature_state', 24).notNullable();
    t.text('approved_capabilities');
    t.string('approved_by', 64);
    t.bigInteger('approved_at');
    t.string('source', 200).notNullable();
    t.bigInteger('installed_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['name', 'version']);
    t.index(['status']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('plugin_versions');
}
