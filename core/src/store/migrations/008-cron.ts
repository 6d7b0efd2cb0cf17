import type { Knex } from 'knex';

/** Periodic (cron) and clocked (one-off) tasks, and the slots that fired. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('periodic_tasks', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    t.string('template_id', 26).notNullable();
    t.integer('template_version');
    t.text('variables', 'longtext').notNullable();
    t.text('exclude_nodes').notNullable();
    t.string('cron', 120);
    t.string('time_zone', 64);
    t.bigInteger('run_at');
    t.boolean('enabled').notNullable();
    t.bigInteger('next_run_at');
    t.bigInteger('last_run_at');
    t.integer('total_runs').notNullable().defaultTo(0);
    t.string('created_by', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['enabled', 'next_run_at']);
    t.index(['project_id']);
  });
  await db.schema.createTable('periodic_runs', (t) => {
    t.bigIncrements('id').primary();
    t.string('periodic_id', 26).notNullable().references('periodic_tasks.id').onDelete('CASCADE');
    t.bigInteger('slot_at').notNullable();
    t.string('outcome', 16).notNullable();
    t.string('task_id', 26);
    t.text('error');
    t.bigInteger('created_at').notNullable();
    t.unique(['periodic_id', 'slot_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('periodic_runs');
  await db.schema.dropTableIfExists('periodic_tasks');
}
