import type { Knex } from 'knex';

/** Users, projects, memberships, API tokens, sessions and the audit log. Times are epoch milliseconds. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('users', (t) => {
    t.string('id', 26).primary();
    t.string('username', 64).notNullable().unique();
    t.string('display_name', 128).notNullable();
    t.string('email', 254);
    t.string('password_hash', 256).notNullable();
    t.boolean('is_admin').notNullable().defaultTo(false);
    t.boolean('disabled').notNullable().defaultTo(false);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await db.schema.createTable('projects', (t) => {
    t.string('id', 26).primary();
    t.string('key', 64).notNullable().unique();
    t.string('name', 128).notNullable();
    t.text('description');
    t.string('time_zone', 64).notNullable().defaultTo('UTC');
    t.string('created_by', 26).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await db.schema.createTable('project_members', (t) => {
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('user_id', 26).notNullable().references('users.id').onDelete('CASCADE');
    t.string('role', 16).notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['project_id', 'user_id']);
    t.index(['user_id']);
  });
  await db.schema.createTable('api_tokens', (t) => {
    t.string('id', 26).primary();
    t.string('user_id', 26).notNullable().references('users.id').onDelete('CASCADE');
    t.string('name', 128).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('project_id', 26).references('projects.id').onDelete('CASCADE');
    t.string('role', 16);
    t.bigInteger('expires_at');
    t.bigInteger('last_used_at');
    t.bigInteger('revoked_at');
    t.bigInteger('created_at').notNullable();
    t.index(['user_id']);
  });
  await db.schema.createTable('sessions', (t) => {
    t.string('id', 26).primary();
    t.string('user_id', 26).notNullable().references('users.id').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('created_at').notNullable();
    t.string('ip', 64);
    t.string('user_agent', 256);
    t.index(['user_id']);
  });
  await db.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('at').notNullable();
    t.string('actor_id', 26);
    t.string('actor_name', 64);
    t.string('token_id', 26);
    t.string('action', 96).notNullable();
    t.string('target_kind', 48);
    t.string('target_id', 128);
    t.string('project_id', 26);
    t.string('ip', 64);
    t.string('user_agent', 256);
    t.string('request_id', 64);
    t.integer('status');
    t.text('detail');
    t.index(['project_id', 'id']);
    t.index(['actor_id', 'id']);
    t.index(['action', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of ['audit_log', 'sessions', 'api_tokens', 'project_members', 'projects', 'users']) {
    await db.schema.dropTableIfExists(table);
  }
}
