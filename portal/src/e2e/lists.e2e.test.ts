/**
 * End to end, in Debian's Chromium against a real core: the portal's long lists load a page at a
 * time and reach their last row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { end, graph, start } from '../../../core/dist/test-support/flow-helpers.js';
import { usePortal } from './portal-fixture.js';

const ui = usePortal();

test('the tasks page loads older tasks a page at a time, down to the first task', async () => {
  const tpl = await ui.ops.template(graph('Nightly backup', [start(), end()], [['start', 'end']]));
  const count = 130;
  for (let i = 0; i < count; i++) await ui.ops.create(tpl, { name: `backup ${String(i).padStart(3, '0')}` });
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks`);
  const tasks = ui.page.locator('ol-tasks-page');
  const rows = tasks.locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 100);
  await tasks.locator('button', { hasText: 'Older tasks' }).click();
  await rows.nth(count - 1).waitFor();
  const names = await tasks.locator('tbody tr td:first-child a').allTextContents();
  assert.deepEqual(names.sort(), Array.from({ length: count }, (_, i) => `backup ${String(i).padStart(3, '0')}`), 'every task is listed once');
  assert.equal(await tasks.locator('button', { hasText: 'Older tasks' }).count(), 0, 'the oldest task is shown: nothing more to load');
  await tasks.locator('#state').selectOption('created');
  await tasks.locator('button', { hasText: 'Older tasks' }).waitFor();
  assert.equal(await rows.count(), 100, 'a new filter starts again from the newest page');
});

test('the flows page loads more flows a page at a time, down to the last flow', async () => {
  const count = 105;
  for (let i = 0; i < count; i++) await ui.ops.template(graph(`Runbook ${String(i).padStart(3, '0')}`, [start(), end()], [['start', 'end']]));
  await ui.page.goto(`${ui.front.url}/#/p/ops/flows`);
  const flowsPage = ui.page.locator('ol-flows-page');
  const rows = flowsPage.locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 100);
  await flowsPage.locator('button', { hasText: 'More flows' }).click();
  await rows.nth(count).waitFor();
  const names = (await flowsPage.locator('tbody tr td:first-child a').allTextContents()).filter((n) => n.startsWith('Runbook'));
  assert.deepEqual(names.sort(), Array.from({ length: count }, (_, i) => `Runbook ${String(i).padStart(3, '0')}`), 'every flow is listed once');
  assert.equal(await flowsPage.locator('button', { hasText: 'More flows' }).count(), 0, 'the last page was not full: nothing more to load');
});
