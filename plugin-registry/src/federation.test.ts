import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requestToken } from './client.js';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { installVerified } from './install.js';
import { startRegistry, type RegistryHandle } from './registry.js';
import { generateOrgKey, signPackage } from './signing.js';
import { npmPublish, removeDir, tempDir, userTable, writePluginPackage } from './testing/fixtures.js';

describe('two registries: organisation A imports organisation B', () => {
  let work: string;
  let registryA: RegistryHandle;
  let registryB: RegistryHandle;
  let tokenA: string;
  let tokenB: string;
  let bClosed = false;
  const keyB = generateOrgKey('orgb');
  const trust = { keysFor: (org: string) => (org === 'orgb' ? [keyB.publicKey] : []) };

  before(async () => {
    work = await tempDir('fed');
    registryB = await startRegistry({ dataDir: join(work, 'b'), port: 0, ...userTable({ bob: { password: 'bob-password-1', publishScopes: ['@orgb'] }, 'orga-mirror': { password: 'mirror-password-1' } }) });
    registryA = await startRegistry({ dataDir: join(work, 'a'), port: 0, ...userTable({ alice: { password: 'alice-password-1', publishScopes: ['@orga', '@orgb'] } }) });
    tokenB = await requestToken(registryB.url, 'bob', 'bob-password-1');
    tokenA = await requestToken(registryA.url, 'alice', 'alice-password-1');
    const dir = await writePluginPackage(join(work, 'pkg'), { name: '@orgb/ping', version: '1.0.0' });
    await signPackage(dir, keyB);
    const r = await npmPublish(dir, registryB.url, tokenB);
    assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    await registryA.close();
    if (!bClosed) await registryB.close();
    await removeDir(work);
  });

  it('proxies B through an uplink added at run time, with B credentials kept by A', async () => {
    const mirrorToken = await requestToken(registryB.url, 'orga-mirror', 'mirror-password-1');
    const portBefore = registryA.port;
    await registryA.addUplink({ name: 'orgb', url: registryB.url, token: mirrorToken, scopes: ['@orgb'], maxAgeSeconds: 0 });
    assert.equal(registryA.port, portBefore);
    assert.deepEqual(registryA.remoteSources().map((s) => [s.name, s.token]), [['orgb', '***']]);
    const packument = await registryA.getPackument('@orgb/ping');
    assert.deepEqual(Object.keys(packument?.versions ?? {}), ['1.0.0']);
  });

  it('refuses local publishing into a scope imported from B', async () => {
    const dir = await writePluginPackage(join(work, 'shadow'), { name: '@orgb/shadow', version: '1.0.0' });
    const r = await npmPublish(dir, registryA.url, tokenA);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot be published to this registry \(it is imported from remote source "orgb"\)/);
  });

  it('warms A\'s cache at import and installs through A', async () => {
    const warm = await registryA.warmPackage('@orgb/ping');
    assert.deepEqual(warm.versions.map((v) => v.version), ['1.0.0']);
    await readFile(registryA.tarballPath('@orgb/ping', '1.0.0'));
    const installed = await installVerified({ registryUrl: registryA.url, token: tokenA, name: '@orgb/ping', version: '1.0.0', storeDir: join(work, 'store1'), trust });
    assert.equal(installed.signatureState, 'verified');
    assert.equal(installed.org, 'orgb');
  });

  it('refuses a version B published with files changed after signing', async () => {
    const dir = await writePluginPackage(join(work, 'pkg2'), { name: '@orgb/ping', version: '1.0.1' });
    await signPackage(dir, keyB);
    await writeFile(join(dir, 'dist', 'index.js'), 'export default { execute: () => ({ greeting: "pwned" }) };\n');
    const r = await npmPublish(dir, registryB.url, tokenB);
    assert.equal(r.code, 0, r.stderr);
    await assert.rejects(
      installVerified({ registryUrl: registryA.url, token: tokenA, name: '@orgb/ping', version: '1.0.1', storeDir: join(work, 'store2'), trust }),
      (e: unknown) => e instanceof RegistryError && e.code === RegistryErrorCode.ContentChanged,
    );
  });

  it('keeps serving the imported plugin from cache after B goes down', async () => {
    await registryB.close();
    bClosed = true;
    const installed = await installVerified({ registryUrl: registryA.url, token: tokenA, name: '@orgb/ping', version: '1.0.0', storeDir: join(work, 'store3'), trust });
    assert.equal(installed.signatureState, 'verified');
    assert.match(await readFile(join(installed.dir, 'dist', 'index.js'), 'utf8'), /greeting/);
    assert.ok((await registryA.listPackages()).some((p) => p.name === '@orgb/ping' && !p.local));
  });
});
