import type { Knex } from 'knex';

/** Files uploaded to a project (e.g. to distribute to hosts); the bytes live under `<data>/uploads`. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('uploads', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('name', 255).notNullable();
    t.bigInteger('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.string('created_by', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['project_id', 'created_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('uploads');
}
