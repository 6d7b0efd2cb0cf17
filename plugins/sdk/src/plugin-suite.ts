import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostServices, InvokeRequest, InvokeResult } from '@opsloom/plugin-runtime';
import { loadPluginHarness, type PluginHarness } from './harness.js';
import { runPluginTests } from './testing.js';

/**
 * The common frame of a plugin's node:test file: builds and loads the plugin once (the test file
 * lives in `<plugin>/dist/node/`), checks that every case of its `plugin.test.json` passes (at least
 * `minCases` of them), and returns an `invoke` for the file's own scenarios.
 * @example
 * const invoke = pluginSuite(import.meta.url, 5);
 * test('…', async () => { const r = await invoke({ inputs: {} }, { notifySend: … }); });
 */
export function pluginSuite(testFileUrl: string, minCases: number): (request: Partial<InvokeRequest>, services?: HostServices) => Promise<InvokeResult> {
  const dir = dirname(dirname(dirname(fileURLToPath(testFileUrl))));
  let harness: PluginHarness;
  before(async () => { harness = await loadPluginHarness(dir); });
  after(() => harness.close());
  test('every case of plugin.test.json passes in the sandbox', async () => {
    const outcomes = await runPluginTests(dir);
    assert.ok(outcomes.length >= minCases, `expected at least ${minCases} cases, found ${outcomes.length}`);
    for (const o of outcomes) assert.ok(o.ok, `${o.name}: ${o.problems.join('; ')}`);
  });
  return (request, services = {}) => harness.invoke(request, services);
}
