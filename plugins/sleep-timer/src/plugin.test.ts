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

test('a duration becomes a deadline in the state; polls shorten as it nears', async () => {
  const before = Date.now();
  const r = await invoke({ inputs: { seconds: 90, maxPollSeconds: 30 } }, {});
  assert.equal(r.status, 'poll');
  if (r.status !== 'poll') return;
  const state = r.state as { deadline: number; maxPollMs: number; startedAt: number };
  assert.ok(state.deadline >= before + 90_000 && state.deadline <= Date.now() + 90_000);
  assert.equal(r.delayMs, 30_000);
  // Near the deadline the next check is the remaining time, not the cap.
  const near = await invoke({ call: 'poll', inputs: { seconds: 90 }, state: { ...state, deadline: Date.now() + 5_000 } }, {});
  assert.equal(near.status, 'poll');
  if (near.status === 'poll') assert.ok(near.delayMs > 0 && near.delayMs <= 5_000);
});

test('until with an offset is read in that zone, and the outputs report the wait', async () => {
  const r = await invoke({ inputs: { until: '2000-01-01T08:00:00+08:00' } }, {});
  assert.equal(r.status, 'done');
  if (r.status !== 'done') return;
  assert.equal(r.outputs.deadline, '2000-01-01T00:00:00.000Z');
  assert.equal(r.outputs.sleptSeconds, 0);
});
