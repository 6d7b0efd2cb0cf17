import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../test-support/test-db.js';
import type { Db } from './db.js';
import { whereLike } from './like.js';

/** Searches match the user's text literally on the backend the suite runs on (SQLite, or MySQL with OPSLOOM_TEST_DB). */
describe('LIKE searches', () => {
  let db: Db;
  let close: () => Promise<void>;
  const names = ['deploy_web', 'deployXweb', 'disk 100%', 'disk 1000', 'a!b', 'ab', 'back\\slash', 'web_deploy'];
  const find = async (columns: string[], text: string, position?: 'contains' | 'starts') =>
    (await whereLike(db('like_probe').select('name', 'note').orderBy('name'), columns, text, position)).map((r: { name: string }) => r.name);

  before(async () => {
    ({ db, close } = await openTestDb('like'));
    await db.schema.createTable('like_probe', (t) => { t.string('name', 32).primary(); t.string('note', 32); });
    await db('like_probe').insert(names.map((name, i) => ({ name, note: i === 1 ? 'has deploy_web inside' : '' })));
  });
  after(() => close());

  test('_ and % are literal, not wildcards', async () => {
    assert.deepEqual(await find(['name'], 'deploy_web'), ['deploy_web']);
    assert.deepEqual(await find(['name'], '100%'), ['disk 100%']);
  });

  test('the escape character and a backslash are literal too', async () => {
    assert.deepEqual(await find(['name'], 'a!b'), ['a!b']);
    assert.deepEqual(await find(['name'], 'k\\s'), ['back\\slash']);
  });

  test('several columns are ORed, and a prefix search anchors at the start', async () => {
    assert.deepEqual(await find(['name', 'note'], 'deploy_web'), ['deployXweb', 'deploy_web']);
    assert.deepEqual(await find(['name'], 'deploy', 'starts'), ['deployXweb', 'deploy_web']);
  });

  test('the condition is grouped, so it narrows what other conditions select', async () => {
    const rows = await whereLike(db('like_probe').select('name').where('name', '<>', 'deploy_web'), ['name', 'note'], 'deploy_web');
    assert.deepEqual(rows.map((r: { name: string }) => r.name), ['deployXweb']);
  });
});
