import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './cli.js';

const root = mkdtempSync(join(tmpdir(), 'opsloom-sdk-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(argv, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

test('init scaffolds a TypeScript plugin whose own test passes in the sandbox', async () => {
  const dir = join(root, 'greeter');
  const init = await cli('init', dir, '--name', '@acme/greeter');
  assert.equal(init.code, 0);
  // The SDK comes from this checkout, not a registry: the hint says how the package gets it.
  const sdkDir = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
  assert.match(init.out, new RegExp(`\nnext: cd ${dir} && npm install --save-dev ${sdkDir} && npm install && npx opsloom-plugin test$`));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; keywords: string[] };
  assert.equal(pkg.name, '@acme/greeter');
  assert.deepEqual(pkg.keywords, ['opsloom-plugin']);
  assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /^# @acme\/greeter\n\nGreets someone/);
  const r = await cli('test', dir);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /ok - greets by name\nok - an empty name fails with its own code\n2 passed, 0 failed/);
  assert.match(readFileSync(join(dir, 'dist/plugin.js'), 'utf8'), /var __opsloomPlugin =/);
});

test('init --mode poll scaffolds a remote-job plugin with execute, poll and cancel whose cases, a cancel one among them, pass', async () => {
  const dir = join(root, 'remote-job');
  assert.equal((await cli('init', dir, '--mode', 'poll')).code, 0);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { opsloom: { plugin: { mode: string; capabilities: string[] } } };
  assert.equal(pkg.opsloom.plugin.mode, 'poll');
  assert.deepEqual(pkg.opsloom.plugin.capabilities, ['log', 'http:https://jobs.example.com']);
  assert.match(readFileSync(join(dir, 'src/plugin.ts'), 'utf8'), /async cancel\(state, ctx\)/);
  assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /\*\*Cancel:\*\* when the task is revoked, the node is forced to fail or its attempt times out/);
  const r = await cli('test', dir);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /ok - poll waits while the job runs\n.*\n.*\nok - cancel stops the job\n.*\n6 passed, 0 failed/);
  const wrong = await cli('init', join(root, 'cb'), '--mode', 'callback');
  assert.deepEqual(wrong, { code: 1, out: 'error: init scaffolds --mode sync or poll, not "callback"; a callback plugin starts from the poll one' });
});

test('a failing expectation, a host fixture and an undeclared capability are reported', async () => {
  const dir = join(root, 'cmdb');
  await cli('init', dir);
  const pkgPath = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { opsloom: { plugin: { capabilities: string[]; outputs: unknown } } };
  pkg.opsloom.plugin.capabilities = ['cmdb.read', 'http:https://api.example.com'];
  pkg.opsloom.plugin.outputs = { type: 'object' };
  (pkg.opsloom.plugin as Record<string, unknown>).inputs = { type: 'object' };
  writeFileSync(pkgPath, JSON.stringify(pkg));
  writeFileSync(join(dir, 'src/plugin.ts'), `import { definePlugin, host } from '@opsloom/plugin-sdk';
export default definePlugin({
  async execute() {
    const hosts = await host.cmdb.read({ set: 'web' });
    const api = (await host.http.fetch('https://api.example.com/v1/status')).json();
    let secret = 'none';
    try { secret = await host.secrets.read('root'); } catch (e) { secret = (e as { code: string }).code; }
    return { hosts, api, secret };
  },
});
`);
  writeFileSync(join(dir, 'plugin.test.json'), JSON.stringify({ cases: [
    { name: 'reads the cmdb', fixtures: { 'cmdb.read': ['10.0.0.1'], http: { 'https://api.example.com/v1/status': { body: '{"up":true}' } } },
      expect: { status: 'done', outputs: { hosts: ['10.0.0.1'], api: { up: true }, secret: 'CAPABILITY_DENIED' } } },
    { name: 'expects the wrong thing', fixtures: { 'cmdb.read': [], http: { 'https://api.example.com/v1/status': { body: '{}' } } }, expect: { status: 'done', outputs: { hosts: ['x'] } } },
  ] }));
  const r = await cli('test', dir);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /ok - reads the cmdb/);
  assert.match(r.out, /FAIL - expects the wrong thing\n {4}outputs: expected/);
  assert.match(r.out, /1 passed, 1 failed/);
});

test('build refuses a plugin importing Node modules, and an invalid manifest names the field', async () => {
  const dir = join(root, 'node-user');
  await cli('init', dir);
  writeFileSync(join(dir, 'src/plugin.ts'), `import { readFileSync } from 'node:fs';\nexport default { execute() { return { x: readFileSync('/etc/passwd', 'utf8') }; } };\n`);
  const r = await cli('build', dir);
  assert.equal(r.code, 1);
  assert.match(r.out, /esbuild failed/);
  const pkgPath = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { opsloom: { plugin: { mode: string } } };
  pkg.opsloom.plugin.mode = 'eventually';
  writeFileSync(pkgPath, JSON.stringify(pkg));
  const bad = await cli('build', dir);
  assert.match(bad.out, /opsloom\.plugin\.mode: must be "sync", "poll" or "callback"/);
});

test('init refuses a non-empty directory', async () => {
  const again = await cli('init', join(root, 'greeter'));
  assert.equal(again.code, 1);
  assert.match(again.out, /is not empty/);
});
