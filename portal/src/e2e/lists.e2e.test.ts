/**
 * End to end, in Debian's Chromium against a real core: the portal's long lists load a page at a
 * time and reach their last row; a flow is deleted from the flows list once confirmed, and one
 * still in use only after the user has read what uses it.
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

test('deleting a flow asks first; one a periodic task or another flow uses names them and needs "Delete anyway"', async () => {
  const lone = await ui.ops.template(graph('Old cleanup', [start(), end()], [['start', 'end']]));
  const child = await ui.ops.template(graph('Shared step', [start(), end()], [['start', 'end']]));
  await ui.ops.template(graph('Caller', [start(), { id: 'sub', type: 'subflow', template: { id: child, version: 1 }, params: {} } as never, end()], [['start', 'sub'], ['sub', 'end']]));
  const periodic = await ui.core.admin.call('POST', '/api/v1/projects/ops/periodic-tasks', { name: 'Nightly shared', templateId: child, cron: '0 3 * * *', enabled: false });
  assert.equal(periodic.status, 201, JSON.stringify(periodic.body));
  const exists = async (id: string) => (await ui.core.admin.call('GET', `/api/v1/projects/ops/templates/${id}`)).status === 200;

  await ui.page.goto(`${ui.front.url}/#/p/ops/flows`);
  await ui.page.reload(); // the page may be on the flows list already, loaded before these flows were
  const flowsPage = ui.page.locator('ol-flows-page');
  const dialog = flowsPage.locator('[role=alertdialog]');
  await flowsPage.locator('button[aria-label="Delete Old cleanup"]').click();
  await dialog.getByText('Delete Old cleanup?').waitFor();
  await dialog.locator('button', { hasText: 'Cancel' }).click();
  assert.equal(await dialog.count(), 0);
  assert.ok(await exists(lone), 'cancelled: still there');
  await flowsPage.locator('button[aria-label="Delete Old cleanup"]').click();
  await dialog.locator('button', { hasText: /^Delete$/ }).click();
  await flowsPage.locator('[role=status]', { hasText: 'Deleted Old cleanup.' }).waitFor();
  await flowsPage.locator('tbody a', { hasText: 'Old cleanup' }).waitFor({ state: 'detached' });
  assert.equal(await exists(lone), false);

  await flowsPage.locator('button[aria-label="Delete Shared step"]').click();
  await dialog.locator('button', { hasText: /^Delete$/ }).click();
  await dialog.locator('button', { hasText: 'Delete anyway' }).waitFor();
  const said = (await dialog.textContent()) ?? '';
  assert.match(said, /Periodic task “Nightly shared” runs it\./);
  assert.match(said, /Flow “Caller” calls it as a subflow\./);
  assert.ok(await exists(child), 'refused while in use');
  await dialog.locator('button', { hasText: 'Delete anyway' }).click();
  await flowsPage.locator('[role=status]', { hasText: 'Deleted Shared step.' }).waitFor();
  assert.equal(await exists(child), false);
});
