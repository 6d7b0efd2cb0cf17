import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateOrgKey, requestToken, signFiles, signPackage } from '@opsloom/plugin-registry';
import { SecretCipher } from '../secrets/secret-cipher.js';
import { TEST_ADMIN_PASSWORD, startTestServer, type TestServer } from '../test-support/test-server.js';
import { end, flows, graph, start, task } from '../test-support/flow-helpers.js';
import { registryAuth } from './publish-rights.js';
import { ReaderIdentity } from './reader-identity.js';
import { RegistryStateStore } from './registry-state-store.js';
import { eventually, npmPublish, writePlugin } from './test-support/registry-test-kit.js';

// These tests need an empty catalog: no standard plugins or demo project from the first-start bootstrap.
process.env.OPSLOOM_BOOTSTRAP = 'off';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const enc = encodeURIComponent;
type Json = Record<string, unknown>;

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--no-node-snapshot', CLI, ...args], { env: { PATH: process.env.PATH!, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** An author publishes with plain npm; an operator finds, installs, approves, runs, disables and re-enables it. */
describe('marketplace: publish with npm, install, approve, run, disable', () => {
  let s: TestServer;
  let work: string;
  let registryUrl: string;
  let authorToken: string;
  let f: ReturnType<typeof flows>;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'opsloom-market-'));
    s = await startTestServer({ OPSLOOM_REGISTRY: 'embedded', OPSLOOM_REGISTRY_PORT: '0' });
    assert.equal((await s.admin.call('POST', '/api/v1/projects', { key: 'acme', name: 'Acme' })).status, 201);
    for (const [username, role] of [['author', 'developer'], ['watcher', 'viewer']] as const) {
      assert.equal((await s.admin.call('POST', '/api/v1/users', { username, password: `${username}-password-1` })).status, 201);
      assert.equal((await s.admin.call('PUT', `/api/v1/projects/acme/members/${username}`, { role })).status, 200);
    }
    const info = await s.admin.call<{ url: string; mode: string; scopes: string[] }>('GET', '/api/v1/registry');
    assert.equal(info.body.mode, 'embedded');
    assert.deepEqual(info.body.scopes, ['@opsloom', '@acme']);
    registryUrl = info.body.url;
    authorToken = await requestToken(registryUrl, 'author', 'author-password-1');
    f = flows(s.admin, 'acme');
  });
  after(async () => {
    await s.close();
    await rm(work, { recursive: true, force: true });
  });

  test('a plain npm publish by a project developer appears in the catalog', async () => {
    const dir = await writePlugin(join(work, 'ticker-1.0.0'), { name: '@acme/ticker', version: '1.0.0', keywords: ['opsloom-plugin', 'heartbeat'] });
    const r = await npmPublish(dir, registryUrl, authorToken);
    assert.equal(r.code, 0, r.stderr);
    const hit = await eventually(async () => {
      const res = await s.admin.call<{ items: Json[]; total: number }>('GET', '/api/v1/marketplace/plugins?q=heartbeat');
      return res.body.items.find((i) => i.name === '@acme/ticker');
    }, '@acme/ticker in the catalog');
    assert.equal(hit.version, '1.0.0');
    assert.equal(hit.origin, 'local');
    assert.deepEqual(hit.signature, { state: 'unsigned', org: null, keyId: null });

    const byCategory = await s.admin.call<{ items: Json[] }>('GET', '/api/v1/marketplace/plugins?category=demo&runtime=isolate');
    assert.deepEqual(byCategory.body.items.map((i) => i.name), ['@acme/ticker']);
    const none = await s.admin.call<{ items: Json[]; total: number }>('GET', '/api/v1/marketplace/plugins?capability=agent.execute');
    assert.equal(none.body.total, 0);
    const detail = await s.admin.call<Json & { versions: Json[] }>('GET', `/api/v1/marketplace/plugins/${enc('@acme/ticker')}`);
    assert.match(String(detail.body.readme), /Counts polls/);
    assert.deepEqual((detail.body.inputs as Json).type, 'object');
    assert.deepEqual(detail.body.versions.map((v) => [v.version, v.installed]), [['1.0.0', null]]);
  });

  test('publish rights follow Opsloom roles and the manifest is checked at publish', async () => {
    const viewerToken = await requestToken(registryUrl, 'watcher', 'watcher-password-1');
    const byViewer = await npmPublish(await writePlugin(join(work, 'viewer'), { name: '@acme/sneaky', version: '1.0.0' }), registryUrl, viewerToken);
    assert.notEqual(byViewer.code, 0);
    assert.match(byViewer.stderr, /may not publish @acme\/sneaky/);
    // The rule itself, through the same bridge Verdaccio calls, without an npm run per case.
    const { auth, projects } = s.ops.services;
    const bridge = registryAuth({ auth, projects, reader: await ReaderIdentity.load(new RegistryStateStore(s.ops.db), SecretCipher.load(s.ops.config, 'registry-credentials')) });
    assert.equal(await bridge.allowPublish('author', '@acme/anything'), true);
    assert.equal(await bridge.allowPublish('author', '@opsloom/fake'), false);
    assert.equal(await bridge.allowPublish('admin', '@opsloom/fake'), true);
    assert.equal(await bridge.allowPublish('author', 'unscoped'), false);
    assert.equal(await bridge.allowPublish('author', '@nobody/x'), false);
    assert.equal(await bridge.allowPublish('watcher', '@acme/x'), false);
    assert.equal(await bridge.authenticate('author', 'wrong-password'), null);
    assert.deepEqual(await bridge.authenticate('admin', TEST_ADMIN_PASSWORD), { groups: ['opsloom-admin'] });
    const broken = await npmPublish(await writePlugin(join(work, 'broken'), { name: '@acme/broken', version: '1.0.0', opsloom: null }), registryUrl, authorToken);
    assert.notEqual(broken.code, 0);
    assert.match(broken.stderr, /opsloom/);
    const search = await s.admin.call<{ total: number }>('GET', '/api/v1/marketplace/plugins?allVersions=true');
    assert.equal(search.body.total, 1);
  });

  test('an unsigned version installs only with an administrator\'s explicit approval', async () => {
    const path = `/api/v1/marketplace/plugins/${enc('@acme/ticker')}/versions/1.0.0/install`;
    const refused = await s.admin.call<Json>('POST', path, {});
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'plugin_unsigned');
    const author = await s.anonymous.call<{ token: string }>('POST', '/api/v1/auth/login', { username: 'author', password: 'author-password-1' });
    assert.equal((await s.admin.call('POST', path, { allowUnsigned: true }, author.body.token)).status, 403);

    const ok = await s.admin.call<{ plugin: Json; approval: Json }>('POST', path, { allowUnsigned: true });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.plugin.signatureState, 'unsigned-approved');
    assert.equal(ok.body.approval.state, 'required');
    // Not approved yet: a task using it is refused.
    const g = graph('tick', [start(), task('t', '@acme/ticker', { times: 1 }), end()], [['start', 't'], ['t', 'end']]);
    const tpl = await f.template(g);
    const refusedTask = await s.admin.call<Json>('POST', '/api/v1/projects/acme/tasks', { templateId: tpl });
    assert.equal(refusedTask.status, 409);
    assert.match(String(refusedTask.body.detail), /approve its capabilities/);
  });

  test('approved and enabled, it runs in a flow; disabled, new tasks are refused and running nodes fail', async () => {
    const ref = `/api/v1/plugins/${enc('@acme/ticker')}/versions/1.0.0`;
    const { integrity } = (await s.admin.call<{ integrity: string }>('GET', ref)).body;
    assert.equal((await s.admin.call('POST', `${ref}/approve`, { integrity })).status, 200);
    assert.equal((await s.admin.call('POST', `${ref}/status`, { status: 'online' })).status, 200);
    const quick = graph('tick', [start(), task('t', '@acme/ticker', { times: 2, delayMs: 5 }, { outputs: { ticks: 'ticks' } }), end()], [['start', 't'], ['t', 'end']]);
    const done = await f.waitState(await f.run(quick), 'finished');
    assert.equal(done.nodes.t!.state, 'finished');

    const quickTemplate = await f.template(quick);
    const slow = graph('slow', [start(), task('t', '@acme/ticker', { times: 10_000, delayMs: 50 }), end()], [['start', 't'], ['t', 'end']]);
    const running = await f.run(slow);
    await f.waitNode(running, 't', 'running');
    assert.equal((await s.admin.call('POST', `${ref}/status`, { status: 'disabled' })).status, 200);
    const failed = await f.waitFor(running, (t) => t.nodes.t?.state === 'failed', 'node t failed');
    assert.match(String(failed.nodes.t!.error), /disabled by an operator/);
    const refused = await s.admin.call<Json>('POST', '/api/v1/projects/acme/tasks', { templateId: quickTemplate });
    assert.ok(refused.status >= 400 && refused.status < 500, JSON.stringify(refused.body));
    assert.match(String(refused.body.detail), /no runnable version|disabled/);
    await s.admin.call('POST', `/api/v1/projects/acme/tasks/${running}/revoke`);

    assert.equal((await s.admin.call('POST', `${ref}/status`, { status: 'online' })).status, 200);
    assert.equal((await f.waitState(await f.run(quick), 'finished')).nodes.t!.state, 'finished');
  });

  test('a version asking for no more capabilities inherits the approval; one asking for more needs a fresh one', async () => {
    for (const [version, capabilities] of [['1.1.0', []], ['1.2.0', ['notify.send']]] as const) {
      const dir = await writePlugin(join(work, `ticker-${version}`), { name: '@acme/ticker', version, capabilities: [...capabilities] });
      const r = await npmPublish(dir, registryUrl, authorToken);
      assert.equal(r.code, 0, r.stderr);
    }
    await eventually(async () => ((await s.admin.call<{ total: number }>('GET', `/api/v1/marketplace/plugins?capability=notify.send`)).body.total === 1 ? true : undefined), 'version 1.2.0 indexed');
    const install = (v: string) => s.admin.call<{ plugin: Json; approval: Json }>('POST', `/api/v1/marketplace/plugins/${enc('@acme/ticker')}/versions/${v}/install`, { allowUnsigned: true });
    const same = await install('1.1.0');
    assert.equal(same.body.approval.state, 'inherited');
    assert.deepEqual(same.body.plugin.approvedCapabilities, []);
    const more = await install('1.2.0');
    assert.equal(more.body.approval.state, 'required');
    assert.deepEqual(more.body.approval.added, ['notify.send']);
    assert.equal(more.body.plugin.approvedCapabilities, null);
    const detail = await s.admin.call<{ versions: Json[]; version: string }>('GET', `/api/v1/marketplace/plugins/${enc('@acme/ticker')}`);
    assert.equal(detail.body.version, '1.2.0');
    assert.deepEqual(detail.body.versions.map((v) => v.version), ['1.2.0', '1.1.0', '1.0.0']);
  });

  test('a version its organisation did not sign does not inherit the approval of one it signed', async () => {
    const signer = generateOrgKey('acme-signer');
    assert.equal((await s.admin.call('POST', '/api/v1/registry/trust', { org: 'acme-signer', publicKey: signer.publicKey })).status, 201);
    for (const version of ['1.0.0', '1.0.1']) {
      const dir = await writePlugin(join(work, `relay-${version}`), { name: '@acme/relay', version, capabilities: ['notify.send'] });
      if (version === '1.0.0') await signPackage(dir, signer);
      const r = await npmPublish(dir, registryUrl, authorToken);
      assert.equal(r.code, 0, r.stderr);
    }
    const path = (v: string) => `/api/v1/marketplace/plugins/${enc('@acme/relay')}/versions/${v}/install`;
    const signed = await s.admin.call<{ plugin: Json; approval: Json }>('POST', path('1.0.0'), { approve: true });
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    assert.deepEqual([signed.body.plugin.signatureState, signed.body.approval.state], ['verified', 'approved']);

    const unsigned = await s.admin.call<{ plugin: Json; approval: Json }>('POST', path('1.0.1'), { allowUnsigned: true });
    assert.equal(unsigned.status, 200, JSON.stringify(unsigned.body));
    assert.deepEqual(unsigned.body.approval, { state: 'required', capabilities: ['notify.send'], added: ['notify.send'], previous: null });
    assert.equal(unsigned.body.plugin.approvedCapabilities, null);
    assert.equal((await s.admin.call('DELETE', `/api/v1/registry/trust/acme-signer/keys/${signer.keyId}`)).status, 204);
  });

  test('a version disabled as an emergency stop does not hand its approval to the next one', async () => {
    for (const version of ['1.0.0', '1.0.1']) {
      const r = await npmPublish(await writePlugin(join(work, `beacon-${version}`), { name: '@acme/beacon', version, capabilities: ['notify.send'] }), registryUrl, authorToken);
      assert.equal(r.code, 0, r.stderr);
    }
    const path = (v: string) => `/api/v1/marketplace/plugins/${enc('@acme/beacon')}/versions/${v}/install`;
    const first = await s.admin.call<{ approval: Json }>('POST', path('1.0.0'), { allowUnsigned: true, approve: true });
    assert.equal(first.body.approval.state, 'approved', JSON.stringify(first.body));
    assert.equal((await s.admin.call('POST', `/api/v1/plugins/${enc('@acme/beacon')}/versions/1.0.0/status`, { status: 'disabled' })).status, 200);

    const next = await s.admin.call<{ plugin: Json; approval: Json }>('POST', path('1.0.1'), { allowUnsigned: true });
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.deepEqual(next.body.approval, { state: 'required', capabilities: ['notify.send'], added: ['notify.send'], previous: null });
    assert.equal(next.body.plugin.approvedCapabilities, null);
  });

  test('an install names the contents the operator reviewed: others are neither installed nor approved', async () => {
    const r = await npmPublish(await writePlugin(join(work, 'pledge'), { name: '@acme/pledge', version: '1.0.0', capabilities: ['notify.send'] }), registryUrl, authorToken);
    assert.equal(r.code, 0, r.stderr);
    const listed = await eventually(async () => (await s.admin.call<{ items: Json[] }>('GET', '/api/v1/marketplace/plugins?q=pledge')).body.items[0], '@acme/pledge in the catalog');
    const detail = await s.admin.call<{ versions: Json[] }>('GET', `/api/v1/marketplace/plugins/${enc('@acme/pledge')}`);
    assert.deepEqual(detail.body.versions.map((v) => [v.version, v.integrity]), [['1.0.0', listed.integrity]]);
    const path = `/api/v1/marketplace/plugins/${enc('@acme/pledge')}/versions/1.0.0/install`;

    // What the operator reviewed is not what the registry serves now.
    const reviewed = `sha512-${Buffer.alloc(64, 7).toString('base64')}`;
    const refused = await s.admin.call<Json>('POST', path, { allowUnsigned: true, approve: true, integrity: reviewed });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'plugin_review_outdated');
    assert.match(String(refused.body.detail), /serves @acme\/pledge@1\.0\.0 with other contents .* than those reviewed .* review it again/);
    assert.deepEqual([refused.body.reviewed, refused.body.served], [reviewed, listed.integrity]);
    assert.equal((await s.admin.call('GET', `/api/v1/plugins/${enc('@acme/pledge')}/versions/1.0.0`)).status, 404);

    const ok = await s.admin.call<{ plugin: Json; approval: Json }>('POST', path, { allowUnsigned: true, approve: true, integrity: listed.integrity });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual([ok.body.approval.state, ok.body.plugin.integrity, ok.body.plugin.approvedCapabilities], ['approved', listed.integrity, ['notify.send']]);
  });

  test('an organisation an untrusted signature names is shown as a claim, never as the organisation', async () => {
    const stranger = generateOrgKey('strangers');
    const dir = await writePlugin(join(work, 'envoy'), { name: '@acme/envoy', version: '1.0.0' });
    await signPackage(dir, stranger);
    const r = await npmPublish(dir, registryUrl, authorToken);
    assert.equal(r.code, 0, r.stderr);
    const listed = await eventually(async () => (await s.admin.call<{ items: Json[] }>('GET', '/api/v1/marketplace/plugins?q=envoy')).body.items[0], '@acme/envoy in the catalog');
    assert.deepEqual([listed.org, listed.claimedOrg, (listed.signature as Json).state], [null, 'strangers', 'untrusted']);

    const installed = await s.admin.call<{ plugin: Json }>('POST', `/api/v1/marketplace/plugins/${enc('@acme/envoy')}/versions/1.0.0/install`, { allowUnsigned: true });
    assert.equal(installed.status, 200, JSON.stringify(installed.body));
    const view = (await s.admin.call<Json>('GET', `/api/v1/plugins/${enc('@acme/envoy')}/versions/1.0.0`)).body;
    for (const p of [installed.body.plugin, view]) assert.deepEqual([p.org, p.claimedOrg, p.signatureState], [null, 'strangers', 'unsigned-approved']);
    const byVerifiedOrg = await s.admin.call<{ items: Json[] }>('GET', '/api/v1/plugins?search=envoy');
    assert.deepEqual(byVerifiedOrg.body.items.map((p) => p.org), [null]);
  });

  test('the CLI searches, shows and approves through the API with a token', async () => {
    const token = await s.admin.call<{ token: string }>('POST', '/api/v1/tokens', { name: 'cli' });
    const env = { OPSLOOM_URL: s.url, OPSLOOM_TOKEN: token.body.token };
    const search = await cli(['plugin', 'search', 'ticker'], env);
    assert.equal(search.code, 0, search.stderr);
    assert.match(search.stdout, /@acme\/ticker\s+1\.2\.0\s+demo/);
    const claimed = await cli(['plugin', 'search', '--claimed-org', 'strangers'], env);
    assert.match(claimed.stdout, /@acme\/envoy\s+1\.0\.0\s+demo\s+strangers \(claimed\)\s+untrusted/);
    assert.match((await cli(['plugin', 'search', '--org', 'strangers'], env)).stdout, /^0 match\(es\)/m);
    const info = await cli(['plugin', 'info', '@acme/ticker@1.0.0'], env);
    assert.match(info.stdout, /1\.0\.0 {2}unsigned {2}installed, online/);
    // Without --integrity it shows what is installed and approves nothing.
    const shown = await cli(['plugin', 'approve', '@acme/ticker@1.2.0'], env);
    assert.equal(shown.code, 2, shown.stderr);
    const { integrity } = (await s.admin.call<{ integrity: string; approvedCapabilities: null }>('GET', `/api/v1/plugins/${enc('@acme/ticker')}/versions/1.2.0`)).body;
    assert.ok(shown.stderr.includes(`integrity:    ${integrity}\n  capabilities: notify.send\n`), shown.stderr);
    assert.ok(shown.stderr.includes(`run: opsloom plugin approve @acme/ticker@1.2.0 --integrity ${integrity}`), shown.stderr);
    assert.equal((await s.admin.call<{ approvedCapabilities: null }>('GET', `/api/v1/plugins/${enc('@acme/ticker')}/versions/1.2.0`)).body.approvedCapabilities, null);
    const approve = await cli(['plugin', 'approve', '@acme/ticker@1.2.0', '--integrity', integrity], env);
    assert.equal(approve.code, 0, approve.stderr);
    assert.equal(approve.stdout, `approved @acme/ticker@1.2.0 (${integrity}): notify.send\n`);
    const otherContents = await cli(['plugin', 'install', '@acme/pledge@1.0.0', '--allow-unsigned', '--approve', '--integrity', 'sha512-reviewed-elsewhere'], env);
    assert.equal(otherContents.code, 1);
    assert.match(otherContents.stderr, /than those reviewed \(integrity sha512-reviewed-elsewhere\).*\[plugin_review_outdated\]/);
    const stale = await cli(['plugin', 'approve', '@acme/ticker@1.2.0', '--integrity', 'sha512-reviewed-before-a-reinstall'], env);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /reinstalled with other contents/);
    const trust = await cli(['plugin', 'trust', 'list', '--json'], env);
    const keys = JSON.parse(trust.stdout) as { items: Json[] };
    assert.deepEqual(keys.items.map((k) => [k.org, k.pinned]), [['opsloom', true]]);
    const anonymous = await cli(['plugin', 'list'], { OPSLOOM_URL: s.url });
    assert.equal(anonymous.code, 1);
    assert.match(anonymous.stderr, /OPSLOOM_TOKEN/);
  });

  test('the catalog\'s two organisation filters, verified and claimed, are documented in OpenAPI', async () => {
    const doc = await s.admin.call<{ paths: Record<string, Record<string, { parameters: { name: string; schema: { description?: string } }[] }>> }>('GET', '/api/openapi.json');
    const described = Object.fromEntries(doc.body.paths['/api/v1/marketplace/plugins']!.get!.parameters.map((p) => [p.name, p.schema.description]));
    assert.match(described.org ?? '', /verified by one of its pinned keys/);
    assert.match(described.claimedOrg ?? '', /no pinned key verifies/);
  });

  test('a signature copied from another organisation\'s package shows invalid once its key is known, and cannot be approved', async () => {
    const orgz = generateOrgKey('orgz');
    const dir = await writePlugin(join(work, 'forged'), { name: '@acme/forged', version: '1.0.0' });
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Json & { opsloom: Json };
    const genuine = { ...pkg, name: '@orgz/genuine' };
    const signature = signFiles(new Map([['package.json', Buffer.from(JSON.stringify(genuine))]]), genuine, orgz);
    await writeFile(join(dir, 'package.json'), JSON.stringify({ ...pkg, opsloom: { ...pkg.opsloom, signature } }));
    const r = await npmPublish(dir, registryUrl, authorToken);
    assert.equal(r.code, 0, r.stderr);
    const mark = async () => (await s.admin.call<{ items: Json[] }>('GET', '/api/v1/marketplace/plugins?claimedOrg=orgz')).body.items[0]?.signature;
    assert.deepEqual(await eventually(mark, '@acme/forged in the catalog'), { state: 'untrusted', org: 'orgz', keyId: orgz.keyId });
    // Only claimed: the organisation filter, which means verified, does not find it.
    assert.equal((await s.admin.call<{ total: number }>('GET', '/api/v1/marketplace/plugins?org=orgz')).body.total, 0);

    assert.equal((await s.admin.call('POST', '/api/v1/registry/trust', { org: 'orgz', publicKey: orgz.publicKey, pinned: false })).status, 201);
    const invalid = await s.admin.call<{ items: Json[] }>('GET', '/api/v1/marketplace/plugins?signature=invalid');
    assert.deepEqual(invalid.body.items.map((i) => [i.name, (i.signature as Json).state]), [['@acme/forged', 'invalid']]);
    const refused = await s.admin.call<Json>('POST', `/api/v1/marketplace/plugins/${enc('@acme/forged')}/versions/1.0.0/install`, { allowUnsigned: true });
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'plugin_signature_invalid');
    assert.equal((await s.admin.call('DELETE', `/api/v1/registry/trust/orgz/keys/${orgz.keyId}`)).status, 204);
  });
});
