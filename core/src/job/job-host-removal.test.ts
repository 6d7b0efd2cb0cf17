import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent } from '@opsloom/agent';
import type { TestServer } from '../test-support/test-server.js';
import type { HostView, RemovedHostView } from './api-types.js';
import { AgentPool, gatewayUrl, projectWithToken, startJobServer, until, userClient } from './test-support/job-test-kit.js';

type Problem = { code: string; message: string };

/** The next problem the agent reports; fails if it comes online instead, or reports nothing in time. */
function refusal(agent: Agent, timeoutMs = 15_000): Promise<Problem> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the agent was neither refused nor admitted in time')), timeoutMs);
    agent.once('problem', (p: Problem) => { clearTimeout(timer); resolve(p); });
    agent.once('online', (id: string) => { clearTimeout(timer); reject(new Error(`the agent came online as ${id} instead of being refused`)); });
  });
}

/** Removing a host keeps it out: its agent, and any enrolment of it, is refused until it is re-admitted. */
describe('host removal with real agents', () => {
  let s: TestServer;
  const pool = new AgentPool();
  let projectId: string;
  let token: string;
  let secondToken: string;
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-job-removal-'));
  // A removed agent asks again within 800 ms here (5 min by default), so re-admission shows in a test's time.
  const reconnect = { baseMs: 50, maxMs: 300, removedMs: 800 };

  const hosts = async (): Promise<HostView[]> => (await s.admin.call<{ items: HostView[] }>('GET', `/api/v1/projects/${projectId}/hosts`)).body.items;
  const removedHosts = async (): Promise<RemovedHostView[]> => (await s.admin.call<{ items: RemovedHostView[] }>('GET', `/api/v1/projects/${projectId}/removed-hosts`)).body.items;

  before(async () => {
    s = await startJobServer();
    ({ projectId, token } = await projectWithToken(s.admin, 'removal'));
    secondToken = (await s.admin.call<{ token: string }>('POST', `/api/v1/projects/${projectId}/agent-tokens`, { name: 'second' })).body.token;
  });
  after(async () => {
    await pool.stopAll();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a connected host removed is disconnected and refused with any token of the project until re-admitted', async () => {
    const { agent, hostId } = await pool.start(s, token, projectId, { ip: '10.12.0.1', reconnect });
    const agentId = agent.agentId;
    const problems: Problem[] = [];
    agent.on('problem', (p: Problem) => problems.push(p));
    const offline = once(agent, 'offline', { signal: AbortSignal.timeout(15_000) });

    assert.equal((await s.admin.call('DELETE', `/api/v1/projects/${projectId}/hosts/${hostId}`)).status, 204);
    await offline;
    assert.equal(problems[0]?.code, 'AGENT_REMOVED');
    assert.match(problems[0]!.message, /removed from its project by an administrator and must be re-admitted/);
    assert.match(problems[0]!.message, /host 10\.12\.0\.1 \(cloud area 0\) was removed from its project by an administrator at /);
    // It asks again with the identity it kept, and is refused again: it neither enrols nor comes back.
    await until(async () => problems.filter((p) => p.code === 'AGENT_REMOVED').length >= 2, 'a second refusal');
    assert.deepEqual(problems.map((p) => p.code), problems.map(() => 'AGENT_REMOVED'));
    assert.equal(agent.agentId, agentId, 'the removed agent keeps its identity');
    assert.ok(!(await hosts()).some((h) => h.ip === '10.12.0.1'));

    // The same machine starting afresh (no identity) with the project's other token is refused too.
    const freshDir = join(dir, 'fresh');
    const fresh = await Agent.start({ server: gatewayUrl(s), stateDir: freshDir, enrolToken: secondToken, ip: '10.12.0.1', reconnect });
    try {
      const problem = await refusal(fresh);
      assert.equal(problem.code, 'AGENT_REMOVED');
      assert.equal(fresh.agentId, null);
    } finally {
      await fresh.stop();
    }
    assert.equal(await s.ops.db('job_hosts').where({ project_id: projectId, ip: '10.12.0.1' }).first(), undefined);

    const [removed] = await removedHosts();
    assert.deepEqual(
      { id: removed?.id, ip: removed?.ip, cloudArea: removed?.cloudArea, agentId: removed?.agentId, removedBy: removed?.removedBy },
      { id: hostId, ip: '10.12.0.1', cloudArea: 0, agentId, removedBy: 'admin' },
    );

    // Another host enrols with the same token as before.
    await pool.start(s, token, projectId, { ip: '10.12.0.2', reconnect });

    const back = once(agent, 'online', { signal: AbortSignal.timeout(15_000) }).then(([id]) => id as string);
    assert.equal((await s.admin.call('POST', `/api/v1/projects/${projectId}/removed-hosts/${hostId}/readmit`)).status, 204);
    const newAgentId = await back;
    assert.notEqual(newAgentId, agentId, 're-admitted, the agent enrolled anew with its token');
    await until(async () => (await hosts()).some((h) => h.ip === '10.12.0.1' && h.online), 'the re-admitted host online');
    assert.deepEqual(await removedHosts(), []);

    const audit = await s.admin.call<{ items: { action: string; targetId: string; actorName: string; detail: { ip: string } }[] }>('GET', `/api/v1/projects/${projectId}/audit`);
    const actions = audit.body.items.filter((i) => i.targetId === hostId).map((i) => [i.action, i.actorName, i.detail?.ip]);
    assert.deepEqual(actions, [['job.removedHost.readmit', 'admin', '10.12.0.1'], ['job.host.remove', 'admin', '10.12.0.1']]);
  });

  test('a host removed while its agent is offline is refused when the agent comes back', async () => {
    const { agent, hostId, stateDir } = await pool.start(s, token, projectId, { ip: '10.12.0.4', reconnect });
    await agent.stop({ killRuns: false });
    assert.equal((await s.admin.call('DELETE', `/api/v1/projects/${projectId}/hosts/${hostId}`)).status, 204);
    const again = await Agent.start({ server: gatewayUrl(s), stateDir, enrolToken: token, ip: '10.12.0.4', reconnect });
    try {
      const problem = await refusal(again);
      assert.equal(problem.code, 'AGENT_REMOVED');
      assert.equal(again.agentId, agent.agentId, 'refused by its identity, which it keeps');
    } finally {
      await again.stop();
    }
  });

  test('only the project\'s administrators list removed hosts and re-admit them', async () => {
    const { hostId } = await pool.start(s, token, projectId, { ip: '10.12.0.3', reconnect });
    assert.equal((await s.admin.call('DELETE', `/api/v1/projects/${projectId}/hosts/${hostId}`)).status, 204);
    const list = `/api/v1/projects/${projectId}/removed-hosts`;
    const readmit = `${list}/${hostId}/readmit`;
    for (const role of ['viewer', 'operator', 'developer'] as const) {
      const user = await userClient(s, `removal-${role}`, { projectId, role });
      assert.equal((await user.call('GET', list)).status, 403, role);
      assert.equal((await user.call('POST', readmit)).status, 403, role);
      assert.equal((await user.call('DELETE', `/api/v1/projects/${projectId}/hosts/${hostId}`)).status, 403, role);
    }
    const other = await projectWithToken(s.admin, 'removal-other');
    const outsider = await userClient(s, 'removal-outsider', { projectId: other.projectId, role: 'admin' });
    assert.equal((await outsider.call('GET', list)).status, 404);
    assert.equal((await outsider.call('POST', readmit)).status, 404);
    assert.equal((await s.admin.call('POST', `/api/v1/projects/${other.projectId}/removed-hosts/${hostId}/readmit`)).status, 404, 'not through another project');
    assert.ok((await removedHosts()).some((r) => r.id === hostId), 'still removed');

    const projectAdmin = await userClient(s, 'removal-admin', { projectId, role: 'admin' });
    const listed = await projectAdmin.call<{ total: number; items: RemovedHostView[] }>('GET', `${list}?search=10.12.0.3`);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.items.map((r) => r.id), [hostId]);
    assert.equal((await projectAdmin.call('POST', readmit)).status, 204);
    const again = await projectAdmin.call<{ code: string }>('POST', readmit);
    assert.equal(again.status, 404);
    assert.equal(again.body.code, 'not_found');
  });
});
