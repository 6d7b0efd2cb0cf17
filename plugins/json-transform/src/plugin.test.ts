import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRuntime, validateManifest, type HostServices, type InvokeRequest, type InvokeResult, type PluginPackage } from '@opsloom/plugin-runtime';
import { runPluginTests } from '@opsloom/plugin-sdk/testing';

const dir = fileURLToPath(new URL('../..', import.meta.url));
const runtime = new PluginRuntime({ poolSize: 1 });
let plugin: PluginPackage;

async function stale(): Promise<boolean> {
  const built = await stat(join(dir, 'dist/plugin.wasm')).catch(() => undefined);
  if (!built) return true;
  const sources = [join(dir, 'package.json'), ...(await readdir(join(dir, 'assembly'))).map((f) => join(dir, 'assembly', f))];
  for (const f of sources) if ((await stat(f)).mtimeMs > built.mtimeMs) return true;
  return false;
}

before(async () => {
  // Test the current source: compile it with the SDK's build (as `npm run build` does) when the
  // module is older than any AssemblyScript source; asc takes seconds, so a fresh module is reused.
  if (await stale()) {
    const cli = new URL('./cli.js', import.meta.resolve('@opsloom/plugin-sdk/testing'));
    const { main } = (await import(cli.href)) as { main(argv: string[], out: (l: string) => void): Promise<number> };
    const lines: string[] = [];
    assert.equal(await main(['build', dir], (l) => lines.push(l)), 0, lines.join('\n'));
  }
  const r = validateManifest(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  plugin = { name: r.name, version: r.version, manifest: r.manifest, code: new Uint8Array(await readFile(join(dir, r.manifest.entry))) };
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
  assert.ok(outcomes.length >= 3);
  for (const o of outcomes) assert.ok(o.ok, `${o.name}: ${o.problems.join('; ')}`);
});

async function transform(inputs: Record<string, unknown>): Promise<InvokeResult> {
  return invoke({ inputs }, {});
}

test('strings with escapes and unicode, exact numbers and nested values survive the round trip', async () => {
  const data = { s: 'quote " backslash \\ tab \t nl \n ctl \u0001 é 😀 中文', n: [1.0, -0.5e-3, 1e21, 0.1, 0], deep: { list: [{ t: true, f: false, z: null }] } };
  const text = JSON.stringify(data).replace('"n":[1,', '"n":[1.0,');
  const r = await transform({ data: JSON.parse(text), mapping: { s: '$.s', nums: '$.n', 'x.y.z': '$.deep', whole: '$' } });
  assert.equal(r.status, 'done', JSON.stringify(r));
  if (r.status !== 'done') return;
  assert.deepEqual(r.outputs.result, { s: data.s, nums: data.n, x: { y: { z: data.deep } }, whole: data });
  assert.equal(r.outputs.mapped, 4);
});

test('failures carry their own code: bad path, strict miss, conflicting keys', async () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ data: {}, mapping: { x: '$.a[*]' } }, 'JSON_PATH_INVALID', /^JSON path "\$\.a\[\*\]" has "\[\*\]"/],
    [{ data: {}, mapping: { x: '$.nope' }, strict: true }, 'MAPPING_PATH_NOT_FOUND', /^nothing at \$\.nope for "x"/],
    [{ data: { a: 1, b: 2 }, mapping: { k: '$.a', 'k.j': '$.b' } }, 'MAPPING_CONFLICT', /^output key "k\.j" goes through "k"/],
  ];
  for (const [inputs, code, pattern] of cases) {
    const r = await transform(inputs);
    assert.equal(r.status, 'failed', JSON.stringify(r));
    if (r.status !== 'failed') continue;
    assert.equal(r.error.code, code, r.error.message);
    assert.match(r.error.message, pattern);
  }
});

test('a large document is transformed within the module memory cap', async () => {
  const items = Array.from({ length: 20000 }, (_, i) => ({ id: i, name: `host-${i}`, tags: ['a', 'b'] }));
  const r = await transform({ data: { items }, mapping: { last: '$.items[-1].name', count: '$.items[19999].id' } });
  assert.equal(r.status, 'done', JSON.stringify(r).slice(0, 500));
  if (r.status === 'done') assert.deepEqual(r.outputs.result, { last: 'host-19999', count: 19999 });
});
