import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../log.js';
import { startOpsloom, type Opsloom } from '../server.js';
import type { PluginService } from '../plugin/plugin-service.js';
import { apiClient, backend, dropRedisKeys, TEST_ADMIN_PASSWORD, testDatabase, type ApiClient } from '../test-support/test-server.js';
import type { BootstrapStatus } from './bootstrap-module.js';
import { defaultPluginsDir } from './plugin-packages.js';
import { RELEASE_TEMPLATE_NAME } from './release-template.js';

type Json = Record<string, unknown>;

/** Names of the standard plugin packages in the repository (every folder but the SDK). */
function standardPlugins(): { name: string; version: string }[] {
  const dir = defaultPluginsDir();
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'sdk')
    .map((e) => JSON.parse(readFileSync(join(dir, e.name, 'package.json'), 'utf8')) as { name: string; version: string });
}

describe('first-start bootstrap over one data directory, started twice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-bootstrap-'));
  const prefix = `opsloom-test-${randomBytes(4).toString('hex')}`;
  let drop: () => Promise<void> = async () => undefined;
  let env: Record<string, string>;
  let ops: Opsloom | undefined;

  const start = async (): Promise<{ ops: Opsloom; api: ApiClient; status: BootstrapStatus }> => {
    const config = loadConfig(env);
    ops = await startOpsloom(config, { log: createLogger(config.logLevel) });
    const login = await apiClient(ops.url).call<{ token: string }>('POST', '/api/v1/auth/login', { username: 'admin', password: TEST_ADMIN_PASSWORD });
    assert.equal(login.status, 200);
    return { ops, api: apiClient(ops.url, login.body.token), status: ops.services.modules.get('bootstrap') as BootstrapStatus };
  };
  const counts = async (api: ApiClient, s: Opsloom) => {
    const projects = (await api.call<{ items: { key: string }[] }>('GET', '/api/v1/projects')).body.items.filter((p) => p.key === 'demo').length;
    const templates = (await api.call<{ items: { name: string; latestVersion: number }[] }>('GET', '/api/v1/projects/demo/templates')).body.items;
    const catalog = (await api.call<{ total: number }>('GET', '/api/v1/marketplace/plugins?allVersions=true')).body.total;
    const installed = (await (s.services.modules.get('plugins') as PluginService).list()).length;
    const hosts = (await api.call<{ items: { ip: string }[] }>('GET', '/api/v1/projects/demo/cmdb/hosts')).body.items.map((h) => h.ip);
    const topology = (await api.call<Json>('GET', '/api/v1/projects/demo/cmdb/topology')).body;
    return { projects, templates: templates.map((t) => [t.name, t.latestVersion]), catalog, installed, hosts, topology };
  };

  before(async () => {
    const db = await testDatabase(dir);
    drop = db.drop;
    env = {
      OPSLOOM_DATA_DIR: dir, OPSLOOM_PORT: '0', OPSLOOM_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, OPSLOOM_LOG_LEVEL: process.env.OPSLOOM_TEST_LOG ?? 'silent',
      OPSLOOM_REGISTRY: 'embedded', OPSLOOM_REGISTRY_PORT: '0', OPSLOOM_LOCAL_AGENT: 'true',
      ...(backend.redis ? { OPSLOOM_REDIS: backend.redis, OPSLOOM_REDIS_PREFIX: prefix } : {}), ...db.env,
    };
  });
  after(async () => {
    await ops?.close();
    await drop();
    if (backend.redis) await dropRedisKeys(backend.redis, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  test('every standard plugin is in the catalog with readme and schemas, signed, installed verified and online; a second start changes nothing', async () => {
    const expected = standardPlugins();
    assert.ok(expected.length >= 10, `found ${expected.length} standard plugins`);

    const first = await start();
    assert.equal(first.status.ran, true);
    assert.deepEqual(first.status.plugins?.skipped, []);
    assert.deepEqual([...first.status.plugins!.published].sort(), expected.map((p) => `${p.name}@${p.version}`).sort());
    assert.equal(first.status.localAgent?.online, true);
    assert.ok(first.status.templateId);
    // Saved as the admin, by name, as a save through the API would be (not the user's id).
    const demo = await first.api.call<{ createdBy: string; updatedBy: string }>('GET', `/api/v1/projects/demo/templates/${first.status.templateId}`);
    assert.deepEqual([demo.body.createdBy, demo.body.updatedBy], ['admin', 'admin']);

    const plugins = first.ops.services.modules.get('plugins') as PluginService;
    for (const p of expected) {
      const detail = await first.api.call<Json & { versions: { version: string; signature: Json; installed: Json | null }[] }>('GET', `/api/v1/marketplace/plugins/${encodeURIComponent(p.name)}`);
      assert.equal(detail.status, 200, `${p.name}: ${JSON.stringify(detail.body)}`);
      assert.match(String(detail.body.readme), /^# /, `${p.name} has its readme`);
      assert.equal((detail.body.inputs as Json).type, 'object', `${p.name} has an input schema`);
      assert.equal((detail.body.outputs as Json).type, 'object', `${p.name} has an output schema`);
      const v = detail.body.versions.find((x) => x.version === p.version)!;
      assert.deepEqual([v.signature.state, v.signature.org], ['trusted', 'opsloom'], `${p.name} is signed by opsloom`);
      const installed = (await plugins.versionsOf(p.name)).find((x) => x.version === p.version);
      assert.ok(installed, `${p.name} is installed`);
      assert.equal(installed.signatureState, 'verified');
      assert.equal(installed.status, 'online');
      assert.deepEqual(installed.approvedCapabilities, installed.manifest.capabilities);
    }
    const before = await counts(first.api, first.ops);
    assert.deepEqual(before.templates, [[RELEASE_TEMPLATE_NAME, 1]]);
    assert.deepEqual(before.hosts, ['127.0.0.1']);
    assert.equal(before.catalog, expected.length);
    await first.ops.close();
    ops = undefined;

    const second = await start();
    assert.equal(second.status.ran, true);
    assert.deepEqual(second.status.plugins, { published: [], installed: [], skipped: [] });
    assert.equal(second.status.templateId, first.status.templateId);
    assert.equal(second.status.localAgent?.online, true, 'the local agent comes back with its stored identity');
    assert.equal(second.status.localAgent?.agentId, first.status.localAgent?.agentId);
    assert.deepEqual(await counts(second.api, second.ops), before);
    const tokens = await second.api.call<{ items: { revokedAt: unknown }[] }>('GET', `/api/v1/projects/${second.status.projectId}/agent-tokens`);
    assert.ok(tokens.body.items.every((t) => t.revokedAt !== null), 'the first-start enrolment token was revoked');
  });
});
