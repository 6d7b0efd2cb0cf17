import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Agent } from '@opsloom/agent';
import { createLogger } from '../log.js';
import { startOpsloom, type Opsloom } from '../server.js';
import { apiClient, type TestServer } from '../test-support/test-server.js';
import type { JobView } from './api-types.js';
import { CuttableLink } from './test-support/cuttable-link.js';
import { AgentPool, gatewayUrl, hostResults, projectWithToken, readWholeLog, startJobServer, until, waitForJob } from './test-support/job-test-kit.js';

const agentCli = join(dirname(fileURLToPath(import.meta.resolve('@opsloom/agent'))), 'cli.js');

/** Jobs never stay running: lost connections, killed agents and core restarts. */
describe('resilience with real agents', () => {
  let s: TestServer;
  let restarted: Opsloom | null = null;
  const pool = new AgentPool();
  let projectId: string;
  let token: string;
  let agentA: Agent;
  let hostA: string;
  let child: ChildProcess | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-job-resilience-'));

  before(async () => {
    s = await startJobServer({ graceSeconds: 2, sweepMs: 200 });
    ({ projectId, token } = await projectWithToken(s.admin, 'resilience'));
    ({ agent: agentA, hostId: hostA } = await pool.start(s, token, projectId, { ip: '10.4.0.1' }));
    await pool.start(s, token, projectId, { ip: '10.4.0.2' });
  });
  after(async () => {
    child?.kill('SIGKILL');
    await pool.stopAll();
    await restarted?.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an agent that loses its connection mid-run delivers its output and result once', async () => {
    const gate = join(dir, 'gate');
    const script = `echo before\nwhile [ ! -e "${gate}" ]; do sleep 0.05; done\necho after\njob_success "survived"`;
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: [hostA], content: script, language: 'bash' });
    await waitForJob(s.admin, projectId, res.body.id, (j) => j.counts.running === 1);
    const [run] = await hostResults(s.admin, projectId, res.body.id);
    await until(async () => (await readWholeLog(s.admin, projectId, res.body.id, run!.runId)).length > 0, 'first output stored');

    agentA.dropConnection();
    writeFileSync(gate, '');
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(job.status, 'success');
    assert.deepEqual(job.groups, [{ status: 'success', tag: 'survived', count: 1 }]);
    assert.equal((await readWholeLog(s.admin, projectId, job.id, run!.runId)).toString(), 'before\nafter\n');
    await until(async () => agentA.unacknowledged === 0, 'everything acknowledged');
    const rows = await s.ops.db('job_host_runs').where({ job_id: job.id }) as { ended_at: number }[];
    assert.equal(rows.length, 1);
    const endedAt = rows[0]!.ended_at;
    // Reconnecting again re-sends nothing that changes the recorded result.
    agentA.dropConnection();
    await until(async () => agentA.state === 'online', 'agent back online');
    assert.equal((await s.ops.db('job_host_runs').where({ job_id: job.id }).first() as { ended_at: number }).ended_at, endedAt);
  });

  test('a job terminated while its agent was cut off has its script stopped when the agent is back', async () => {
    const link = await CuttableLink.open(s);
    try {
      const { agent, hostId } = await pool.start(s, token, projectId, { ip: '10.4.0.9', server: link.gatewayUrl });
      const finished = join(dir, 'cut-off-finished');
      const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, {
        hostIds: [hostId], content: `sleep 20\ntouch "${finished}"`, language: 'bash', timeoutSeconds: 60,
      });
      await waitForJob(s.admin, projectId, res.body.id, (j) => j.counts.running === 1);
      link.cut();
      await until(async () => !(await s.admin.call<{ online: boolean }>('GET', `/api/v1/projects/${projectId}/hosts/${hostId}`)).body.online, 'host offline');
      const t = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/${res.body.id}/terminate`);
      assert.equal(t.body.status, 'cancelled');
      assert.equal(agent.load.running, 1, 'the cancel could not reach the agent');

      link.mend();
      await until(async () => agent.load.running === 0, 'the script stopped on the agent', 10_000);
      assert.equal(existsSync(finished), false);
      assert.equal((await waitForJob(s.admin, projectId, res.body.id)).status, 'cancelled');
    } finally {
      await link.close();
    }
  });

  test('a killed agent\'s host ends as failed after timeout + grace, even across a core restart', async () => {
    const stateDir = join(dir, 'killed-agent');
    child = spawn(process.execPath, [agentCli, 'run', '--server', gatewayUrl(s), '--state-dir', stateDir, '--enrol-token', token, '--ip', '10.4.0.3', '--log-level', 'silent'], { stdio: 'ignore' });
    const hostC = await until(async () => {
      const r = await s.admin.call<{ items: { id: string; online: boolean }[] }>('GET', `/api/v1/projects/${projectId}/hosts?search=10.4.0.3`);
      return r.body.items.find((h) => h.online)?.id;
    }, 'the agent process is online');
    const marker = join(dir, 'c-started');
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, {
      hostIds: [hostC, hostA], content: `touch "${marker}-$OPSLOOM_RUN_ID"; echo started; sleep 6`, language: 'bash', timeoutSeconds: 2,
    });
    const runs = await hostResults(s.admin, projectId, res.body.id);
    const runC = runs.find((r) => r.hostId === hostC)!;
    await until(async () => existsSync(`${marker}-${runC.runId}`), 'the script started on the killed host');
    child.kill('SIGKILL');

    // Core restarts before the deadline; the new process's sweeper must still end the run.
    const config = s.ops.config;
    await s.ops.close();
    restarted = await startOpsloom(config, { log: createLogger(config.logLevel) });
    const api = apiClient(restarted.url, s.adminToken);
    const job = await waitForJob(api, projectId, res.body.id, (j) => j.finished, 20_000);
    assert.equal(job.status, 'failed');
    const after = await hostResults(api, projectId, job.id);
    const c = after.find((r) => r.hostId === hostC)!;
    assert.equal(c.status, 'failed');
    assert.equal(c.failure?.code, 'AGENT_SILENT');
    // The in-process agent lost its core too: its run timed out on the agent, or ended the same way.
    assert.ok(['timeout', 'failed'].includes(after.find((r) => r.hostId === hostA)!.status));
    const host = await api.call<{ online: boolean }>('GET', `/api/v1/projects/${projectId}/hosts/${hostC}`);
    assert.equal(host.body.online, false);
  });
});
