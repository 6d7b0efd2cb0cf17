import type { Knex } from 'knex';

/**
 * The plugin registry's side of core: the marketplace catalog (one row per published version,
 * with its capabilities in a table of their own so a capability filter uses an index), the trust
 * store of organisation keys, per-project remote sources (credentials sealed) and a little shared
 * state (the shared registry's URL, the sealed secret of core's read-only registry identity).
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('registry_catalog', (t) => {
    t.string('name', 214).notNullable();
    t.string('version', 64).notNullable();
    t.string('title', 200).notNullable();
    t.string('category', 64).notNullable();
    t.text('description');
    t.text('keywords').notNullable();
    // Lower-cased name, title, description and keywords: what the text search matches.
    t.text('search_text').notNullable();
    t.string('runtime', 16).notNullable();
    t.string('mode', 16).notNullable();
    t.text('capabilities').notNullable();
    t.string('org', 64);
    t.string('key_id', 64);
    t.string('signature_state', 24).notNullable();
    t.string('origin', 64).notNullable();
    t.string('integrity', 200);
    t.bigInteger('published_at').notNullable();
    t.boolean('is_latest').notNullable().defaultTo(false);
    t.integer('downloads').notNullable().defaultTo(0);
    t.bigInteger('indexed_at').notNullable();
    t.primary(['name', 'version']);
    t.index(['is_latest', 'name'], 'registry_catalog_latest_name');
    t.index(['category', 'is_latest'], 'registry_catalog_category');
    t.index(['runtime', 'is_latest'], 'registry_catalog_runtime');
    t.index(['org', 'is_latest'], 'registry_catalog_org');
    t.index(['title'], 'registry_catalog_title');
  });
  // Manifest and readme apart, so text searches scan narrow rows.
  await db.schema.createTable('registry_catalog_details', (t) => {
    t.string('name', 214).notNullable();
    t.string('version', 64).notNullable();
    t.text('manifest', 'longtext').notNullable();
    t.text('readme', 'longtext');
    t.primary(['name', 'version']);
  });
  await db.schema.createTable('registry_catalog_capabilities', (t) => {
    t.string('name', 214).notNullable();
    t.string('version', 64).notNullable();
    t.string('capability', 191).notNullable();
    t.primary(['name', 'version', 'capability']);
    t.index(['capability', 'name'], 'registry_catalog_capability');
  });
  await db.schema.createTable('registry_trusted_keys', (t) => {
    t.string('org', 64).notNullable();
    t.string('key_id', 64).notNullable();
    t.text('public_key').notNullable();
    t.boolean('pinned').notNullable();
    t.string('note', 500);
    t.string('added_by', 64).notNullable();
    t.bigInteger('added_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['org', 'key_id']);
  });
  await db.schema.createTable('registry_remote_sources', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('name', 64).notNullable().unique();
    t.string('url', 500).notNullable();
    t.text('token_sealed');
    t.text('scopes').notNullable();
    t.integer('max_age_seconds');
    t.string('created_by', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['project_id']);
  });
  await db.schema.createTable('registry_state', (t) => {
    t.string('name', 64).primary();
    t.text('value').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of ['registry_state', 'registry_remote_sources', 'registry_trusted_keys', 'registry_catalog_capabilities', 'registry_catalog_details', 'registry_catalog']) {
    await db.schema.dropTableIfExists(table);
  }
}
