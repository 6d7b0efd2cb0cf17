import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../test-support/test-db.js';
import { isUniqueViolation, type Db } from '../db.js';
import { migrationSource } from './index.js';

/** Named callback deliveries: one per node and id, gone with their task, and back out cleanly. */
describe('migration 021: callback deliveries', () => {
  let db: Db;
  let close: () => Promise<void>;
  before(async () => ({ db, close } = await openTestDb('callback-deliveries')));
  after(() => close());

  test('one row per (task, node, delivery id), deleted with its task; down drops the table and up brings it back', async () => {
    await db('projects').insert({ id: 'p1', key: 'p1', name: 'P1', created_by: 'admin', created_at: 1, updated_at: 1 });
    await db('tasks').insert({ id: 't1', project_id: 'p1', name: 'T', state: 'running', graph: '{}', variables: '{}', created_by: 'admin', created_at: 1, updated_at: 1 });
    const delivery = { task_id: 't1', node_id: 'a', delivery_id: 'd1', delivered_at: 1 };
    await db('task_callback_deliveries').insert(delivery);
    await db('task_callback_deliveries').insert({ ...delivery, node_id: 'b' });
    await assert.rejects(db('task_callback_deliveries').insert(delivery), (err) => isUniqueViolation(err));
    await db('tasks').where({ id: 't1' }).delete();
    assert.equal((await db('task_callback_deliveries').count({ n: '*' }).first() as { n: number }).n, 0);
    await db.migrate.down({ migrationSource, name: '021-callback-deliveries' });
    assert.equal(await db.schema.hasTable('task_callback_deliveries'), false);
    await db.migrate.up({ migrationSource, name: '021-callback-deliveries' });
    assert.equal(await db.schema.hasTable('task_callback_deliveries'), true);
  });
});
