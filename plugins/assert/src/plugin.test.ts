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
  assert.ok(outcomes.length >= 5);
  for (const o of outcomes) assert.ok(o.ok, `${o.name}: ${o.problems.join('; ')}`);
});

test('the failure message is the given message, word for word', async () => {
  const message = 'health check failed on 2 hosts: 0:10.0.0.3, 0:10.0.0.4';
  const r = await invoke({ inputs: { condition: false, message } }, {});
  assert.equal(r.status, 'failed');
  if (r.status === 'failed') assert.deepEqual(r.error, { code: 'ASSERTION_FAILED', message });
});
