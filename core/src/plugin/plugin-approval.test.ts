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
    await (s.ops.services.modules.get('plugins') as PluginService).installFromDirectory(dir, { source: 'local:test' });

    const res = await s.admin.call<{ approvedCapabilities: string[] }>('POST', `/api/v1/plugins/${encodeURIComponent('@test/wide')}/versions/1.0.0/approve`);
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
    assert.deepEqual(res.body.approvedCapabilities, capabilities);
    const got = await s.admin.call<{ approvedCapabilities: string[] }>('GET', `/api/v1/plugins/${encodeURIComponent('@test/wide')}/versions/1.0.0`);
    assert.deepEqual(got.body.approvedCapabilities, capabilities);
    // The list is too long for an audit entry's detail, which keeps its size instead.
    const audit = await s.admin.call<{ items: { status: number; targetId: string; detail: { omitted: boolean; fields: string[] } }[] }>('GET', '/api/v1/audit?action=plugin.approve');
    assert.deepEqual(audit.body.items.map((i) => [i.targetId, i.status, i.detail.omitted, i.detail.fields]), [['@test/wide@1.0.0', 200, true, ['capabilities']]]);
  });
});
