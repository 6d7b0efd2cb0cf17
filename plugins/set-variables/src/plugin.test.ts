import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRuntime, validateManifest, type HostServices, type InvokeRequest, type InvokeResult, type PluginPackage } from '@opsloom/plugin-runtime';
import { runPluginTests } from '@opsloom/plugin-sdk/testing';
import { coerce } from './coerce.js';

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
  assert.ok(outcomes.length >= 4);
  for (const o of outcomes) assert.ok(o.ok, `${o.name}: ${o.problems.join('; ')}`);
});

test('coercions cover each type and refuse what they cannot convert', () => {
  assert.equal(coerce('k', ' 42 ', 'number', ','), 42);
  assert.equal(coerce('k', true, 'string', ','), 'true');
  assert.equal(coerce('k', { a: [1] }, 'string', ','), '{"a":[1]}');
  assert.equal(coerce('k', 'YES', 'boolean', ','), true);
  assert.equal(coerce('k', 0, 'boolean', ','), false);
  assert.deepEqual(coerce('k', 'a\nb\n', 'list', '\n'), ['a', 'b']);
  assert.deepEqual(coerce('k', [1, 2], 'list', ','), [1, 2]);
  assert.deepEqual(coerce('k', 7, 'json', ','), 7);
  assert.throws(() => coerce('k', '1.5', 'integer', ','), { code: 'COERCE_FAILED', message: /variable "k": "1.5" is not a valid integer/ });
  assert.throws(() => coerce('k', '', 'number', ','), { code: 'COERCE_FAILED' });
  assert.throws(() => coerce('k', 'maybe', 'boolean', ','), { code: 'COERCE_FAILED' });
  assert.throws(() => coerce('k', '{bad', 'json', ','), { code: 'COERCE_FAILED' });
});

test('without types, values of every JSON kind pass through unchanged', async () => {
  const variables = { s: 'x', n: 1.5, b: false, nul: null, arr: [1, 'a'], obj: { deep: { v: 1 } } };
  const r = await invoke({ inputs: { variables } }, {});
  assert.equal(r.status, 'done');
  if (r.status === 'done') assert.deepEqual(r.outputs, variables);
});
