import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateOrgKey, requestToken, signPackage, startRegistry, type RegistryHandle } from '@opsloom/plugin-registry';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { end, flows, graph, start, task } from '../test-support/flow-helpers.js';
import { npmPublish, writePlugin } from './test-support/registry-test-kit.js';

// These tests need an empty catalog: no standard plugins or demo project from the first-start bootstrap.
process.env.OPSLOOM_BOOTSTRAP = 'off';

const enc = encodeURIComponent;
type Json = Record<string, unknown>;

/**
 * Two organisations on one machine: B runs its own registry and signs its plugins; A (a real
 * Opsloom server with the embedded registry) trusts B's key, imports B's plugin through a remote
 * source, runs it, refuses a tampered version, and keeps running it after B goes down.
 */
describe('remote import from another organisation\'s registry', () => {
  let a: TestServer;
  let b: RegistryHandle;
  let bOpen = true;
  let work: string;
  let bobToken: string;
  let f: ReturnType<typeof flows>;
  const keyB = generateOrgKey('orgb');
  const usersB: Record<string, string> = { bob: 'bob-password-1', mirror: 'mirror-password-1' };
  const install = (version: string) => a.admin.call<{ plugin: Json; approval: Json } & Json>('POST', `/api/v1/marketplace/plugins/${enc('@orgb/pinger')}/versions/${version}/install`, {});
  const pinger = graph('pinger', [start(), task('p', '@orgb/pinger', { times: 1 }), end()], [['start', 'p'], ['p', 'end']]);

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'opsloom-remote-'));
    b = await startRegistry({
      dataDir: join(work, 'orgb'), port: 0,
      authenticate: async (u, p) => (Object.hasOwn(usersB, u) && usersB[u] === p ? { groups: [] } : null),
      allowPublish: async (u, pkg) => u === 'bob' && pkg.startsWith('@orgb/'),
    });
    bobToken = await requestToken(b.url, 'bob', usersB.bob!);
    const dir = await writePlugin(join(work, 'pinger-1.0.0'), { name: '@orgb/pinger', version: '1.0.0', title: 'Pinger', category: 'network' });
    await signPackage(dir, keyB);
    const r = await npmPublish(dir, b.url, bobToken);
    assert.equal(r.code, 0, r.stderr);

    a = await startTestServer({ OPSLOOM_REGISTRY: 'embedded', OPSLOOM_REGISTRY_PORT: '0' });
    assert.equal((await a.admin.call('POST', '/api/v1/projects', { key: 'ops', name: 'Ops' })).status, 201);
    f = flows(a.admin, 'ops');
  });
  after(async () => {
    await a.close();
    if (bOpen) await b.close();
    await rm(work, { recursive: true, force: true });
  });

  test('B\'s registry is added as a remote source with its credentials sealed, and B\'s key is pinned', async () => {
    const mirrorToken = await requestToken(b.url, 'mirror', usersB.mirror!);
    const added = await a.admin.call<Json>('POST', '/api/v1/projects/ops/registry/sources', { name: 'orgb', url: b.url, token: mirrorToken, scopes: ['@orgb'], maxAgeSeconds: 0 });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.hasToken, true);
    assert.equal(JSON.stringify(added.body).includes(mirrorToken), false);
    const row = await a.ops.db('registry_remote_sources').where({ name: 'orgb' }).first();
    assert.match(String(row.token_sealed), /^v1:/);
    assert.equal(String(row.token_sealed).includes(mirrorToken), false);
    const own = await a.admin.call<Json>('POST', '/api/v1/projects/ops/registry/sources', { name: 'mine', url: b.url, scopes: ['@ops'] });
    assert.equal(own.status, 400);

    const trusted = await a.admin.call<Json>('POST', '/api/v1/registry/trust', { org: 'orgb', publicKey: keyB.publicKey });
    assert.equal(trusted.status, 201);
    assert.equal(trusted.body.keyId, keyB.keyId);
    assert.equal(trusted.body.pinned, true);
  });

  test('an imported plugin appears in the marketplace marked with its organisation, installs verified and runs', async () => {
    const imported = await a.admin.call<{ items: Json[] }>('POST', '/api/v1/projects/ops/registry/sources/orgb/import', { package: '@orgb/pinger' });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    const search = await a.admin.call<{ items: Json[] }>('GET', '/api/v1/marketplace/plugins?org=orgb');
    assert.deepEqual(search.body.items.map((i) => [i.name, i.origin, i.remote, (i.signature as Json).state]), [['@orgb/pinger', 'orgb', true, 'trusted']]);

    const r = await install('1.0.0');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.plugin.signatureState, 'verified');
    assert.equal(r.body.plugin.org, 'orgb');
    assert.equal((await a.admin.call('POST', `/api/v1/plugins/${enc('@orgb/pinger')}/versions/1.0.0/approve`, { integrity: r.body.plugin.integrity })).status, 200);
    assert.equal((await f.waitState(await f.run(pinger), 'finished')).nodes.p!.state, 'finished');
  });

  test('a version B published with files changed after signing is refused', async () => {
    const dir = await writePlugin(join(work, 'pinger-1.0.1'), { name: '@orgb/pinger', version: '1.0.1', title: 'Pinger', category: 'network' });
    await signPackage(dir, keyB);
    await writeFile(join(dir, 'dist', 'plugin.js'), 'var __opsloomPlugin = definePlugin({ execute() { return { ticks: 666 }; } });\n');
    const r = await npmPublish(dir, b.url, bobToken);
    assert.equal(r.code, 0, r.stderr);
    const refused = await install('1.0.1');
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'plugin_content_changed');
    const versions = await a.admin.call<{ items: Json[] }>('GET', '/api/v1/plugins');
    assert.deepEqual(versions.body.items.filter((p) => p.name === '@orgb/pinger').map((p) => p.version), ['1.0.0']);
  });

  test('with B down, the imported plugin still installs from the cache and runs', async () => {
    await b.close();
    bOpen = false;
    const again = await install('1.0.0');
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.plugin.signatureState, 'verified');
    assert.equal((await f.waitState(await f.run(pinger), 'finished')).nodes.p!.state, 'finished');
  });

  test('unpinning B\'s key marks its plugins untrusted and refuses installs without an explicit approval', async () => {
    const pin = await a.admin.call<Json>('POST', `/api/v1/registry/trust/orgb/keys/${keyB.keyId}/pin`, { pinned: false });
    assert.equal(pin.status, 200);
    const search = await a.admin.call<{ items: Json[] }>('GET', '/api/v1/marketplace/plugins?claimedOrg=orgb');
    assert.deepEqual(search.body.items.map((i) => [i.name, i.org, i.claimedOrg, (i.signature as Json).state]), [['@orgb/pinger', null, 'orgb', 'untrusted']]);
    assert.equal((await a.admin.call<{ total: number }>('GET', '/api/v1/marketplace/plugins?org=orgb')).body.total, 0);
    const refused = await install('1.0.0');
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'plugin_untrusted_org');
    const own = await a.admin.call<{ items: Json[] }>('GET', '/api/v1/registry/trust?org=opsloom');
    const removeOwn = await a.admin.call<Json>('DELETE', `/api/v1/registry/trust/opsloom/keys/${String(own.body.items[0]!.keyId)}`);
    assert.equal(removeOwn.status, 409);
  });
});
