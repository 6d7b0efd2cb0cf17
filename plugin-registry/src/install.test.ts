import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync, gunzipSync } from 'node:zlib';
import { requestToken } from './client.js';
import { RegistryError, RegistryErrorCode } from './errors.js';
import { installVerified, type InstallVerifiedOptions } from './install.js';
import { startRegistry, type RegistryHandle } from './registry.js';
import { generateOrgKey, signPackage } from './signing.js';
import { npmPublish, removeDir, tempDir, userTable, validManifest, writePluginPackage } from './testing/fixtures.js';

function rejectsWith(code: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof RegistryError, String(e));
    assert.equal(e.code, code, e.message);
    return true;
  };
}

describe('signing and verified install from a real registry', () => {
  let dataDir: string;
  let work: string;
  let registry: RegistryHandle;
  let token: string;
  const orgKey = generateOrgKey('orga');
  const otherKey = generateOrgKey('orga');
  const trust = { keysFor: (org: string) => (org === 'orga' ? [orgKey.publicKey] : []) };
  const refusals: string[] = [];
  let base: Omit<InstallVerifiedOptions, 'name' | 'version'>;

  async function publishSigned(name: string, version: string, key = orgKey, afterSign?: (dir: string) => Promise<void>): Promise<void> {
    const dir = await writePluginPackage(join(work, `${name.replace('/', '_')}-${version}`), { name, version });
    await signPackage(dir, key);
    if (afterSign) await afterSign(dir);
    const r = await npmPublish(dir, registry.url, token);
    assert.equal(r.code, 0, r.stderr);
  }

  before(async () => {
    dataDir = await tempDir('data');
    work = await tempDir('work');
    registry = await startRegistry({ dataDir, port: 0, ...userTable({ alice: { password: 'alice-password-1', publishScopes: ['@orga'] } }) });
    token = await requestToken(registry.url, 'alice', 'alice-password-1');
    base = { registryUrl: registry.url, token, storeDir: join(work, 'store'), trust, logger: { warn: (_o, msg) => refusals.push(msg) } };
    const unsignedDir = await writePluginPackage(join(work, 'unsigned'), { name: '@orga/unsigned', version: '1.0.0' });
    // Different packages publish in parallel; versions of one package go one after another.
    await Promise.all([
      (async () => {
        await publishSigned('@orga/good', '1.0.0');
        await publishSigned('@orga/good', '1.1.0');
      })(),
      publishSigned('@orga/wrongkey', '1.0.0', otherKey),
      publishSigned('@orga/manifest', '1.0.0', orgKey, async (dir) => {
        const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { opsloom: { plugin: Record<string, unknown> } };
        pkg.opsloom.plugin = validManifest({ capabilities: ['cmdb.read'] });
        await writeFile(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
      }),
      publishSigned('@orga/content', '1.0.0', orgKey, async (dir) => {
        await writeFile(join(dir, 'dist', 'index.js'), 'export default { execute: () => { steal(); } };\n');
      }),
      (async () => assert.equal((await npmPublish(unsignedDir, registry.url, token)).code, 0))(),
    ]);
  });

  after(async () => {
    await registry.close();
    await removeDir(dataDir);
    await removeDir(work);
  });

  it('installs a signed plugin into the content-addressed store', async () => {
    const installed = await installVerified({ ...base, name: '@orga/good', version: '1.0.0' });
    assert.equal(installed.signatureState, 'verified');
    assert.equal(installed.org, 'orga');
    assert.equal(installed.version, '1.0.0');
    assert.equal(installed.manifest.entry, 'dist/index.js');
    const packument = await registry.getPackument('@orga/good');
    assert.equal(installed.integrity, (packument?.versions['1.0.0'].dist as { integrity: string }).integrity);
    const hex = Buffer.from(installed.integrity.slice(7), 'base64').toString('hex');
    assert.equal(installed.dir, join(base.storeDir, hex, 'package'));
    assert.match(await readFile(join(installed.dir, 'dist', 'index.js'), 'utf8'), /greeting/);
    // Installing again reuses the verified directory.
    assert.equal((await installVerified({ ...base, name: '@orga/good', version: 'latest' })).version, '1.1.0');
    assert.equal((await installVerified({ ...base, name: '@orga/good', version: '1.0.0' })).dir, installed.dir);
  });

  it('refuses a tarball altered in the registry storage', async () => {
    const path = registry.tarballPath('@orga/good', '1.1.0');
    const raw = gunzipSync(await readFile(path));
    const at = raw.indexOf('greeting');
    raw.write('GREETING', at);
    await writeFile(path, gzipSync(raw));
    await assert.rejects(installVerified({ ...base, name: '@orga/good', version: '1.1.0', storeDir: join(work, 'store2') }), rejectsWith(RegistryErrorCode.IntegrityMismatch));
    assert.ok(refusals.some((m) => m.includes('does not match the registry\'s dist.integrity')));
  });

  it('refuses a signature by a key the trust store does not hold', async () => {
    await assert.rejects(installVerified({ ...base, name: '@orga/wrongkey', version: '1.0.0' }), rejectsWith(RegistryErrorCode.SignatureInvalid));
    // An admin approval of unsigned packages never overrides a wrong signature.
    await assert.rejects(installVerified({ ...base, name: '@orga/wrongkey', version: '1.0.0', allowUnsigned: true }), rejectsWith(RegistryErrorCode.SignatureInvalid));
  });

  it('refuses a manifest changed after signing', async () => {
    await assert.rejects(installVerified({ ...base, name: '@orga/manifest', version: '1.0.0' }), rejectsWith(RegistryErrorCode.ManifestChanged));
  });

  it('refuses files changed after signing', async () => {
    await assert.rejects(installVerified({ ...base, name: '@orga/content', version: '1.0.0' }), rejectsWith(RegistryErrorCode.ContentChanged));
  });

  it('installs an unsigned package only with explicit approval', async () => {
    await assert.rejects(installVerified({ ...base, name: '@orga/unsigned', version: '1.0.0' }), rejectsWith(RegistryErrorCode.Unsigned));
    const approved = await installVerified({ ...base, name: '@orga/unsigned', version: '1.0.0', allowUnsigned: true });
    assert.equal(approved.signatureState, 'unsigned-approved');
    assert.deepEqual([approved.org, approved.claimedOrg], [undefined, undefined]);
  });

  it('refuses an untrusted organisation unless approved', async () => {
    const none = { keysFor: () => [] };
    await assert.rejects(installVerified({ ...base, trust: none, name: '@orga/good', version: '1.0.0' }), rejectsWith(RegistryErrorCode.UntrustedOrganisation));
    const approved = await installVerified({ ...base, trust: none, name: '@orga/good', version: '1.0.0', allowUnsigned: true });
    assert.equal(approved.signatureState, 'unsigned-approved');
    // The signature names orga, but no key of orga verified it: a claim, never the organisation.
    assert.deepEqual([approved.org, approved.claimedOrg], [undefined, 'orga']);
  });

  it('reports unknown packages and versions as not found', async () => {
    await assert.rejects(installVerified({ ...base, name: '@orga/none', version: '1.0.0' }), rejectsWith(RegistryErrorCode.NotFound));
    await assert.rejects(installVerified({ ...base, name: '@orga/good', version: '9.0.0' }), rejectsWith(RegistryErrorCode.NotFound));
  });
});
