import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installVerified, requestToken, startRegistry, type RegistryHandle } from '@opsloom/plugin-registry';
import { main } from './cli.js';

const root = mkdtempSync(join(tmpdir(), 'opsloom-sdk-publish-'));
let registry: RegistryHandle;

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(argv, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

before(async () => {
  registry = await startRegistry({
    dataDir: join(root, 'registry'), port: 0,
    authenticate: async (u, p) => (u === 'author' && p === 'author-password-1' ? { groups: [] } : null),
    allowPublish: async (u, pkg) => u === 'author' && pkg.startsWith('@acme/'),
  });
});
after(async () => {
  await registry.close();
  rmSync(root, { recursive: true, force: true });
});

test('keygen, then publish builds, signs and publishes; the package installs as verified by that organisation', async () => {
  const keyFile = join(root, 'acme.key');
  const k = await cli('keygen', 'acme', '--out', keyFile);
  assert.equal(k.code, 0, k.out);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const publicKey = /(-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----)/.exec(k.out)![1]!;
  await assert.rejects(cli('keygen', 'acme', '--out', keyFile), /EEXIST/, 'an existing key is never overwritten');

  const dir = join(root, 'greeter');
  assert.equal((await cli('init', dir, '--name', '@acme/greeter')).code, 0);
  const token = await requestToken(registry.url, 'author', 'author-password-1');
  writeFileSync(join(dir, '.npmrc'), `//${new URL(registry.url).host}/:_authToken=${token}\n`);
  const p = await cli('publish', dir, '--org', 'acme', '--key', keyFile, '--registry', registry.url);
  assert.equal(p.code, 0, p.out);
  assert.match(readFileSync(join(dir, 'package.json'), 'utf8'), /"signature"/);

  const base = { registryUrl: registry.url, token, storeDir: join(root, 'store'), name: '@acme/greeter', version: '0.1.0' };
  const installed = await installVerified({ ...base, trust: { keysFor: (org: string) => (org === 'acme' ? [publicKey] : []) } });
  assert.equal(installed.signatureState, 'verified');
  assert.equal(installed.org, 'acme');
  await assert.rejects(installVerified({ ...base, storeDir: join(root, 'store2'), trust: { keysFor: () => [] } }));
});

test('publish without the organisation key is refused with the usage', async () => {
  const r = await cli('publish', join(root, 'nowhere'));
  assert.equal(r.code, 1);
  assert.match(r.out, /publish needs your organisation and its key/);
});
