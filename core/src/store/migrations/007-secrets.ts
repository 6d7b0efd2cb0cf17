import type { Knex } from 'knex';

/** The project secret store: values sealed with AES-256-GCM (see secrets/secret-cipher.ts). */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('project_secrets', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('name', 128).notNullable();
    t.text('description');
    t.text('value_cipher', 'mediumtext').notNullable();
    t.string('created_by', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.string('updated_by', 64).notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['project_id', 'name']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('project_secrets');
}
