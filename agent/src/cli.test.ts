import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCliArgs } from './cli-args.js';
import { TestGateway } from './test-support/test-gateway.js';
import { tempDir } from './test-support/fixtures.js';

const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
let gw: TestGateway;
const dir = tempDir('cli');

before(async () => {
  gw = await TestGateway.start();
});
after(async () => {
  await gw.close();
  dir.remove();
});

test('flags and a config file are read; flags win; mistakes name the flag', () => {
  const config = join(dir.path, 'agent.json');
  writeFileSync(config, JSON.stringify({ server: 'ws://file/agent/v1', stateDir: '/s', cloudArea: 4, maxConcurrent: 3 }));
  const c = parseCliArgs(['--config', config, '--server', 'ws://flag/agent/v1', '--ip', '10.1.2.3'], {});
  assert.equal(c.kind, 'run');
  if (c.kind === 'run') assert.deepEqual(c.options, { server: 'ws://flag/agent/v1', stateDir: '/s', cloudArea: 4, maxConcurrent: 3, ip: '10.1.2.3' });
  const s = parseCliArgs(['swarm', '--count', '10', '--server', 'ws://x/agent/v1', '--state-dir', '/s'], { OPSLOOM_ENROL_TOKEN: 'T' });
  assert.equal(s.kind, 'swarm');
  if (s.kind === 'swarm') assert.deepEqual(s.options, { server: 'ws://x/agent/v1', stateDir: '/s', enrolToken: 'T', count: 10 });
  assert.throws(() => parseCliArgs(['--server', 'ws://x', '--state-dir', '/s', '--cloud-area', 'two'], {}), /--cloud-area must be an integer/);
  assert.throws(() => parseCliArgs(['--state-dir', '/s'], {}), /--server is required/);
  assert.throws(() => parseCliArgs(['swarm', '--server', 'ws://x', '--state-dir', '/s'], {}), /--count/);
  assert.throws(() => parseCliArgs(['--bogus'], {}), { code: 'CONFIG_INVALID' });
  assert.deepEqual(parseCliArgs(['--help'], {}), { kind: 'help' });
});

test('the opsloom-agent command enrols, comes online and stops on SIGTERM', async () => {
  const stateDir = join(dir.path, 'state');
  const child = spawn(process.execPath, [cli, '--server', gw.url, '--enrol-token', 'test-token', '--state-dir', stateDir, '--cloud-area', '5', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const online = await gw.waitForOnline();
  assert.equal(online.facts.cloudArea, 5);
  assert.equal(statSync(join(stateDir, 'identity.json')).mode & 0o777, 0o600);
  const runId = gw.dispatch(online.agentId, { language: 'python3', script: 'print("from cli")' });
  await gw.waitForResult(runId);
  assert.equal(gw.log(runId).toString(), 'from cli\n');
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
});

test('a bad command line exits 2 with the reason', async () => {
  const child = spawn(process.execPath, [cli, '--server', 'http://nope', '--state-dir', join(dir.path, 'x'), '--enrol-token', 't'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 2);
  assert.match(stderr, /CONFIG_INVALID: server must use ws:\/\/ or wss:\/\//);
});
