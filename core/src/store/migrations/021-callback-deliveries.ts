import type { Knex } from 'knex';

/**
 * Callbacks a sender named with an `id`, per node: a node waiting for several callbacks took the
 * same delivery twice when its sender resent it (a timeout on its side, a retrying queue), since the
 * node's version token stays the same between deliveries. Recorded with the delivery's outcome.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('task_callback_deliveries', (t) => {
    t.string('task_id', 26).notNullable().references('tasks.id').onDelete('CASCADE');
    t.string('node_id', 64).notNullable();
    t.string('delivery_id', 128).notNullable();
    t.bigInteger('delivered_at').notNullable();
    t.primary(['task_id', 'node_id', 'delivery_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('task_callback_deliveries');
}
