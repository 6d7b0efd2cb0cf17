import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Agent } from './agent.js';
import type { ScriptLanguage } from './protocol/index.js';
import { TestGateway } from './test-support/test-gateway.js';
import { startOnlineAgent, tempDir } from './test-support/fixtures.js';

let gw: TestGateway;
let agent: Agent;
let agentId: string;
const dir = tempDir('languages');

before(async () => {
  gw = await TestGateway.start();
  ({ agent, agentId } = await startOnlineAgent(gw, dir.path, { chunkBytes: 3, flushMs: 5000 }));
});
after(async () => {
  await agent.stop();
  await gw.close();
  dir.remove();
});

const scripts: Record<Exclude<ScriptLanguage, 'powershell'>, string> = {
  bash: 'echo "args:$#:$1:$2"\necho "env:$GREETING"\njob_success "bash ok"\necho never',
  sh: 'echo "args:$#:$1:$2"\necho "env:$GREETING"\njob_success "sh ok"\necho never',
  python3: "import os, sys\nprint('args:%d:%s:%s' % (len(sys.argv) - 1, sys.argv[1], sys.argv[2]))\nprint('env:' + os.environ['GREETING'])\njob_success('python3 ok')\nprint('never')",
  perl: 'use strict;\nprint "args:" . scalar(@ARGV) . ":$ARGV[0]:$ARGV[1]\\n";\nprint "env:$ENV{GREETING}\\n";\njob_success "perl ok";\nprint "never\\n";',
};

for (const [language, script] of Object.entries(scripts) as [ScriptLanguage, string][]) {
  test(`runs ${language} with parameters, environment and a success tag`, async () => {
    const runId = gw.dispatch(agentId, { language, script, params: `one 'two words'`, env: { GREETING: 'hi there' } });
    const run = await gw.waitForResult(runId);
    assert.equal(gw.log(runId).toString(), 'args:2:one:two words\nenv:hi there\n');
    assert.equal(run.result?.exitCode, 0);
    assert.deepEqual(run.result?.tag, { kind: 'success', message: `${language} ok` });
    assert.equal(run.result?.failure, null);
    assert.equal(run.result?.logBytes, 'args:2:one:two words\nenv:hi there\n'.length);
    assert.deepEqual(run.states, ['running']);
  });
}

test('job_fail sets a fail tag and exits 1; a plain failure has no tag', async () => {
  const failed = gw.dispatch(agentId, { script: 'echo before\njob_fail "disk full"\necho never' });
  const r = await gw.waitForResult(failed);
  assert.equal(r.result?.exitCode, 1);
  assert.deepEqual(r.result?.tag, { kind: 'fail', message: 'disk full' });
  assert.equal(gw.log(failed).toString(), 'before\n');
  const plain = gw.dispatch(agentId, { language: 'sh', script: 'echo oops >&2; exit 7' });
  const p = await gw.waitForResult(plain);
  assert.equal(p.result?.exitCode, 7);
  assert.equal(p.result?.tag, null);
  assert.equal(gw.log(plain).toString(), 'oops\n');
  assert.deepEqual([...p.chunks.values()].length > 0, true);
});

test('powershell fails clearly where pwsh is not installed', async () => {
  const runId = gw.dispatch(agentId, { language: 'powershell', script: 'Write-Output hi' });
  const run = await gw.waitForResult(runId);
  if (agent.facts.languages.includes('powershell')) {
    assert.equal(run.result?.exitCode, 0);
  } else {
    assert.equal(run.result?.failure?.code, 'LANGUAGE_UNAVAILABLE');
    assert.match(run.result?.failure?.message ?? '', /pwsh not installed/);
    assert.equal(run.result?.startedAt, null);
    assert.equal(run.result?.exitCode, null);
  }
});

test('bad parameters are refused before anything runs', async () => {
  const runId = gw.dispatch(agentId, { script: 'echo ran', params: `"unterminated` });
  const run = await gw.waitForResult(runId);
  assert.equal(run.result?.failure?.code, 'PARAMS_INVALID');
  assert.equal(gw.log(runId).length, 0);
});

test('non-UTF-8 bytes and multibyte characters split across chunks arrive intact', async () => {
  // chunkBytes is 3: "中" (e4 b8 ad) starts at byte 5 and is cut at offset 6.
  const runId = gw.dispatch(agentId, { script: `printf 'a\\377\\376\\200b'; printf '\\344\\270\\255\\346\\226\\207\\n'` });
  const run = await gw.waitForResult(runId);
  const expected = Buffer.from([0x61, 0xff, 0xfe, 0x80, 0x62, 0xe4, 0xb8, 0xad, 0xe6, 0x96, 0x87, 0x0a]);
  assert.deepEqual(gw.log(runId), expected);
  assert.deepEqual([...run.chunks.keys()].sort((a, b) => a - b), [0, 3, 6, 9]);
  assert.equal(gw.log(runId).subarray(5).toString('utf8'), '中文\n');
  assert.equal(run.result?.logBytes, 12);
});

test('a repeated run message does not run the script twice', async () => {
  const runId = gw.dispatch(agentId, { script: 'echo once' });
  gw.dispatch(agentId, { runId, script: 'echo once' });
  await gw.waitForResult(runId);
  gw.dispatch(agentId, { runId, script: 'echo once' });
  const again = gw.dispatch(agentId, { script: 'echo marker' });
  await gw.waitForResult(again);
  assert.equal(gw.log(runId).toString(), 'once\n');
  assert.deepEqual(gw.runs.get(runId)?.states, ['running']);
});
