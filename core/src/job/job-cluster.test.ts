import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../log.js';
import { startOpsloom, type Opsloom } from '../server.js';
import { apiClient, backend, type ApiClient, type TestServer } from '../test-support/test-server.js';
import type { JobView } from './api-types.js';
import { AgentPool, hostResults, projectWithToken, readWholeLog, startJobServer, waitForJob } from './test-support/job-test-kit.js';

// Two core processes only form a cluster on a shared engine: this suite runs in the MySQL + Redis pass.
if (backend.redis && backend.mysql) {
  describe('a cluster of two cores sharing MySQL and Redis', () => {
    let a: TestServer;
    let b: Opsloom;
    let apiB: ApiClient;
    const pool = new AgentPool();
    let projectId: string;
    let token: string;
    let hostId: string;

    before(async () => {
      a = await startJobServer();
      b = await startOpsloom(a.ops.config, { log: createLogger(a.ops.config.logLevel) });
      apiB = apiClient(b.url, a.adminToken);
      const p = await projectWithToken(a.admin, 'cluster');
      projectId = p.projectId;
      token = p.token;
      ({ hostId } = await pool.start(a, p.token, projectId, { ip: '10.2.0.1' }));
    });
    after(async () => {
      await pool.stopAll();
      await b.close();
      await a.close();
    });

    test('a job started on the other core reaches the agent through its gateway, and its result is stored', async () => {
      const res = await apiB.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: [hostId], content: 'echo via-cluster', language: 'bash' });
      assert.equal(res.status, 201);
      const job = await waitForJob(apiB, projectId, res.body.id);
      assert.equal(job.status, 'success');
      const [h] = await hostResults(apiB, projectId, job.id);
      assert.equal((await readWholeLog(apiB, projectId, job.id, h!.runId)).toString(), 'via-cluster\n');
    });

    test('terminate on the other core cancels the script on the agent', async () => {
      const res = await apiB.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: [hostId], content: 'echo go; sleep 30', language: 'bash' });
      await waitForJob(apiB, projectId, res.body.id, (j) => j.counts.running === 1);
      await apiB.call('POST', `/api/v1/projects/${projectId}/jobs/${res.body.id}/terminate`);
      await waitForJob(apiB, projectId, res.body.id);
      // The agent got the cancel through core A: its script ends and the agent goes idle.
      const agent = pool.agents[0]!;
      const deadline = Date.now() + 10_000;
      while (agent.load.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(agent.load.running, 0);
    });

    test('a host removed on the other core has its agent told AGENT_REMOVED and disconnected through its gateway', async () => {
      const { agent, hostId: removedId } = await pool.start(a, token, projectId, { ip: '10.2.0.2', reconnect: { baseMs: 50, maxMs: 300, removedMs: 60_000 } });
      const refused = once(agent, 'problem', { signal: AbortSignal.timeout(15_000) });
      const offline = once(agent, 'offline', { signal: AbortSignal.timeout(15_000) });
      assert.equal((await apiB.call('DELETE', `/api/v1/projects/${projectId}/hosts/${removedId}`)).status, 204);
      const [problem] = await refused as [{ code: string }];
      assert.equal(problem.code, 'AGENT_REMOVED');
      await offline;
    });
  });
}
