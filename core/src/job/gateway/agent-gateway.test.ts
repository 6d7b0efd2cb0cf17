import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION, type HostFacts, type ServerMessage } from '@opsloom/agent/protocol';
import type { TestServer } from '../../test-support/test-server.js';
import type { JobView } from '../api-types.js';
import { gatewayUrl, hostResults, projectWithToken, readWholeLog, startJobServer, until, waitForJob } from '../test-support/job-test-kit.js';

const facts = (ip: string): HostFacts => ({
  hostname: `raw-${ip}`, os: { platform: 'linux', release: '6', arch: 'x64' }, ips: [ip], cloudArea: 0, agentVersion: 'test', languages: ['bash'],
});

/** A hand-driven agent connection: it says exactly what a test tells it to, including lies. */
class RawAgent {
  readonly inbox: ServerMessage[] = [];
  closed = false;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => this.inbox.push(JSON.parse(d.toString('utf8')) as ServerMessage));
    ws.on('close', () => { this.closed = true; });
  }

  static async open(url: string): Promise<RawAgent> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    return new RawAgent(ws);
  }

  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  async next<T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>> {
    return until(async () => {
      const i = this.inbox.findIndex((m) => m.type === type);
      return i < 0 ? undefined : (this.inbox.splice(i, 1)[0] as Extract<ServerMessage, { type: T }>);
    }, `a ${type} message`, 10_000);
  }

  close(): void {
    this.ws.terminate();
  }
}

describe('agent gateway protocol', () => {
  let s: TestServer;
  let projectId: string;
  let token: string;
  const open: RawAgent[] = [];
  const connect = async () => {
    const a = await RawAgent.open(gatewayUrl(s));
    open.push(a);
    return a;
  };
  /** Enrols and authenticates a raw agent; returns it online. */
  const online = async (ip: string) => {
    const a = await connect();
    a.send({ type: 'enrol', protocolVersion: PROTOCOL_VERSION, enrolToken: token, facts: facts(ip) });
    const id = await a.next('enrolled');
    a.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentId: id.agentId, credential: id.credential, facts: facts(ip), epoch: 'e1', activeRuns: [] });
    await a.next('welcome');
    const hostId = await until(async () => (await s.admin.call<{ items: { id: string; online: boolean }[] }>('GET', `/api/v1/projects/${projectId}/hosts?search=${ip}`)).body.items.find((h) => h.online)?.id, 'host online');
    return { a, hostId, ...id };
  };

  before(async () => {
    s = await startJobServer();
    ({ projectId, token } = await projectWithToken(s.admin, 'gateway'));
  });
  after(async () => {
    for (const a of open) a.close();
    await s.close();
  });

  test('agents saying hello at once are each recorded online with their own new facts', async () => {
    const agents = await Promise.all(['10.5.0.1', '10.5.0.2', '10.5.0.3'].map((ip) => online(ip)));
    for (const x of agents) x.a.close();
    // Together again, in one batch of the gateway, each with a new host name.
    const again = await Promise.all(agents.map(async (x, i) => {
      const a = await connect();
      a.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentId: x.agentId, credential: x.credential, facts: { ...facts(`10.5.0.${i + 1}`), hostname: `renamed-${i}` }, epoch: 'e2', activeRuns: [] });
      await a.next('welcome');
      return a;
    }));
    const hosts = await until(async () => {
      const r = await s.admin.call<{ items: { id: string; hostname: string; online: boolean }[] }>('GET', `/api/v1/projects/${projectId}/hosts?search=10.5.0.`);
      return r.body.items.length === 3 && r.body.items.every((h) => h.online) ? r.body.items : undefined;
    }, 'all three online again');
    assert.deepEqual(agents.map((x) => hosts.find((h) => h.id === x.hostId)?.hostname), ['renamed-0', 'renamed-1', 'renamed-2']);
    for (const a of again) a.close();
  });

  test('bad tokens, bad credentials, unauthenticated messages and other protocol versions are refused', async () => {
    const a = await connect();
    a.send({ type: 'enrol', protocolVersion: PROTOCOL_VERSION, enrolToken: 'ole_wrong', facts: facts('10.3.0.9') });
    assert.deepEqual([(await a.next('error')).code, (await until(async () => a.closed, 'closed'))], ['ENROL_TOKEN_INVALID', true]);
    const b = await connect();
    b.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentId: 'nobody', credential: 'olc_x', facts: facts('10.3.0.9'), epoch: 'e', activeRuns: [] });
    assert.equal((await b.next('error')).code, 'CREDENTIAL_INVALID');
    const c = await connect();
    c.send({ type: 'heartbeat', sentAt: 1, running: 0, queued: 0 });
    assert.equal((await c.next('error')).code, 'NOT_AUTHENTICATED');
    const d = await connect();
    d.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION + 1, agentId: 'x', credential: 'y', facts: facts('10.3.0.9'), epoch: 'e', activeRuns: [] });
    assert.equal((await d.next('error')).code, 'PROTOCOL_VERSION_UNSUPPORTED');
    const e = await connect();
    e.send('{not json');
    const err = await e.next('error');
    assert.equal(err.code, 'PROTOCOL_BAD_JSON');
  });

  test('reports are validated, stored, acknowledged, and a result is recorded once', async () => {
    const { a, hostId } = await online('10.3.0.1');
    a.send({ type: 'heartbeat', sentAt: Date.now(), running: 0, queued: 0 });
    await a.next('heartbeat-ack');
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: [hostId], content: 'echo hi', language: 'bash', params: 'p1' });
    const run = await a.next('run');
    assert.equal(run.script, 'echo hi');
    assert.equal(run.params, 'p1');

    a.send({ type: 'output', seq: 1, runId: run.runId, offset: 0, data: 'not base64!', stream: 'stdout' });
    assert.equal((await a.next('error')).code, 'PROTOCOL_BAD_FIELD');
    a.send({ type: 'run-state', seq: 1, runId: run.runId, state: 'running', at: Date.now() });
    a.send({ type: 'output', seq: 2, runId: run.runId, offset: 0, data: Buffer.from('hi\n').toString('base64'), stream: 'stdout' });
    const result = { type: 'result', runId: run.runId, exitCode: 0, signal: null, tag: { kind: 'success', message: 'first' }, startedAt: Date.now() - 5, endedAt: Date.now(), timedOut: false, cancelled: false, logBytes: 3, logTruncated: false, failure: null };
    a.send({ ...result, seq: 3 });
    const acked = new Set<number>();
    await until(async () => {
      for (const m of a.inbox.splice(0)) if (m.type === 'ack') m.seqs.forEach((x) => acked.add(x));
      return acked.has(3) && acked.has(2) && acked.has(1);
    }, 'acks for 1..3');
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.deepEqual(job.groups, [{ status: 'success', tag: 'first', count: 1 }]);

    // The same message again (its ack was lost) and a contradicting late result: acknowledged, changes nothing.
    a.send({ ...result, seq: 3 });
    a.send({ ...result, seq: 4, exitCode: 7, tag: { kind: 'fail', message: 'second' } });
    a.send({ type: 'output', seq: 5, runId: run.runId, offset: 0, data: Buffer.from('XX\n').toString('base64'), stream: 'stdout' });
    await until(async () => a.inbox.some((m) => m.type === 'ack' && m.seqs.includes(5)), 'ack for 5');
    const again = await waitForJob(s.admin, projectId, res.body.id);
    assert.deepEqual(again.groups, [{ status: 'success', tag: 'first', count: 1 }]);
    const [h] = await hostResults(s.admin, projectId, res.body.id);
    assert.equal(h!.exitCode, 0);
    assert.equal((await readWholeLog(s.admin, projectId, res.body.id, h!.runId)).toString(), 'hi\n');
  });

  test('an agent cannot report for runs it was not given or for another host', async () => {
    const first = await online('10.3.0.2');
    const other = await online('10.3.0.3');
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: [first.hostId], content: 'echo mine', language: 'bash' });
    const run = await first.a.next('run');
    const forged = { type: 'result', seq: 1, runId: run.runId, exitCode: 99, signal: null, tag: null, startedAt: null, endedAt: Date.now(), timedOut: false, cancelled: false, logBytes: 0, logTruncated: false, failure: null };
    other.a.send(forged);
    const refusal = await other.a.next('error');
    assert.equal(refusal.code, 'RUN_UNKNOWN');
    assert.equal(refusal.runId, run.runId);
    other.a.send({ ...forged, seq: 2, runId: 'invented-run' });
    assert.equal((await other.a.next('error')).code, 'RUN_UNKNOWN');
    const job = await s.admin.call<JobView>('GET', `/api/v1/projects/${projectId}/jobs/${res.body.id}`);
    assert.equal(job.body.finished, false, 'the forged result was not recorded');
    // The real agent finishes it.
    first.a.send({ ...forged, exitCode: 0, seq: 1 });
    assert.equal((await waitForJob(s.admin, projectId, res.body.id)).status, 'success');
  });

  test('a reconnecting agent gets undelivered runs again; runs it lost end as failed at once', async () => {
    const agent = await online('10.3.0.4');
    const res = await s.admin.call<JobView>('POST', `/api/v1/projects/${projectId}/jobs/script`, { hostIds: [agent.hostId], content: 'sleep 1', language: 'bash' });
    const run = await agent.a.next('run');
    agent.a.close();
    // Back, claiming it never saw the run: core sends it again.
    const b = await connect();
    b.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentId: agent.agentId, credential: agent.credential, facts: facts('10.3.0.4'), epoch: 'e2', activeRuns: [] });
    await b.next('welcome');
    assert.equal((await b.next('run')).runId, run.runId);
    b.send({ type: 'run-state', seq: 1, runId: run.runId, state: 'running', at: Date.now() });
    await waitForJob(s.admin, projectId, res.body.id, (j) => j.counts.running === 1);
    b.close();
    // Back again after a restart of the agent process (nothing active): the started run is lost and ends now.
    const c = await connect();
    c.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentId: agent.agentId, credential: agent.credential, facts: facts('10.3.0.4'), epoch: 'e3', activeRuns: [] });
    await c.next('welcome');
    const job = await waitForJob(s.admin, projectId, res.body.id);
    assert.equal(job.status, 'failed');
    const [h] = await hostResults(s.admin, projectId, res.body.id);
    assert.equal(h!.failure?.code, 'AGENT_LOST_RUN');
  });
});
