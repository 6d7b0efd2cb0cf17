import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Agent } from './agent.js';
import { TestGateway } from './test-support/test-gateway.js';
import { startOnlineAgent, tempDir, until } from './test-support/fixtures.js';

let gw: TestGateway;
let agent: Agent;
let agentId: string;
const dir = tempDir('durability');

before(async () => {
  gw = await TestGateway.start();
  ({ agent, agentId } = await startOnlineAgent(gw, join(dir.path, 'state')));
});
after(async () => {
  await agent.stop();
  await gw.close();
  dir.remove();
});

test('a run outlives a core outage and its result is delivered when core is back', async () => {
  const gate = join(dir.path, 'gate');
  const script = `echo before\nwhile [ ! -e "${gate}" ]; do sleep 0.05; done\necho after\njob_success "survived"`;
  const runId = gw.dispatch(agentId, { script });
  await gw.waitForRun(runId, (r) => r.chunks.size > 0);

  await gw.close();
  writeFileSync(gate, '');
  // The script finishes while core is down: its output and result wait in the agent's outbox.
  await until(() => agent.load.running === 0, 'the script has ended');
  assert.ok(agent.unacknowledged >= 2);
  assert.equal(gw.runs.get(runId)?.result, null);

  await gw.listen();
  const run = await gw.waitForResult(runId);
  assert.equal(gw.log(runId).toString(), 'before\nafter\n');
  assert.equal(run.result?.exitCode, 0);
  assert.deepEqual(run.result?.tag, { kind: 'success', message: 'survived' });
  assert.ok(gw.agents.get(agentId)?.activeRunsAtHello.includes(runId), 'hello listed the run with undelivered messages');
  await until(() => agent.unacknowledged === 0, 'everything is acknowledged');
});

test('messages re-sent after a lost acknowledgement are recorded once', async () => {
  gw.acking = false; // core stores, then dies before acknowledging
  const runId = gw.dispatch(agentId, { script: 'echo once\njob_success ok' });
  await gw.waitForResult(runId);
  await until(() => agent.load.running === 0 && agent.unacknowledged >= 3, 'the run ended unacknowledged');
  const duplicatesBefore = gw.duplicates;
  await gw.close();
  gw.acking = true;
  await gw.listen();
  await until(() => agent.unacknowledged === 0, 'the re-sent messages are acknowledged');
  assert.ok(gw.duplicates - duplicatesBefore >= 3, `only ${gw.duplicates - duplicatesBefore} re-sends seen`);
  const run = gw.runs.get(runId);
  assert.deepEqual(run?.states, ['running']);
  assert.equal(gw.log(runId).toString(), 'once\n');
  assert.deepEqual(run?.result?.tag, { kind: 'success', message: 'ok' });
});
