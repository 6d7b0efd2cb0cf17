import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import { openTestDb } from '../../test-support/test-db.js';
import { JobStore } from './job-store.js';

/** The job store on the suite's real database (SQLite or MySQL). */
describe('job store', () => {
  let db: Db;
  let close: () => Promise<void>;
  let jobs: JobStore;
  const runId = newId();

  before(async () => {
    ({ db, close } = await openTestDb('job-store'));
    jobs = new JobStore(db);
    const projectId = newId();
    const now = Date.now();
    await db('projects').insert({ id: projectId, key: 'store', name: 'store', created_by: 'test', created_at: now, updated_at: now });
    const jobId = newId();
    await jobs.insert({
      id: jobId, projectId, name: 'chunks', origin: 'api', createdBy: null, createdByName: null, status: 'running', language: 'bash',
      script: 'cat big', scriptId: null, scriptVersionId: null, paramsPlain: '', paramsCipher: null, paramsSensitive: false, runAs: null,
      timeoutSeconds: 60, rollingExpression: null, rollingMode: null, currentBatch: 1, batchCount: 1, hostCount: 1, createdAt: now, endedAt: null,
    }, [{
      id: runId, jobId, hostId: null, cloudArea: 0, ip: '10.0.0.1', agentId: 'agent', batch: 1, attempt: 1, superseded: false, status: 'running',
      exitCode: null, signal: null, tag: null, failureCode: null, failureMessage: null, dispatchedAt: now, startedAt: now, endedAt: null,
      deadlineAt: now + 60_000, logBytes: null, logTruncated: false,
    }]);
  });
  after(async () => { await close(); });

  test('a batch of reports carrying many full-size output chunks is stored whole', async () => {
    // What an agent re-sends after a reconnect: 24 chunks of the protocol's largest size, in one batch.
    const chunk = 1024 * 1024;
    const logs = Array.from({ length: 24 }, (_, i) => ({ runId, offset: i * chunk, stream: 'stdout', data: Buffer.alloc(chunk, i) }));
    await jobs.applyReports([], [], logs);
    const rows = await db('job_run_logs').where({ run_id: runId }).orderBy('offset') as { offset: number; data: Buffer }[];
    assert.deepEqual(rows.map((r) => Number(r.offset)), logs.map((l) => l.offset));
    assert.ok(rows.every((r, i) => r.data.equals(logs[i]!.data)));
  });
});
