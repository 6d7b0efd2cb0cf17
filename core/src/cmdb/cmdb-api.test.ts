import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { userClient } from '../job/test-support/job-test-kit.js';
import type { CmdbService } from './cmdb-service.js';

interface HostItem { id: string; cloudArea: number; ip: string; hostname: string; labels: Record<string, string>; set: string | null; module: string | null; agentOnline: boolean }
interface Page { total: number; items: HostItem[] }
interface Tree { sets: { id: string; name: string; modules: { id: string; name: string; hostCount: number }[] }[]; idleHostCount: number }

const CSV = [
  'cloudArea,ip,hostname,set,module,labels',
  '0,10.1.0.1,web-1,shop,web,env=prod;role=web',
  '0,10.1.0.2,web-2,shop,web,"env=prod,role=web,canary=yes"',
  '0,10.1.0.3,api-1,shop,api,env=prod;role=api',
  '0,10.1.0.4,db-1,shop,db,env=prod;role=db',
  '0,10.2.0.1,stg-1,staging,web,env=staging;role=web',
  '3,10.1.0.1,far-1,,,env=dr;role=web',
].join('\n');

/** The CMDB through the real API: topology, import, label selectors and dynamic groups. */
describe('cmdb api', () => {
  let s: TestServer;
  let base: string;
  let projectId: string;
  const hosts = async (query = '') => (await s.admin.call<Page>('GET', `${base}/hosts${query}`)).body;
  const ips = (p: Page) => p.items.map((h) => `${h.cloudArea}:${h.ip}`);

  before(async () => {
    s = await startTestServer();
    const p = await s.admin.call<{ id: string }>('POST', '/api/v1/projects', { key: 'shop', name: 'Shop' });
    projectId = p.body.id;
    base = `/api/v1/projects/shop/cmdb`;
  });
  after(async () => { await s.close(); });

  test('sets and modules are created, renamed, refused when duplicate, and deleted', async () => {
    const set = await s.admin.call<{ id: string; name: string }>('POST', `${base}/sets`, { name: 'tmp', description: 'temporary' });
    assert.equal(set.status, 201);
    const dup = await s.admin.call<{ code: string }>('POST', `${base}/sets`, { name: 'tmp' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, 'set_exists');
    const mod = await s.admin.call<{ id: string; setId: string }>('POST', `${base}/sets/${set.body.id}/modules`, { name: 'cache' });
    assert.equal(mod.status, 201);
    assert.equal(mod.body.setId, set.body.id);
    const renamed = await s.admin.call<{ name: string }>('PATCH', `${base}/modules/${mod.body.id}`, { name: 'redis' });
    assert.equal(renamed.body.name, 'redis');
    const bad = await s.admin.call<{ code: string }>('POST', `${base}/sets`, { name: 'a,b' });
    assert.equal(bad.status, 400);
    let tree = (await s.admin.call<Tree>('GET', `${base}/topology`)).body;
    assert.deepEqual(tree.sets.map((x) => [x.name, x.modules.map((m) => m.name)]), [['tmp', ['redis']]]);
    assert.equal((await s.admin.call('DELETE', `${base}/sets/${set.body.id}`)).status, 204);
    tree = (await s.admin.call<Tree>('GET', `${base}/topology`)).body;
    assert.deepEqual(tree.sets, []);
    assert.equal((await s.admin.call('PATCH', `${base}/modules/${mod.body.id}`, { name: 'gone' })).status, 404, 'its modules went with it');
  });

  test('an import with a bad row reports every bad row precisely and writes nothing', async () => {
    const broken = [
      'cloudArea,ip,hostname,set,module,labels',
      '0,10.9.0.1,ok-1,shop,web,env=prod',
      '0,10.9.0.999,bad-ip,shop,web,env=prod',
      'x,10.9.0.3,bad-area,,,',
      '0,10.9.0.4,half,shop,,',
      '0,10.9.0.5,labels,,,env',
      '0,10.9.0.1,dup,,,',
    ].join('\n');
    const r = await s.admin.call<{ code: string; rows: { row: number; line: number; field: string; message: string }[] }>('POST', `${base}/hosts/import`, { format: 'csv', csv: broken, createTopology: true });
    assert.equal(r.status, 422);
    assert.equal(r.body.code, 'import_rejected');
    assert.deepEqual(r.body.rows.map((e) => [e.line, e.field]), [[3, 'ip'], [4, 'cloudArea'], [5, 'module'], [6, 'labels'], [7, 'ip']]);
    assert.match(r.body.rows[4]!.message, /appears already in row 1/);
    assert.equal((await hosts()).total, 0, 'the valid first row was not imported either');
    assert.deepEqual((await s.admin.call<Tree>('GET', `${base}/topology`)).body.sets, [], 'no topology was created');

    const unknownModule = await s.admin.call<{ rows: { field: string; message: string }[] }>('POST', `${base}/hosts/import`, { format: 'json', hosts: [{ ip: '10.9.0.1', set: 'nope', module: 'web' }] });
    assert.equal(unknownModule.status, 422);
    assert.match(unknownModule.body.rows[0]!.message, /set "nope" does not exist/);
  });

  test('a CSV import creates hosts, topology and labels; a JSON import updates them', async () => {
    const r = await s.admin.call<{ created: number; updated: number; setsCreated: number; modulesCreated: number }>('POST', `${base}/hosts/import`, { format: 'csv', csv: CSV, createTopology: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { created: 6, updated: 0, setsCreated: 2, modulesCreated: 4 });
    const all = await hosts();
    assert.deepEqual(ips(all), ['0:10.1.0.1', '0:10.1.0.2', '0:10.1.0.3', '0:10.1.0.4', '0:10.2.0.1', '3:10.1.0.1']);
    const web2 = all.items.find((h) => h.hostname === 'web-2')!;
    assert.deepEqual(web2, { ...web2, set: 'shop', module: 'web', labels: { env: 'prod', role: 'web', canary: 'yes' }, agentOnline: false });
    const tree = (await s.admin.call<Tree>('GET', `${base}/topology`)).body;
    assert.deepEqual(tree.sets.map((x) => [x.name, x.modules.map((m) => [m.name, m.hostCount])]), [
      ['shop', [['api', 1], ['db', 1], ['web', 2]]], ['staging', [['web', 1]]],
    ]);
    assert.equal(tree.idleHostCount, 1);
    // Imported hosts are the job service's hosts too: one inventory.
    const inventory = await s.admin.call<{ total: number }>('GET', `/api/v1/projects/shop/hosts`);
    assert.equal(inventory.body.total, 6);

    const again = await s.admin.call<{ created: number; updated: number }>('POST', `${base}/hosts/import`, {
      format: 'json', hosts: [{ cloudArea: 0, ip: '10.1.0.4', hostname: 'db-primary', labels: { env: 'prod', role: 'db', tier: 'gold' } }],
    });
    assert.deepEqual(again.body, { created: 0, updated: 1, setsCreated: 0, modulesCreated: 0 });
    const db = (await hosts('?ip=10.1.0.4')).items[0]!;
    assert.deepEqual([db.hostname, db.module, db.labels], ['db-primary', 'db', { env: 'prod', role: 'db', tier: 'gold' }]);
  });

  test('hosts are found by topology node, label selector, cloud area and IP', async () => {
    assert.deepEqual(ips(await hosts('?set=shop')), ['0:10.1.0.1', '0:10.1.0.2', '0:10.1.0.3', '0:10.1.0.4']);
    assert.deepEqual(ips(await hosts('?module=web')), ['0:10.1.0.1', '0:10.1.0.2', '0:10.2.0.1']);
    assert.deepEqual(ips(await hosts('?set=shop&module=api')), ['0:10.1.0.3']);
    const sel = (q: string) => hosts(`?selector=${encodeURIComponent(q)}`);
    assert.deepEqual(ips(await sel('env=prod,role in (web,api)')), ['0:10.1.0.1', '0:10.1.0.2', '0:10.1.0.3']);
    assert.deepEqual(ips(await sel('env!=prod')), ['0:10.2.0.1', '3:10.1.0.1']);
    assert.deepEqual(ips(await sel('role notin (web,db)')), ['0:10.1.0.3']);
    assert.deepEqual(ips(await sel('role=web,!canary')), ['0:10.1.0.1', '0:10.2.0.1', '3:10.1.0.1']);
    assert.deepEqual(ips(await hosts('?cloudArea=3')), ['3:10.1.0.1']);
    assert.deepEqual(ips(await hosts('?ip=10.1.0.1')), ['0:10.1.0.1', '3:10.1.0.1']);
    const bad = await s.admin.call<{ code: string; errors: { path: string }[] }>('GET', `${base}/hosts?selector=${encodeURIComponent('role in (web')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0]!.path, 'query.selector');
    const search = await s.admin.call<Page>('POST', `${base}/hosts/search`, { topology: [{ set: 'staging' }, { module: 'api' }], selector: 'env' });
    assert.deepEqual(ips(search.body), ['0:10.1.0.3', '0:10.2.0.1']);
  });

  test('hosts move between modules and labels change in bulk; a module with hosts is not deleted', async () => {
    const tree = (await s.admin.call<Tree>('GET', `${base}/topology`)).body;
    const api = tree.sets.find((x) => x.name === 'shop')!.modules.find((m) => m.name === 'api')!;
    const web1 = (await hosts('?ip=10.1.0.1&cloudArea=0')).items[0]!;
    const far = (await hosts('?cloudArea=3')).items[0]!;
    assert.equal((await s.admin.call('PUT', `${base}/hosts/placement`, { hostIds: [web1.id, far.id], moduleId: api.id })).status, 204);
    assert.deepEqual(ips(await hosts('?set=shop&module=api')), ['0:10.1.0.1', '0:10.1.0.3', '3:10.1.0.1']);
    const refused = await s.admin.call<{ code: string }>('DELETE', `${base}/modules/${api.id}`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'module_not_empty');
    assert.equal((await s.admin.call('PUT', `${base}/hosts/placement`, { hostIds: [far.id], moduleId: null })).status, 204);
    assert.equal((await hosts('?cloudArea=3')).items[0]!.module, null);

    assert.equal((await s.admin.call('PATCH', `${base}/hosts/labels`, { hostIds: [web1.id, far.id], set: { owner: 'team-a' }, remove: ['role'] })).status, 204);
    assert.deepEqual((await hosts('?cloudArea=3')).items[0]!.labels, { env: 'dr', owner: 'team-a' });
    const unknown = await s.admin.call<{ code: string }>('PATCH', `${base}/hosts/labels`, { hostIds: ['nope'], set: { a: 'b' } });
    assert.equal(unknown.status, 404);
    const badLabel = await s.admin.call('PATCH', `${base}/hosts/labels`, { hostIds: [web1.id], set: { 'bad key': 'x' } });
    assert.equal(badLabel.status, 400);
    // restore for the next tests
    await s.admin.call('PATCH', `${base}/hosts/labels`, { hostIds: [web1.id], set: { role: 'web' }, remove: ['owner'] });
    const web = tree.sets.find((x) => x.name === 'shop')!.modules.find((m) => m.name === 'web')!;
    await s.admin.call('PUT', `${base}/hosts/placement`, { hostIds: [web1.id], moduleId: web.id });
  });

  test('dynamic groups save a query, resolve it at use, and serve as job targets', async () => {
    const created = await s.admin.call<{ name: string; query: unknown }>('POST', `${base}/groups`, {
      name: 'prod-web', description: 'production web servers', query: { topology: [{ module: 'web' }], selector: 'env=prod' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.query, { topology: [{ module: 'web' }], selector: 'env=prod' });
    const members = await s.admin.call<Page>('GET', `${base}/groups/prod-web/hosts`);
    assert.deepEqual(ips(members.body), ['0:10.1.0.1', '0:10.1.0.2']);

    // Resolved when used: a host labelled later joins the group.
    const stg = (await hosts('?ip=10.2.0.1')).items[0]!;
    await s.admin.call('PATCH', `${base}/hosts/labels`, { hostIds: [stg.id], set: { env: 'prod' } });
    assert.deepEqual(ips((await s.admin.call<Page>('GET', `${base}/groups/prod-web/hosts`)).body), ['0:10.1.0.1', '0:10.1.0.2', '0:10.2.0.1']);
    await s.admin.call('PATCH', `${base}/hosts/labels`, { hostIds: [stg.id], set: { env: 'staging' } });

    const badSelector = await s.admin.call<{ errors: { path: string }[] }>('POST', `${base}/groups`, { name: 'x', query: { selector: 'env in' } });
    assert.equal(badSelector.status, 400);
    const empty = await s.admin.call('POST', `${base}/groups`, { name: 'y', query: {} });
    assert.equal(empty.status, 400);
    const dup = await s.admin.call<{ code: string }>('POST', `${base}/groups`, { name: 'prod-web', query: { cloudArea: 0 } });
    assert.equal(dup.body.code, 'group_exists');
    const updated = await s.admin.call<{ query: unknown }>('PUT', `${base}/groups/prod-web`, { query: { selector: 'role=db' } });
    assert.deepEqual(updated.body.query, { selector: 'role=db' });
    assert.deepEqual((await s.admin.call<{ items: { name: string }[] }>('GET', `${base}/groups`)).body.items.map((g) => g.name), ['prod-web']);

    const cmdb = s.ops.services.modules.get('cmdb') as CmdbService;
    const byId = new Map((await hosts()).items.map((h) => [h.id, `${h.cloudArea}:${h.ip}`]));
    const resolved = async (spec: Parameters<CmdbService['resolveTargets']>[1]) => (await cmdb.resolveTargets(projectId, spec)).map((id) => byId.get(id)).sort();
    assert.deepEqual(await resolved({ topology: [{ set: 'shop', module: 'api' }], group: 'prod-web' }), ['0:10.1.0.3', '0:10.1.0.4']);
    assert.deepEqual(await resolved({ labels: 'role=web,canary' }), ['0:10.1.0.2']);
    assert.deepEqual(await resolved({ labels: { env: 'staging' } }), ['0:10.2.0.1']);
    assert.deepEqual(await resolved({}), []);
    await assert.rejects(cmdb.resolveTargets(projectId, { group: 'missing' }), /dynamic group missing does not exist/);

    assert.equal((await s.admin.call('DELETE', `${base}/groups/prod-web`)).status, 204);
    assert.equal((await s.admin.call('GET', `${base}/groups/prod-web`)).status, 404);
  });

  test('a dynamic group keeps a query of as many IPs as a body carries', async () => {
    // 10,000 addresses: about 150 KB of JSON, more than a 64 KiB column holds.
    const many = Array.from({ length: 10_000 }, (_, i) => `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`);
    const created = await s.admin.call<{ query: { ips: string[] } }>('POST', `${base}/groups`, { name: 'fleet', query: { ips: many } });
    assert.equal(created.status, 201, JSON.stringify(created.body).slice(0, 500));
    assert.equal((await s.admin.call<{ query: { ips: string[] } }>('GET', `${base}/groups/fleet`)).body.query.ips.length, 10_000);
    const updated = await s.admin.call<{ query: { ips: string[] } }>('PUT', `${base}/groups/fleet`, { query: { ips: [...many].reverse(), cloudArea: 0 } });
    assert.equal(updated.status, 200, JSON.stringify(updated.body).slice(0, 500));
    assert.equal(updated.body.query.ips.length, 10_000);
    assert.equal((await s.admin.call('DELETE', `${base}/groups/fleet`)).status, 204);
  });

  test('hosts are found by ids and a long IP list together (a plugin reading a group by IPs)', async () => {
    const cmdb = s.ops.services.modules.get('cmdb') as CmdbService;
    const all = (await hosts()).items;
    const ids = all.map((h) => h.id);
    // 40,000 addresses besides the ids: more values than SQLite binds in one statement.
    const many = [...Array.from({ length: 40_000 }, (_, i) => `172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`), '10.1.0.1', '10.1.0.3'];
    const found = await cmdb.findHosts(projectId, { hostIds: ids, ips: many });
    assert.deepEqual(found.map((h) => `${h.cloudArea}:${h.ip}`), ['0:10.1.0.1', '0:10.1.0.3', '3:10.1.0.1']);
  });

  test('another project sees none of these hosts and a viewer cannot change topology', async () => {
    await s.admin.call('POST', '/api/v1/projects', { key: 'other', name: 'Other' });
    assert.equal((await s.admin.call<Page>('GET', '/api/v1/projects/other/cmdb/hosts')).body.total, 0);
    const cmdb = s.ops.services.modules.get('cmdb') as CmdbService;
    const other = await s.admin.call<{ id: string }>('GET', '/api/v1/projects/other');
    assert.deepEqual(await cmdb.resolveTargets(other.body.id, { topology: [{ set: 'shop' }], labels: 'env' }), []);
    const viewer = await userClient(s, 'vera', { projectId, role: 'viewer' });
    assert.equal((await viewer.call<Page>('GET', `${base}/hosts?set=shop`)).body.total, 4);
    const refused = await viewer.call('POST', `${base}/sets`, { name: 'mine' });
    assert.equal(refused.status, 403);
  });
});
