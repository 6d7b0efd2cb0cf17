import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import type { PluginService } from './plugin-service.js';

/** Approving an installed version's capabilities over the API. */
describe('plugin approval', () => {
  let s: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-plugin-approval-'));

  before(async () => { s = await startTestServer(); });
  after(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a version declaring many long capabilities is approved whole, and the approval is audited', async () => {
    // 400 origins of 180 characters: a capability list of about 75 KB.
    const capabilities = Array.from({ length: 400 }, (_, i) => `http:https://${String(i).padStart(160, 'h')}.example.com`);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name: '@test/wide', version: '1.0.0', keywords: ['opsloom-plugin'],
      opsloom: { plugin: { title: 'Wide', category: 'test', runtime: 'isolate', entry: 'dist/plugin.js', inputs: { type: 'object' }, outputs: { type: 'object' }, mode: 'sync', capabilities, limits: { memoryMb: 32, timeoutMs: 5000 } } },
    }));
    writeFileSync(join(dir, 'dist', 'plugin.js'), 'var __opsloomPlugin = definePlugin({ execute() { return {}; } });');
    const { integrity } = await (s.ops.services.modules.get('plugins') as PluginService).installFromDirectory(dir, { source: 'local:test' });

    const res = await s.admin.call<{ approvedCapabilities: string[] }>('POST', `/api/v1/plugins/${encodeURIComponent('@test/wide')}/versions/1.0.0/approve`, { integrity });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
    assert.deepEqual(res.body.approvedCapabilities, capabilities);
    const got = await s.admin.call<{ approvedCapabilities: string[] }>('GET', `/api/v1/plugins/${encodeURIComponent('@test/wide')}/versions/1.0.0`);
    assert.deepEqual(got.body.approvedCapabilities, capabilities);
    // The list is too long for an audit entry's detail, which keeps its size instead.
    const audit = await s.admin.call<{ items: { status: number; targetId: string; detail: { omitted: boolean; fields: string[] } }[] }>('GET', '/api/v1/audit?action=plugin.approve');
    assert.deepEqual(audit.body.items.map((i) => [i.targetId, i.status, i.detail.omitted, i.detail.fields]), [['@test/wide@1.0.0', 200, true, ['integrity', 'capabilities']]]);
  });

  test('an approval of the contents the operator reviewed is refused once the version was reinstalled with others', async () => {
    const plugins = s.ops.services.modules.get('plugins') as PluginService;
    const pkg = join(dir, 'swapped');
    const install = (code: string) => {
      mkdirSync(join(pkg, 'dist'), { recursive: true });
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({
        name: '@test/swapped', version: '1.0.0', keywords: ['opsloom-plugin'],
        opsloom: { plugin: { title: 'Swapped', category: 'test', runtime: 'isolate', entry: 'dist/plugin.js', inputs: { type: 'object' }, outputs: { type: 'object' }, mode: 'sync', capabilities: ['notify.send'], limits: { memoryMb: 32, timeoutMs: 5000 } } },
      }));
      writeFileSync(join(pkg, 'dist', 'plugin.js'), code);
      return plugins.installFromDirectory(pkg, { source: 'local:test' });
    };
    const path = `/api/v1/plugins/${encodeURIComponent('@test/swapped')}/versions/1.0.0`;
    const reviewed = await install('var __opsloomPlugin = definePlugin({ execute() { return { reviewed: true }; } });');
    const swapped = await install('var __opsloomPlugin = definePlugin({ execute() { return { swapped: true }; } });');
    assert.notEqual(swapped.integrity, reviewed.integrity);

    const refused = await s.admin.call<{ code: string; detail: string; reviewed: string; installed: string }>('POST', `${path}/approve`, { integrity: reviewed.integrity });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'plugin_approval_outdated');
    assert.match(refused.body.detail, /@test\/swapped@1\.0\.0 was reinstalled with other contents .* review it again/);
    assert.deepEqual([refused.body.reviewed, refused.body.installed], [reviewed.integrity, swapped.integrity]);
    assert.equal((await s.admin.call<{ approvedCapabilities: string[] | null }>('GET', path)).body.approvedCapabilities, null);

    const missing = await s.admin.call('POST', `${path}/approve`, {});
    assert.equal(missing.status, 400);
    const approved = await s.admin.call<{ approvedCapabilities: string[]; integrity: string }>('POST', `${path}/approve`, { integrity: swapped.integrity });
    assert.equal(approved.status, 200);
    assert.deepEqual([approved.body.approvedCapabilities, approved.body.integrity], [['notify.send'], swapped.integrity]);
  });
});
