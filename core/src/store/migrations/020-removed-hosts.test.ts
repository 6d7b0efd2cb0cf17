import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../test-support/test-db.js';
import { isUniqueViolation, type Db } from '../db.js';
import { migrationSource } from './index.js';

const tombstone = (id: string, projectId: string, ip: string) => ({
  id, project_id: projectId, cloud_area: 0, ip, hostname: `h-${ip}`, agent_id: `agent-${id}`, removed_by: 'admin', removed_at: 1,
});

/** The tombstones of removed hosts: one per identity of a project, gone with the project, and back out cleanly. */
describe('migration 020: removed hosts', () => {
  let db: Db;
  let close: () => Promise<void>;
  before(async () => ({ db, close } = await openTestDb('removed-hosts')));
  after(() => close());

  test('one tombstone per (project, cloud area, IP), deleted with its project; down drops the table and up brings it back', async () => {
    await db('projects').insert({ id: 'p1', key: 'p1', name: 'P1', created_by: 'admin', created_at: 1, updated_at: 1 });
    await db('job_removed_hosts').insert(tombstone('h1', 'p1', '10.0.0.1'));
    await assert.rejects(db('job_removed_hosts').insert(tombstone('h2', 'p1', '10.0.0.1')), (err) => isUniqueViolation(err));
    await db('projects').where({ id: 'p1' }).delete();
    assert.equal((await db('job_removed_hosts').count({ n: '*' }).first() as { n: number }).n, 0);
    await db.migrate.down({ migrationSource, name: '020-removed-hosts' });
    assert.equal(await db.schema.hasTable('job_removed_hosts'), false);
    await db.migrate.up({ migrationSource, name: '020-removed-hosts' });
    assert.equal(await db.schema.hasTable('job_removed_hosts'), true);
  });
});
