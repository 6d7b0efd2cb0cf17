import type { Knex } from 'knex';

/**
 * Flow templates (immutable versions), tasks and their per-node state. The engine's source of
 * truth is here: queue messages only wake workers, so a lost message is recovered by the sweeper.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('flow_templates', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('name', 128).notNullable();
    t.text('description');
    t.integer('latest_version').notNullable();
    t.string('created_by', 64).notNullable();
    t.string('updated_by', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('deleted_at');
    t.index(['project_id', 'updated_at']);
  });
  await db.schema.createTable('flow_template_versions', (t) => {
    t.string('template_id', 26).notNullable().references('flow_templates.id').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.text('graph', 'longtext').notNullable();
    t.string('comment', 500);
    t.string('created_by', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['template_id', 'version']);
  });
  await db.schema.createTable('tasks', (t) => {
    t.string('id', 26).primary();
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('template_id', 26);
    t.integer('template_version');
    t.string('name', 200).notNullable();
    t.string('state', 16).notNullable();
    t.text('graph', 'longtext').notNullable();
    t.text('variables', 'longtext').notNullable();
    t.string('parent_task_id', 26);
    t.string('parent_node_id', 64);
    t.string('create_method', 16).notNullable().defaultTo('api');
    t.string('created_by', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('started_at');
    t.bigInteger('finished_at');
    t.bigInteger('updated_at').notNullable();
    t.text('error');
    t.index(['project_id', 'id']);
    t.index(['state']);
    t.index(['parent_task_id']);
  });
  await db.schema.createTable('task_nodes', (t) => {
    t.string('task_id', 26).notNullable().references('tasks.id').onDelete('CASCADE');
    t.string('node_id', 64).notNullable();
    t.string('state', 16).notNullable();
    t.string('version', 26).notNullable();
    t.integer('loop').notNullable().defaultTo(0);
    t.integer('retries').notNullable().defaultTo(0);
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('started_at');
    t.bigInteger('finished_at');
    t.bigInteger('updated_at').notNullable();
    t.text('error');
    t.boolean('error_ignored').notNullable().defaultTo(false);
    t.boolean('breakpoint').notNullable().defaultTo(false);
    t.boolean('breakpoint_passed').notNullable().defaultTo(false);
    t.string('wait_kind', 16);
    t.boolean('callback_multiple').notNullable().defaultTo(false);
    t.text('inputs', 'longtext');
    t.text('input_override', 'longtext');
    t.text('outputs', 'longtext');
    t.text('plugin_state', 'longtext');
    t.bigInteger('wake_at');
    t.bigInteger('deadline_at');
    t.bigInteger('lease_until');
    t.integer('expected');
    t.string('child_task_id', 26);
    t.primary(['task_id', 'node_id']);
    t.index(['state', 'wake_at']);
    t.index(['state', 'lease_until']);
    t.index(['state', 'deadline_at']);
  });
  await db.schema.createTable('task_arrivals', (t) => {
    t.string('task_id', 26).notNullable().references('tasks.id').onDelete('CASCADE');
    t.string('converge_id', 64).notNullable();
    t.string('flow_id', 64).notNullable();
    t.primary(['task_id', 'converge_id', 'flow_id']);
  });
  await db.schema.createTable('task_vars', (t) => {
    t.string('task_id', 26).notNullable().references('tasks.id').onDelete('CASCADE');
    t.string('key', 128).notNullable();
    t.text('value', 'longtext').notNullable();
    t.primary(['task_id', 'key']);
  });
  await db.schema.createTable('task_node_history', (t) => {
    t.bigIncrements('id').primary();
    t.string('task_id', 26).notNullable().references('tasks.id').onDelete('CASCADE');
    t.string('node_id', 64).notNullable();
    t.integer('loop').notNullable();
    t.integer('retries').notNullable();
    t.integer('attempts').notNullable();
    t.string('state', 16).notNullable();
    t.text('inputs', 'longtext');
    t.text('outputs', 'longtext');
    t.text('error');
    t.bigInteger('started_at');
    t.bigInteger('finished_at');
    t.index(['task_id', 'node_id']);
  });
  await db.schema.createTable('task_logs', (t) => {
    t.bigIncrements('id').primary();
    t.string('task_id', 26).notNullable().references('tasks.id').onDelete('CASCADE');
    t.string('node_id', 64).notNullable();
    t.bigInteger('at').notNullable();
    t.string('level', 8).notNullable();
    t.text('message').notNullable();
    t.index(['task_id', 'node_id', 'id']);
  });
  await db.schema.createTable('project_constants', (t) => {
    t.string('project_id', 26).notNullable().references('projects.id').onDelete('CASCADE');
    t.string('key', 128).notNullable();
    t.text('value').notNullable();
    t.string('description', 500);
    t.primary(['project_id', 'key']);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const table of ['project_constants', 'task_logs', 'task_node_history', 'task_vars', 'task_arrivals', 'task_nodes', 'tasks', 'flow_template_versions', 'flow_templates']) {
    await db.schema.dropTableIfExists(table);
  }
}
