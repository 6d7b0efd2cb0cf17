import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../store/db.js';
import { openTestDb } from '../test-support/test-db.js';
import { entriesOf } from './catalog-entry.js';
import { CatalogStore } from './catalog-store.js';

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
  const pinned = new Map([['orgb', new Set(['k1'])]]);

  before(async () => {
    ({ db, close } = await openTestDb('catalog'));
    catalog = new CatalogStore(db);
    await catalog.replacePackage('@orgb/ping', entriesOf(packument('@orgb/ping', {
      '1.0.0': { opsloom: { plugin: manifest(), signature: { org: 'orgb', keyId: 'k1' } } },
      '1.1.0': { opsloom: { plugin: manifest({ capabilities: ['http:https://example.com'] }), signature: { org: 'orgb', keyId: 'k2' } }, keywords: ['opsloom-plugin', 'icmp'] },
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

  test('searches by words, category, capability, runtime, organisation and origin, latest versions by default', async () => {
    const names = async (q: Parameters<CatalogStore['search']>[0]) => (await catalog.search(q)).items.map((i) => `${i.name}@${i.version}`);
    assert.deepEqual(await names({}), ['@acme/disk@1.0.0', '@orgb/ping@1.1.0']);
    assert.deepEqual(await names({ allVersions: true, org: 'orgb' }), ['@orgb/ping@1.1.0', '@orgb/ping@1.0.0']);
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

  test('re-judges signatures when keys are pinned, and drops versions and packages that are gone', async () => {
    await catalog.refreshSignatureStates(new Map([['orgb', new Set(['k1', 'k2'])]]));
    assert.deepEqual((await catalog.versions('@orgb/ping')).map((v) => v.signatureState), ['trusted', 'trusted']);
    await catalog.replacePackage('@orgb/ping', entriesOf(packument('@orgb/ping', { '1.0.0': { opsloom: { plugin: manifest() } } }, '1.0.0'), 'orgb', pinned));
    assert.deepEqual((await catalog.versions('@orgb/ping')).map((v) => [v.version, v.isLatest]), [['1.0.0', true]]);
    assert.equal((await catalog.search({ capability: 'http:https://example.com', allVersions: true })).total, 0);
    await catalog.removePackages(['@orgb/ping']);
    assert.deepEqual(await catalog.packageNames(), ['@acme/disk']);
  });
});
