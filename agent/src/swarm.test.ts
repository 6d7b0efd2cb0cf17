import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Swarm } from './swarm.js';
import { TestGateway } from './test-support/test-gateway.js';
import { tempDir } from './test-support/fixtures.js';

let gw: TestGateway;
let swarm: Swarm;
const dir = tempDir('swarm');

before(async () => {
  gw = await TestGateway.start();
});
after(async () => {
  await swarm?.stop();
  await gw.close();
  dir.remove();
});

test('a swarm of 50 agents, each with its own identity and IP, each runs echo hello', async () => {
  swarm = await Swarm.start({ count: 50, server: gw.url, enrolToken: 'test-token', stateDir: dir.path, cloudArea: 7, startSpreadMs: 200 });
  await gw.waitForOnlineCount(50);
  const agents = [...gw.agents.values()];
  assert.equal(agents.length, 50);
  assert.equal(new Set(agents.map((a) => a.facts.ips[0])).size, 50);
  assert.ok(agents.every((a) => a.facts.cloudArea === 7 && /^10\.0\.0\.\d+$/.test(a.facts.ips[0])));
  assert.equal(new Set(agents.map((a) => a.facts.hostname)).size, 50);
  const runs = agents.map((a) => gw.dispatch(a.agentId, { script: 'echo hello' }));
  const results = await Promise.all(runs.map((id) => gw.waitForResult(id)));
  assert.ok(results.every((r) => r.result?.exitCode === 0));
  assert.ok(runs.every((id) => gw.log(id).toString() === 'hello\n'));
  assert.equal(swarm.onlineCount(), 50);
});
