import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestServer } from '../test-support/test-server.js';
import type { JobView } from './api-types.js';
import { AgentPool, hostResults, projectWithToken, startJobServer, waitForJob } from './test-support/job-test-kit.js';

/** Rolling execution: bk-job batch expressions and the three modes. */
describe('rolling execution', () => {
  let s: TestServer;
  const pool = new AgentPool();
  let projectId: string;
  const hostIds: string[] = [];
  const start = (content: string, rolling: { expression: string; mode: string }) =>
    s.admin.call<JobView & { code: string }>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds, content, language: 'bash', rolling });

  before(async () => {
    s = await startJobServer();
    const p = await projectWithToken(s.admin, 'rolling');
    projectId = p.projectId;
    for (const ip of ['10.5.0.1', '10.5.0.2', '10.5.0.3', '10.5.0.4']) hostIds.push((await pool.start(s, p.token, projectId, { ip })).hostId);
  });
  after(async () => {
    await pool.stopAll();
    await s.close();
  });

  test('continue: batches follow the expression and run one after another', async () => {
    const res = await start('echo "batch run at $(date +%s%N)"', { expression: '1 +1', mode: 'continue' });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.rolling, { expression: '1 +1', mode: 'continue', currentBatch: 1, batchCount: 3 });
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(job.status, 'success');
    const hosts = await hostResults(s.admin, projectId, job.id);
    assert.deepEqual(hosts.map((h) => h.batch), [1, 2, 2, 3]);
    const rows = await s.ops.db('job_host_runs').where({ job_id: job.id }).orderBy('batch') as { batch: number; started_at: number; ended_at: number }[];
    for (const r of rows.filter((x) => x.batch > 1)) {
      const previous = rows.filter((x) => x.batch === r.batch - 1);
      assert.ok(previous.every((p) => Number(p.ended_at) <= Number(r.started_at) + 1000), 'a batch starts after the previous one ended');
    }
  });

  test('confirm: the job waits after each batch until someone confirms', async () => {
    const res = await start('true', { expression: '50%', mode: 'confirm' });
    const waiting = await waitForJob(s.admin, projectId, res.body.id, (j) => j.status === 'confirming');
    assert.deepEqual(waiting.counts, { success: 2, waiting: 2 });
    assert.equal(waiting.finished, false);
    const confirmed = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/${res.body.id}/confirm`);
    assert.equal(confirmed.status, 200);
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(job.status, 'success');
    assert.equal(job.rolling!.currentBatch, 2);
    assert.equal((await s.admin.call('POST', `/api/v1/projects/${projectId}/jobs/${res.body.id}/confirm`)).status, 409);
  });

  test('pause-on-failure: a failing batch pauses the job; continuing and retrying finish it', async () => {
    const mark = `opsloom-rolling-${Date.now()}`;
    const script = `if mkdir "\${TMPDIR:-/tmp}/${mark}" 2>/dev/null; then job_fail "first"; fi\njob_success "ok"`;
    try {
      const res = await start(script, { expression: '1', mode: 'pause-on-failure' });
      const paused = await waitForJob(s.admin, projectId, res.body.id, (j) => j.status === 'paused');
      assert.deepEqual(paused.counts, { failed: 1, waiting: 3 });
      await s.admin.call('POST', `/api/v1/projects/${projectId}/jobs/${res.body.id}/confirm`);
      const ended = await waitForJob(s.admin, projectId, res.body.id);
      assert.equal(ended.status, 'failed');
      assert.deepEqual(ended.counts, { failed: 1, success: 3 });
      await s.admin.call('POST', `/api/v1/projects/${projectId}/jobs/${res.body.id}/retry`, { scope: 'failed' });
      const retried = await waitForJob(s.admin, projectId, res.body.id);
      assert.equal(retried.status, 'success');
    } finally {
      rmSync(join(process.env.TMPDIR ?? '/tmp', mark), { recursive: true, force: true });
    }
  });

  test('a bad expression is refused', async () => {
    const res = await start('true', { expression: '*2', mode: 'continue' });
    assert.equal(res.status, 400);
  });
});
