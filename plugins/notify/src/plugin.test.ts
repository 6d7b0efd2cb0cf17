import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRuntime, validateManifest, type HostServices, type InvokeRequest, type InvokeResult, type PluginPackage } from '@opsloom/plugin-runtime';
import { runPluginTests } from '@opsloom/plugin-sdk/testing';

const dir = fileURLToPath(new URL('../..', import.meta.url));
const runtime = new PluginRuntime({ poolSize: 1 });
let plugin: PluginPackage;

before(async () => {
  // Test the current source: bundle it with the SDK's build, exactly as `npm run build` does.
  const cli = new URL('./cli.js', import.meta.resolve('@opsloom/plugin-sdk/testing'));
  const { main } = (await import(cli.href)) as { main(argv: string[], out: (l: string) => void): Promise<number> };
  const lines: string[] = [];
  assert.equal(await main(['build', dir], (l) => lines.push(l)), 0, lines.join('\n'));
  const r = validateManifest(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  plugin = { name: r.name, version: r.version, manifest: r.manifest, code: await readFile(join(dir, r.manifest.entry), 'utf8') };
});
after(() => runtime.close());

function invoke(req: Partial<InvokeRequest>, services: HostServices): Promise<InvokeResult> {
  return runtime.invoke({
    plugin,
    call: 'execute',
    inputs: {},
    context: { taskId: 't1', nodeId: 'n1', projectId: 'p1', attempt: 1 },
    approvedCapabilities: plugin.manifest.capabilities,
    ...req,
  }, services);
}

test('every case of plugin.test.json passes in the sandbox', async () => {
  const outcomes = await runPluginTests(dir);
  assert.ok(outcomes.length >= 7);
  for (const o of outcomes) assert.ok(o.ok, `${o.name}: ${o.problems.join('; ')}`);
});

test('a webhook body is templated deeply; HTML values are escaped; a value is never re-scanned', async () => {
  const sent: unknown[] = [];
  const services: HostServices = { async notifySend(m) { sent.push(m); return { delivered: true }; } };
  const values = { app: '<b>api</b>', trick: '{{secret}}', secret: 'leaked' };
  const hook = await invoke({ inputs: { channel: 'webhook', url: 'http://127.0.0.1:9/h', headers: { 'X-A': '1' }, body: { app: '{{app}}', list: ['{{trick}}', 3] }, values } }, services);
  assert.equal(hook.status, 'done');
  const mail = await invoke({ inputs: { channel: 'email', to: ['a@example.com'], subject: 's', message: '{{app}}', html: '<p>{{app}}</p>', values } }, services);
  assert.equal(mail.status, 'done');
  assert.deepEqual(sent, [
    { channel: 'webhook', url: 'http://127.0.0.1:9/h', headers: { 'X-A': '1' }, body: { app: '<b>api</b>', list: ['{{secret}}', 3] } },
    { channel: 'email', to: ['a@example.com'], subject: 's', text: '<b>api</b>', html: '<p>&lt;b&gt;api&lt;/b&gt;</p>' },
  ]);
});

test('lenient templates leave missing values empty; a bad chat webhook is refused before sending', async () => {
  const sent: unknown[] = [];
  const services: HostServices = { async notifySend(m) { sent.push(m); return { delivered: true, detail: 'ok' }; } };
  const ok = await invoke({ inputs: { channel: 'feishu', webhook: 'secret:f', message: 'a{{missing}}b', strictTemplates: false } }, services);
  assert.equal(ok.status, 'done');
  assert.deepEqual(sent, [{ channel: 'feishu', webhook: 'secret:f', text: 'ab' }]);
  const bad = await invoke({ inputs: { channel: 'slack', webhook: 'file:///etc/passwd', message: 'x' } }, services);
  assert.equal(bad.status, 'failed');
  if (bad.status === 'failed') assert.equal(bad.error.code, 'URL_INVALID');
  assert.equal(sent.length, 1);
});
