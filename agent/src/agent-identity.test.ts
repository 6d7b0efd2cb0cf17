import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Agent } from './agent.js';
import { TestGateway } from './test-support/test-gateway.js';
import { startOnlineAgent, tempDir, until } from './test-support/fixtures.js';

let gw: TestGateway;
const dir = tempDir('identity');

before(async () => {
  gw = await TestGateway.start({ heartbeatSeconds: 1 });
});
after(async () => {
  await gw.close();
  dir.remove();
});

test('enrols once, stores the credential 0600, then re-authenticates with it', async () => {
  const stateDir = join(dir.path, 'a');
  const first = await startOnlineAgent(gw, stateDir, { cloudArea: 3, ip: '192.168.7.9' });
  assert.equal(gw.enrolments, 1);
  const stored = JSON.parse(await readFile(join(stateDir, 'identity.json'), 'utf8')) as { agentId: string; credential: string };
  assert.equal(stored.agentId, first.agentId);
  assert.equal(stored.credential, gw.agents.get(first.agentId)?.credential);
  assert.equal(statSync(join(stateDir, 'identity.json')).mode & 0o777, 0o600);
  const facts = gw.agents.get(first.agentId)?.facts;
  assert.deepEqual(facts?.ips, ['192.168.7.9']);
  assert.equal(facts?.cloudArea, 3);
  assert.ok(facts?.languages.includes('bash') && facts.languages.includes('python3') && facts.languages.includes('perl'));
  assert.ok(facts?.hostname && facts.agentVersion);
  await first.agent.stop();

  // A restarted agent, without the token, comes back as the same agent.
  const again = await Agent.start({ server: gw.url, stateDir, reconnect: { baseMs: 50, maxMs: 200 } });
  const id = await new Promise<string>((resolve) => again.once('online', resolve));
  assert.equal(id, first.agentId);
  assert.equal(gw.enrolments, 1);
  assert.equal(gw.agents.get(id)?.hellos, 2);
  await again.stop();
});

test('heartbeats flow while online and the agent reconnects after a drop', async () => {
  const { agent, agentId } = await startOnlineAgent(gw, join(dir.path, 'b'));
  await until(() => (gw.agents.get(agentId)?.heartbeats ?? 0) >= 1, 'a heartbeat arrived');
  agent.dropConnection();
  await until(() => (gw.agents.get(agentId)?.hellos ?? 0) >= 2 && agent.state === 'online', 'the agent is back online');
  await agent.stop();
});

test('a refused credential makes the agent enrol again with its token', async () => {
  const stateDir = join(dir.path, 'c');
  const { agent, agentId } = await startOnlineAgent(gw, stateDir);
  await agent.stop();
  gw.agents.delete(agentId); // core forgot the host
  const enrolled = gw.enrolments;
  const back = await Agent.start({ server: gw.url, stateDir, enrolToken: 'test-token', reconnect: { baseMs: 20, maxMs: 40 } });
  const problems: string[] = [];
  back.on('problem', (p: { code: string }) => problems.push(p.code));
  const newId = await new Promise<string>((resolve) => back.once('online', resolve));
  assert.notEqual(newId, agentId);
  assert.equal(gw.enrolments, enrolled + 1);
  assert.deepEqual(problems, ['CREDENTIAL_INVALID']);
  await back.stop();
});

test('a wrong enrolment token is reported and no identity is stored', async () => {
  const stateDir = join(dir.path, 'd');
  const agent = await Agent.start({ server: gw.url, stateDir, enrolToken: 'wrong', reconnect: { baseMs: 20, maxMs: 40 } });
  const problem = await new Promise<{ code: string; message: string }>((resolve) => agent.once('problem', resolve));
  assert.equal(problem.code, 'ENROL_TOKEN_INVALID');
  await agent.stop();
  await assert.rejects(readFile(join(stateDir, 'identity.json')), { code: 'ENOENT' });
  await assert.rejects(Agent.start({ server: gw.url, stateDir: join(dir.path, 'e') }), { code: 'CONFIG_INVALID' });
  await assert.rejects(Agent.start({ server: 'http://x', stateDir, enrolToken: 't' }), { code: 'CONFIG_INVALID' });
});

test('a host removed by an administrator stops its scripts, keeps its identity and is only back once re-admitted', async () => {
  const stateDir = join(dir.path, 'f');
  const { agent, agentId } = await startOnlineAgent(gw, stateDir, { reconnect: { baseMs: 20, maxMs: 40, removedMs: 300 } });
  const runId = gw.dispatch(agentId, { script: 'sleep 30' });
  await until(() => agent.load.running === 1, 'the script running');
  const problems: { code: string; message: string }[] = [];
  agent.on('problem', (p: { code: string; message: string }) => problems.push(p));
  const enrolled = gw.enrolments;

  gw.remove(agentId);
  await until(() => problems.length > 0 && agent.load.running === 0, 'the removal reported and the script stopped');
  assert.equal(problems[0]?.code, 'AGENT_REMOVED');
  assert.match(problems[0]!.message, /removed from its project by an administrator and must be re-admitted/);
  // It asks again as itself (its identity kept, no enrolment), and is refused again.
  await until(() => gw.refusals.filter((r) => r.startsWith('AGENT_REMOVED')).length >= 1, 'a hello refused as removed');
  assert.equal(gw.enrolments, enrolled);
  const stored = JSON.parse(await readFile(join(stateDir, 'identity.json'), 'utf8')) as { agentId: string };
  assert.equal(stored.agentId, agentId);
  assert.equal(gw.runs.get(runId)?.result, null, 'a removed host reports nothing');

  gw.readmit(agentId);
  const newId = await new Promise<string>((resolve) => agent.once('online', resolve));
  assert.notEqual(newId, agentId, 're-admitted, it enrols anew with its token');
  assert.equal(gw.enrolments, enrolled + 1);
  await agent.stop();
});
