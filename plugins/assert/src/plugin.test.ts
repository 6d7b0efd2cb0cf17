import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { HostServices, InvokeRequest, InvokeResult } from '@opsloom/plugin-runtime';
import { loadPluginHarness, runPluginTests, type PluginHarness } from '@opsloom/plugin-sdk/testing';

const dir = fileURLToPath(new URL('../..', import.meta.url));
let harness: PluginHarness;

before(async () => { harness = await loadPluginHarness(dir); });
after(() => harness.close());

const invoke = (req: Partial<InvokeRequest>, services: HostServices): Promise<InvokeResult> => harness.invoke(req, services);

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
