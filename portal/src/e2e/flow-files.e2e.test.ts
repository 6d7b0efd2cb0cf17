/**
 * End to end, in Debian's Chromium against a real core: a flow exported from the editor is a file
 * the flows list imports again, and an import the server refuses is said as an error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { end, graph, start } from '../../../core/dist/test-support/flow-helpers.js';
import { usePortal } from './portal-fixture.js';

const ui = usePortal();

test('the editor\'s Export JSON downloads a file that Import JSON… on the flows list takes', async () => {
  const made = await ui.core.admin.call<{ id: string }>('POST', '/api/v1/projects/ops/templates', { name: 'Rotate logs', graph: graph('Rotate logs', [start(), end()], [['start', 'end']]) });
  await ui.page.goto(`${ui.front.url}/#/p/ops/flows/${made.body.id}`);
  const editor = ui.page.locator('ol-flow-editor');
  await editor.locator('.badge', { hasText: 'v1' }).waitFor();
  const [download] = await Promise.all([ui.page.waitForEvent('download'), editor.locator('.toolbar button', { hasText: 'Export JSON' }).click()]);
  const file = await download.path();
  assert.match(download.suggestedFilename(), /^Rotate_logs\.opsloom-flow\.json$/);

  await ui.page.goto(`${ui.front.url}/#/p/ops/flows`);
  const flows = ui.page.locator('ol-flows-page');
  await flows.locator('tbody tr').first().waitFor();
  await flows.locator('#import').setInputFiles(file);
  await flows.locator('[role=status]', { hasText: 'Imported Rotate logs.' }).waitFor();
  assert.equal(await flows.locator('[role=alert]').count(), 0);
  const list = await ui.core.admin.call<{ items: { name: string }[] }>('GET', '/api/v1/projects/ops/templates');
  assert.equal(list.body.items.filter((t) => t.name === 'Rotate logs').length, 2, 'the import is a second template');
});

test('an import the server refuses is an alert, not a status line like a success', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-import-'));
  try {
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify({ format: 'other/v9', name: 'Broken', graph: {} }));
    await ui.page.goto(`${ui.front.url}/#/p/ops/flows`);
    const flows = ui.page.locator('ol-flows-page');
    await flows.locator('#import').waitFor({ state: 'attached' });
    await flows.locator('#import').setInputFiles(file);
    await flows.locator('[role=alert]', { hasText: 'Import failed' }).waitFor();
    assert.equal(await flows.locator('[role=status]', { hasText: 'Import failed' }).count(), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
