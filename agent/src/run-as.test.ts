import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Agent } from './agent.js';
import { TestGateway } from './test-support/test-gateway.js';
import { startOnlineAgent, tempDir } from './test-support/fixtures.js';

const isRoot = process.getuid?.() === 0;
const user = `ol${randomBytes(4).toString('hex')}`;
let gw: TestGateway;
let agent: Agent;
let agentId: string;
const dir = tempDir('runas');

before(async () => {
  if (isRoot) execFileSync('useradd', ['--no-create-home', '--shell', '/bin/sh', '--home-dir', '/nonexistent', user]);
  gw = await TestGateway.start();
  ({ agent, agentId } = await startOnlineAgent(gw, join(dir.path, 'state')));
});
after(async () => {
  await agent.stop();
  await gw.close();
  dir.remove();
  if (isRoot) execFileSync('userdel', [user]);
});

test('runs a script as the requested user, who cannot read the agent credential', async () => {
  const identity = join(dir.path, 'state', 'identity.json');
  const runId = gw.dispatch(agentId, { runAs: user, script: `id -un\necho "$USER:$HOME"\ncat "${identity}" >/dev/null 2>&1 && echo LEAK\njob_success as-user` });
  const run = await gw.waitForResult(runId);
  if (isRoot) {
    assert.equal(gw.log(runId).toString(), `${user}\n${user}:/nonexistent\n`);
    assert.deepEqual(run.result?.tag, { kind: 'success', message: 'as-user' });
  } else {
    assert.equal(run.result?.failure?.code, 'RUN_AS_NOT_PERMITTED');
  }
});

test('an unknown run-as user is a clear failure', async () => {
  const runId = gw.dispatch(agentId, { runAs: 'no_such_user_opsloom', script: 'echo ran' });
  const run = await gw.waitForResult(runId);
  assert.equal(run.result?.failure?.code, isRoot ? 'RUN_AS_UNKNOWN_USER' : 'RUN_AS_NOT_PERMITTED');
  assert.match(run.result?.failure?.message ?? '', /no_such_user_opsloom/);
  assert.equal(gw.log(runId).length, 0);
});

test('the agent\'s own user is always allowed', async () => {
  const me = execFileSync('id', ['-un']).toString().trim();
  const runId = gw.dispatch(agentId, { runAs: me, script: 'id -un' });
  await gw.waitForResult(runId);
  assert.equal(gw.log(runId).toString(), `${me}\n`);
});
