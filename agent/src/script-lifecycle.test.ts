import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Agent } from './agent.js';
import { TestGateway } from './test-support/test-gateway.js';
import { processGone, startOnlineAgent, tempDir, until } from './test-support/fixtures.js';

let gw: TestGateway;
let agent: Agent;
let agentId: string;
const dir = tempDir('lifecycle');

before(async () => {
  gw = await TestGateway.start();
  ({ agent, agentId } = await startOnlineAgent(gw, join(dir.path, 'state'), { maxConcurrent: 2 }));
});
after(async () => {
  await agent.stop();
  await gw.close();
  dir.remove();
});

test('a timeout kills the whole process group, background children included', async () => {
  // The background child ignores SIGTERM, so only the group SIGKILL can end it.
  const script = `sh -c 'trap "" TERM; exec sleep 300' &\necho "child:$!"\nwait`;
  const runId = gw.dispatch(agentId, { script, timeoutSeconds: 1 });
  const run = await gw.waitForResult(runId);
  const pid = Number(/child:(\d+)/.exec(gw.log(runId).toString())?.[1]);
  assert.ok(pid > 0);
  assert.equal(run.result?.timedOut, true);
  assert.equal(run.result?.cancelled, false);
  assert.equal(run.result?.exitCode, null);
  assert.ok(run.result?.signal === 'SIGTERM' || run.result?.signal === 'SIGKILL');
  await until(() => processGone(pid), `background child ${pid} is gone`);
});

test('cancel stops a running script and removes a queued one', async () => {
  const gate = join(dir.path, 'never');
  const wait = `echo started; while [ ! -e "${gate}" ]; do sleep 0.05; done`;
  const a = gw.dispatch(agentId, { script: wait });
  const b = gw.dispatch(agentId, { script: wait });
  const queued = gw.dispatch(agentId, { script: 'echo should-not-run' });
  await gw.waitForRun(queued, (r) => r.states.includes('queued'));
  await gw.waitForRun(a, (r) => r.chunks.size > 0);
  gw.cancel(agentId, queued);
  const q = await gw.waitForResult(queued);
  assert.equal(q.result?.cancelled, true);
  assert.equal(q.result?.startedAt, null);
  assert.equal(gw.log(queued).length, 0);
  gw.cancel(agentId, a);
  gw.cancel(agentId, b);
  const ra = await gw.waitForResult(a);
  const rb = await gw.waitForResult(b);
  for (const r of [ra, rb]) {
    assert.equal(r.result?.cancelled, true);
    assert.equal(r.result?.timedOut, false);
    assert.equal(r.result?.signal, 'SIGTERM');
  }
  assert.deepEqual(q.states, ['queued']);
});

test('no more than maxConcurrent scripts run at once; the rest wait their turn', async () => {
  const gate = join(dir.path, 'gate');
  const script = `while [ ! -e "${gate}" ]; do sleep 0.05; done\njob_success done`;
  const ids: string[] = [];
  // Messages arrive in the agent's order, so "started and not ended" at each step is exact.
  let maxActive = 0;
  const onProgress = (): void => {
    const active = ids.filter((id) => gw.runs.get(id)?.states.includes('running') && !gw.runs.get(id)?.result).length;
    maxActive = Math.max(maxActive, active);
  };
  gw.on('progress', onProgress);
  for (let i = 0; i < 5; i++) ids.push(gw.dispatch(agentId, { script }));
  await until(() => agent.load.running === 2 && agent.load.queued === 3, 'two run and three wait');
  await until(() => ids.filter((id) => gw.runs.get(id)?.states.includes('queued')).length === 3, 'three queued states arrived');
  await until(() => ids.filter((id) => gw.runs.get(id)?.states.includes('running')).length === 2, 'two running states arrived');
  writeFileSync(gate, '');
  const results = await Promise.all(ids.map((id) => gw.waitForResult(id)));
  gw.off('progress', onProgress);
  assert.ok(results.every((r) => r.result?.tag?.kind === 'success'));
  assert.ok(results.every((r) => r.states.at(-1) === 'running'));
  assert.equal(maxActive, 2);
  assert.equal(agent.load.running + agent.load.queued, 0);
});
