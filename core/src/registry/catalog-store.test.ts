import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../store/db.js';
import { generateOrgKey } from '@opsloom/plugin-registry';
import { openTestDb } from '../test-support/test-db.js';
import { entriesOf } from './catalog-entry.js';
import { CatalogStore } from './catalog-store.js';
import { knownKeys, signMetadata } from './test-support/signed-metadata.js';
import { TrustService } from './trust-service.js';
import { TrustStore } from './trust-store.js';

const manifest = (over: Record<string, unknown> = {}) => ({
  title: 'Ping', category: 'network', runtime: 'isolate', entry: 'dist/plugin.js', inputs: { type: 'object' }, outputs: { type: 'object' },
  mode: 'sync', capabilities: [], limits: { memoryMb: 32, timeoutMs: 1000 }, ...over,
});

function packument(name: string, versions: Record<string, Record<string, unknown>>, latest: string) {
  return {
    name, 'dist-tags': { latest }, readme: `# ${name}`,
    time: Object.fromEntries(Object.keys(versions).map((v, i) => [v, new Date(Date.UTC(2026, 0, 1 + i)).toISOString()])),
    versions: Object.fromEntries(Object.entries(versions).map(([v, extra]) => [v, { name, version: v, keywords: ['opsloom-plugin'], dist: { integrity: `sha512-${v}` }, ...extra }])),
  };
}

/** The catalog's packument reading and search, on the suite's real database (SQLite or MySQL). */
describe('catalog store', () => {
  let db: Db;
  let close: () => Promise<void>;
  let catalog: CatalogStore;
  const k1 = generateOrgKey('orgb');
  const k2 = generateOrgKey('orgb');
  const pinned = knownKeys([k1, true], [k2, false]);
  const signed = (name: string, version: string, plugin: Record<string, unknown>, key = k1) =>
    signMetadata({ name, version, keywords: ['opsloom-plugin'], opsloom: { plugin } }, key);

  before(async () => {
    ({ db, close } = await openTestDb('catalog'));
    catalog = new CatalogStore(db);
    await catalog.replacePackage('@orgb/ping', entriesOf(packument('@orgb/ping', {
      '1.0.0': signed('@orgb/ping', '1.0.0', manifest()),
      '1.1.0': { ...signed('@orgb/ping', '1.1.0', manifest({ capabilities: ['http:https://example.com'] }), k2), keywords: ['opsloom-plugin', 'icmp'] },
      '2.0.0-broken': { opsloom: { plugin: { title: 'no runtime' } } },
    }, '1.1.0'), 'orgb', pinned));
    await catalog.replacePackage('@acme/disk', entriesOf(packument('@acme/disk', {
      '1.0.0': { opsloom: { plugin: manifest({ title: 'Disk 100%_usage', category: 'storage', runtime: 'wasm', entry: 'p.wasm' }) } },
    }, '1.0.0'), 'local', pinned));
  });
  after(() => close());

  test('indexes valid plugin versions only, with signature marks judged against pinned keys', async () => {
    const versions = await catalog.versions('@orgb/ping');
    assert.deepEqual(versions.map((v) => [v.version, v.signatureState, v.isLatest]), [['1.1.0', 'untrusted', true], ['1.0.0', 'trusted', false]]);
    const latest = await catalog.get('@orgb/ping', '1.1.0');
    assert.equal(latest?.readme, '# @orgb/ping');
  });

  test('searches by words, category, capability, runtime, organisation (verified or claimed) and origin, latest versions by default', async () => {
    const names = async (q: Parameters<CatalogStore['search']>[0]) => (await catalog.search(q)).items.map((i) => `${i.name}@${i.version}`);
    assert.deepEqual(await names({}), ['@acme/disk@1.0.0', '@orgb/ping@1.1.0']);
    // 1.0.0 is signed with orgb's pinned key; 1.1.0 only claims orgb (its key is not pinned).
    assert.deepEqual(await names({ allVersions: true, org: 'orgb' }), ['@orgb/ping@1.0.0']);
    assert.deepEqual(await names({ allVersions: true, claimedOrg: 'orgb' }), ['@orgb/ping@1.1.0']);
    assert.deepEqual(await names({ org: 'orgb' }), []);
    assert.deepEqual(await names({ q: 'ICMP ping' }), ['@orgb/ping@1.1.0']);
    assert.deepEqual(await names({ q: '100%_' }), ['@acme/disk@1.0.0']);
    assert.deepEqual(await names({ q: '%' }), ['@acme/disk@1.0.0']);
    assert.deepEqual(await names({ category: 'storage', runtime: 'wasm', origin: 'local' }), ['@acme/disk@1.0.0']);
    assert.deepEqual(await names({ capability: 'http:https://example.com' }), ['@orgb/ping@1.1.0']);
    assert.deepEqual(await names({ capability: 'http:https://example.com', allVersions: true }), ['@orgb/ping@1.1.0']);
    assert.deepEqual(await names({ signatureState: 'unsigned' }), ['@acme/disk@1.0.0']);
    const page2 = await catalog.search({ allVersions: true, pageSize: 2, page: 2 });
    assert.equal(page2.total, 3);
    assert.deepEqual(page2.items.map((i) => i.version), ['1.0.0']);
  });

  test('indexes a version declaring more capabilities than one insert may carry', async () => {
    const many = Array.from({ length: 600 }, (_, i) => `http:https://h${i}.example.com`);
    await catalog.replacePackage('@acme/fanout', entriesOf(packument('@acme/fanout', { '1.0.0': { opsloom: { plugin: manifest({ capabilities: many }) } } }, '1.0.0'), 'local', pinned));
    assert.deepEqual((await catalog.search({ capability: 'http:https://h599.example.com' })).items.map((i) => i.name), ['@acme/fanout']);
    await catalog.removePackages(['@acme/fanout']);
  });

  test('indexes a version declaring many long capabilities', async () => {
    // 400 origins of 180 characters: a capability list of about 75 KB.
    const many = Array.from({ length: 400 }, (_, i) => `http:https://${String(i).padStart(160, 'h')}.example.com`);
    await catalog.replacePackage('@acme/wide', entriesOf(packument('@acme/wide', { '1.0.0': { opsloom: { plugin: manifest({ capabilities: many }) } } }, '1.0.0'), 'local', pinned));
    assert.deepEqual((await catalog.versions('@acme/wide')).map((v) => v.capabilities.length), [400]);
    await catalog.removePackages(['@acme/wide']);
  });

  test('a version declaring a capability longer than the catalog holds is left out; the package still indexes', async () => {
    const long = `http:https://${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.example.com`;
    await catalog.replacePackage('@acme/far', entriesOf(packument('@acme/far', {
      '1.0.0': { opsloom: { plugin: manifest({ capabilities: ['http:https://near.example.com'] }) } },
      '1.1.0': { opsloom: { plugin: manifest({ capabilities: [long] }) } },
    }, '1.1.0'), 'local', pinned));
    assert.deepEqual((await catalog.versions('@acme/far')).map((v) => v.version), ['1.0.0']);
    await catalog.removePackages(['@acme/far']);
  });

  test('a version whose dist.integrity is longer than the catalog holds is listed without one', async () => {
    await catalog.replacePackage('@acme/odd', entriesOf(packument('@acme/odd', {
      '1.0.0': { opsloom: { plugin: manifest() }, dist: { integrity: `sha1-${'x'.repeat(300)}` } },
    }, '1.0.0'), 'local', pinned));
    assert.deepEqual((await catalog.versions('@acme/odd')).map((v) => [v.version, v.integrity]), [['1.0.0', null]]);
    await catalog.removePackages(['@acme/odd']);
  });

  test('re-judges signatures when keys are pinned, and drops versions and packages that are gone', async () => {
    await catalog.refreshSignatureStates(knownKeys([k1, true], [k2, true]));
    assert.deepEqual((await catalog.versions('@orgb/ping')).map((v) => v.signatureState), ['trusted', 'trusted']);
    await catalog.replacePackage('@orgb/ping', entriesOf(packument('@orgb/ping', { '1.0.0': { opsloom: { plugin: manifest() } } }, '1.0.0'), 'orgb', pinned));
    assert.deepEqual((await catalog.versions('@orgb/ping')).map((v) => [v.version, v.isLatest]), [['1.0.0', true]]);
    assert.equal((await catalog.search({ capability: 'http:https://example.com', allVersions: true })).total, 0);
    await catalog.removePackages(['@orgb/ping']);
    assert.deepEqual(await catalog.packageNames(), ['@acme/disk']);
  });
});

/** Trust store changes re-verify the signatures the catalog stored, through the trust service. */
describe('catalog signature re-judging', () => {
  let db: Db;
  let close: () => Promise<void>;
  let catalog: CatalogStore;
  let trust: TrustService;
  const orgc = generateOrgKey('orgc');
  const real = signMetadata({ name: '@orgc/tool', version: '1.0.0', keywords: ['opsloom-plugin'], opsloom: { plugin: manifest() } }, orgc);
  // A hostile package carrying orgc's organisation, key id and signature from another package.
  const forged = { ...real, name: '@evil/tool' };
  const states = async () => Object.fromEntries((await catalog.search({})).items.map((i) => [i.name, i.signatureState]));

  before(async () => {
    ({ db, close } = await openTestDb('catalog-rejudge'));
    catalog = new CatalogStore(db);
    const store = new TrustStore(db);
    trust = new TrustService(store, catalog, () => undefined);
    for (const meta of [real, forged]) {
      await catalog.replacePackage(meta.name, entriesOf(packument(meta.name, { '1.0.0': meta }, '1.0.0'), 'local', await store.knownKeys()));
    }
    // Indexed before migration 011: a claim without a stored signature.
    const [legacy] = entriesOf(packument('@orgc/old', { '1.0.0': { opsloom: { plugin: manifest() } } }, '1.0.0'), 'local', await store.knownKeys());
    await catalog.upsertMany([{ ...legacy!, org: 'orgc', keyId: orgc.keyId, signatureState: 'untrusted' }]);
  });
  after(() => close());

  test('an unknown key cannot be checked: both the real and the forged package are untrusted', async () => {
    assert.deepEqual(await states(), { '@evil/tool': 'untrusted', '@orgc/old': 'untrusted', '@orgc/tool': 'untrusted' });
  });

  test('pinning the key later makes the real one trusted and shows the forged one invalid', async () => {
    await trust.add({ org: 'orgc', publicKey: orgc.publicKey, pinned: true }, 'admin');
    assert.deepEqual(await states(), { '@evil/tool': 'invalid', '@orgc/old': 'untrusted', '@orgc/tool': 'trusted' });
    assert.deepEqual((await catalog.search({ signatureState: 'invalid' })).items.map((i) => [i.name, i.org, i.keyId]), [['@evil/tool', 'orgc', orgc.keyId]]);
    // Searching for orgc's plugins finds the one its key verifies, not those that merely name it.
    assert.deepEqual((await catalog.search({ org: 'orgc' })).items.map((i) => i.name), ['@orgc/tool']);
    assert.deepEqual((await catalog.search({ claimedOrg: 'orgc' })).items.map((i) => i.name), ['@evil/tool', '@orgc/old']);
  });

  test('unpinning keeps the forged one invalid; removing the key leaves nothing to check with', async () => {
    await trust.setPinned('orgc', orgc.keyId, false);
    assert.deepEqual(await states(), { '@evil/tool': 'invalid', '@orgc/old': 'untrusted', '@orgc/tool': 'untrusted' });
    await trust.remove('orgc', orgc.keyId);
    assert.deepEqual(await states(), { '@evil/tool': 'untrusted', '@orgc/old': 'untrusted', '@orgc/tool': 'untrusted' });
  });
});
