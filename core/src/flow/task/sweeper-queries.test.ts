import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../test-support/test-db.js';
import type { Db } from '../../store/db.js';
import { TaskStore } from './task-store.js';

/**
 * The sweeper runs its four queries every few seconds over every node ever run: each must reach
 * its rows through an index, never by scanning task_nodes. (On SQLite the indexes are partial.)
 */
describe('sweeper queries', () => {
  let db: Db;
  let close: () => Promise<void>;
  let store: TaskStore;
  const sqlite = () => String(db.client.config.client).includes('sqlite');

  before(async () => {
    ({ db, close } = await openTestDb('sweeper-queries'));
    store = new TaskStore(db);
  });
  after(() => close());

  test('each query reads task_nodes through an index', async () => {
    const queries = store.dueQueries(Date.now(), Date.now() - 5000, 100);
    const expectIndex = { ready: 'task_nodes_ready', expired: 'task_nodes_lease', wake: 'task_nodes_wake', late: 'task_nodes_deadline' } as const;
    for (const [name, query] of Object.entries(queries) as [keyof typeof expectIndex, (typeof queries)[keyof typeof queries]][]) {
      const { sql, bindings } = query.toSQL();
      if (sqlite()) {
        const plan = (await db.raw(`explain query plan ${sql}`, bindings as never)) as { detail: string }[];
        const details = plan.map((p) => p.detail).join(' | ');
        assert.match(details, new RegExp(`USING INDEX ${expectIndex[name]}`), `${name}: ${details}`);
        assert.doesNotMatch(details, /SCAN n\b/, `${name} scans task_nodes: ${details}`);
      } else {
        const [rows] = (await db.raw(`explain ${sql}`, bindings as never)) as [{ table: string; type: string; key: string | null }[]];
        const nodes = rows.find((r) => r.table === 'n');
        assert.ok(nodes && nodes.key, `${name} reads task_nodes without an index: ${JSON.stringify(rows)}`);
        assert.notEqual(nodes.type, 'ALL', `${name} scans task_nodes: ${JSON.stringify(rows)}`);
      }
    }
  });
});
