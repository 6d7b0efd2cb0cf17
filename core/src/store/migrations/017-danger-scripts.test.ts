import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../test-support/test-db.js';
import type { Db } from '../db.js';
import { migrationSource } from './index.js';

const hit = (id: number, script: string) => ({
  id, at: 1, rule_id: 'rule', expression: 'rm', action: 'scan', description: 'd', project_id: 'p', user_id: null, username: null,
  origin: 'api', language: 'bash', line: 1, line_content: 'rm', blocked: false, job_id: null, script,
});

/** Hits recorded before scripts were stored once keep their scripts through the migration, both ways. */
describe('migration 017: danger scripts stored once', () => {
  let db: Db;
  let close: () => Promise<void>;
  before(async () => ({ db, close } = await openTestDb('danger-scripts')));
  after(() => close());

  test('existing hits keep their script under their own id, and new scripts are numbered after them', async () => {
    await db.migrate.down({ migrationSource, name: '017-danger-scripts' });
    await db('job_danger_hits').insert([hit(5, 'echo five'), hit(9, "it's nine")]);
    await db.migrate.up({ migrationSource, name: '017-danger-scripts' });
    const joined = await db('job_danger_hits').join('job_danger_scripts', 'job_danger_scripts.id', 'job_danger_hits.script_id')
      .orderBy('job_danger_hits.id').select('job_danger_hits.id', 'job_danger_scripts.script') as { id: number; script: string }[];
    assert.deepEqual(joined.map((r) => [Number(r.id), r.script]), [[5, 'echo five'], [9, "it's nine"]]);
    assert.equal(await db.schema.hasColumn('job_danger_hits', 'script'), false);
    const [next] = await db('job_danger_scripts').insert({ script: 'new' });
    assert.ok(Number(next) > 9, `a new script gets an id after the migrated ones, not ${next}`);
  });

  test('going back puts each hit\'s script back in its row', async () => {
    await db.migrate.down({ migrationSource, name: '017-danger-scripts' });
    const rows = await db('job_danger_hits').orderBy('id').select('id', 'script') as { id: number; script: string }[];
    assert.deepEqual(rows.map((r) => [Number(r.id), r.script]), [[5, 'echo five'], [9, "it's nine"]]);
    await db.migrate.up({ migrationSource, name: '017-danger-scripts' });
  });
});
