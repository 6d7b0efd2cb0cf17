import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent } from '@opsloom/agent';
import type { TestServer } from '../test-support/test-server.js';
import type { JobView } from './api-types.js';
import { AgentPool, gatewayUrl, hostResults, until, projectWithToken, startJobServer, userClient, waitForJob } from './test-support/job-test-kit.js';

/** Host identity and host-level permission: a project only ever reaches its own hosts. */
describe('targets and host permission', () => {
  let s: TestServer;
  const pool = new AgentPool();
  let a: { projectId: string; token: string };
  let b: { projectId: string; token: string };
  let hostA: string;
  let hostArea2: string;
  let hostB: string;

  before(async () => {
    s = await startJobServer();
    a = await projectWithToken(s.admin, 'team-a');
    b = await projectWithToken(s.admin, 'team-b');
    ({ hostId: hostA } = await pool.start(s, a.token, a.projectId, { ip: '10.6.0.1' }));
    // The same private IP in another cloud area is another host.
    ({ hostId: hostArea2 } = await pool.start(s, a.token, a.projectId, { ip: '10.6.0.1', cloudArea: 2 }));
    ({ hostId: hostB } = await pool.start(s, b.token, b.projectId, { ip: '10.6.0.9' }));
  });
  after(async () => {
    await pool.stopAll();
    await s.close();
  });

  test('(cloud area, IP) identifies a host', async () => {
    assert.notEqual(hostA, hostArea2);
    const hosts = await s.admin.call<{ items: { ip: string; cloudArea: number }[] }>('GET', `/api/v1/projects/${a.projectId}/hosts`);
    assert.deepEqual(hosts.body.items.map((h) => [h.cloudArea, h.ip]), [[0, '10.6.0.1'], [2, '10.6.0.1']]);
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${a.projectId}/jobs/script`, { hosts: [{ cloudArea: 2, ip: '10.6.0.1' }], content: 'echo area2', language: 'sh' });
    const job = await waitForJob(s.admin, a.projectId, res.body.id);
    assert.equal(job.status, 'success');
    const [h] = await hostResults(s.admin, a.projectId, job.id);
    assert.equal(h!.hostId, hostArea2);
  });

  test('another project\'s hosts end as not_allowed and are never dispatched', async () => {
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${b.projectId}/jobs/script`, {
      hostIds: [hostB, hostA], hosts: [{ cloudArea: 0, ip: '10.6.0.1' }], content: 'echo hi', language: 'bash',
    });
    assert.equal(res.status, 201);
    const job = await waitForJob(s.admin, b.projectId, res.body.id);
    assert.equal(job.status, 'failed');
    assert.deepEqual(job.counts, { success: 1, not_allowed: 2 });
    const refused = await hostResults(s.admin, b.projectId, job.id, '?status=not_allowed');
    assert.ok(refused.every((r) => r.failure?.code === 'HOST_NOT_ALLOWED'));
    const runs = await s.ops.db('job_host_runs').where({ job_id: job.id, status: 'not_allowed' }) as { agent_id: string | null; dispatched_at: number | null }[];
    assert.ok(runs.every((r) => r.agent_id === null && r.dispatched_at === null));
    // Project A's job list and hosts are not visible through project B.
    assert.equal((await s.admin.call('GET', `/api/v1/projects/${a.projectId}/jobs/${job.id}`)).status, 404);
    assert.equal((await s.admin.call('GET', `/api/v1/projects/${b.projectId}/hosts/${hostA}`)).status, 404);
  });

  test('a host id longer than any host id is refused with 400, and no job is written', async () => {
    const before = await s.ops.db('job_instances').count({ n: '*' }).first() as { n: number };
    const res = await s.admin.call<{ detail: string }>('POST', `/api/v1/projects/${a.projectId}/jobs/script`, { hostIds: [hostA, 'h'.repeat(40)], content: 'true', language: 'bash' });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.body.detail, /hostIds/);
    const after = await s.ops.db('job_instances').count({ n: '*' }).first() as { n: number };
    assert.equal(Number(after.n), Number(before.n));
  });

  test('only operators and above run scripts; members of other projects see nothing', async () => {
    const viewer = await userClient(s, 'viewer-a', { projectId: a.projectId, role: 'viewer' });
    const denied = await viewer.call('POST', `/api/v1/projects/${a.projectId}/jobs/script`, { hostIds: [hostA], content: 'true', language: 'bash' });
    assert.equal(denied.status, 403);
    assert.equal((await viewer.call('GET', `/api/v1/projects/${a.projectId}/hosts`)).status, 200);
    const outsider = await userClient(s, 'member-b', { projectId: b.projectId, role: 'admin' });
    assert.equal((await outsider.call('POST', `/api/v1/projects/${a.projectId}/jobs/script`, { hostIds: [hostA], content: 'true', language: 'bash' })).status, 404);
    const operator = await userClient(s, 'operator-a', { projectId: a.projectId, role: 'operator' });
    const ok = await operator.call<JobView>('POST', `/api/v1/projects/${a.projectId}/jobs/script`, { hostIds: [hostA], content: 'true', language: 'bash' });
    assert.equal(ok.status, 201);
    assert.equal((await waitForJob(operator, a.projectId, ok.body.id)).createdBy, 'operator-a');
  });

  test('removing a host mid-run ends its run at once and stops the script on its agent', async () => {
    const { agent, hostId } = await pool.start(s, a.token, a.projectId, { ip: '10.6.0.6' });
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${a.projectId}/jobs/script`, { hostIds: [hostId], content: 'sleep 20', language: 'bash', timeoutSeconds: 60 });
    await waitForJob(s.admin, a.projectId, res.body.id, (j) => j.counts.running === 1);
    assert.equal((await s.admin.call('DELETE', `/api/v1/projects/${a.projectId}/hosts/${hostId}`)).status, 204);
    const [removed] = await hostResults(s.admin, a.projectId, res.body.id);
    assert.equal(removed!.status, 'failed');
    assert.equal(removed!.failure?.code, 'HOST_REMOVED');
    assert.equal((await waitForJob(s.admin, a.projectId, res.body.id, (j) => j.finished, 5000)).status, 'failed');
    await until(async () => agent.load.running === 0, 'the script stopped on the removed host', 10_000);
  });

  test('an offline host ends as agent_offline at once', async () => {
    const { agent, hostId } = await pool.start(s, a.token, a.projectId, { ip: '10.6.0.5' });
    await agent.stop();
    await until(async () => !(await s.admin.call<{ online: boolean }>('GET', `/api/v1/projects/${a.projectId}/hosts/${hostId}`)).body.online, 'host offline');
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${a.projectId}/jobs/script`, { hostIds: [hostId], content: 'true', language: 'bash' });
    assert.equal(res.body.finished, true);
    assert.deepEqual(res.body.counts, { agent_offline: 1 });
  });

  test('enrolment tokens: shown once, listed without secret, revoked tokens refused', async () => {
    const t = await s.admin.call<{ id: string; token: string }>('POST', `/api/v1/projects/${a.projectId}/agent-tokens`, { name: 'ci' });
    assert.match(t.body.token, /^ole_/);
    const list = await s.admin.call<{ items: Record<string, unknown>[] }>('GET', `/api/v1/projects/${a.projectId}/agent-tokens`);
    assert.ok(list.body.items.every((i) => !('token' in i)));
    assert.equal((await s.admin.call('DELETE', `/api/v1/projects/${a.projectId}/agent-tokens/${t.body.id}`)).status, 204);
    const row = await s.ops.db('job_enrol_tokens').where({ id: t.body.id }).first() as { token_hash: string; revoked_at: number };
    assert.ok(row.revoked_at > 0);
    assert.ok(!row.token_hash.includes(t.body.token.slice(4, 20)));
    const dir = mkdtempSync(join(tmpdir(), 'opsloom-job-agent-'));
    const agent = await Agent.start({ server: gatewayUrl(s), stateDir: dir, enrolToken: t.body.token, ip: '10.6.0.6', reconnect: { baseMs: 50, maxMs: 100 } });
    try {
      const problem = await new Promise<{ code: string }>((resolve) => agent.once('problem', resolve));
      assert.equal(problem.code, 'ENROL_TOKEN_INVALID');
    } finally {
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
