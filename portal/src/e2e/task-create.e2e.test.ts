/**
 * End to end, in Debian's Chromium against a real core: creating a task from the New task page
 * creates it once, whatever happens to the start asked for with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { end, graph, start } from '../../../core/dist/test-support/flow-helpers.js';
import { usePortal } from './portal-fixture.js';

const ui = usePortal();

const tasksOf = async (templateId: string) =>
  (await ui.core.admin.call<{ items: { id: string; state: string }[] }>('GET', `${ui.ops.base}/tasks?templateId=${templateId}`)).body.items;

test('a task created but not started opens, says why it did not start and starts from there', async () => {
  const tpl = await ui.ops.template(graph('Flush caches', [start(), end()], [['start', 'end']]));
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks/new?template=${tpl}`);
  const form = ui.page.locator('ol-task-create form');
  await form.locator('#name').fill('flush now');
  // The connection drops on the start call: the task exists, it did not start.
  await ui.page.route('**/api/v1/projects/ops/tasks/*/start', (route) => route.abort('connectionreset'));
  try {
    await form.locator('button', { hasText: 'Create and start' }).click();
    await ui.page.waitForURL(/#\/p\/ops\/tasks\/(?!new)[^/?]+\?startFailed=/);
  } finally {
    await ui.page.unroute('**/api/v1/projects/ops/tasks/*/start');
  }
  const bar = ui.page.locator('ol-task-monitor .bar');
  await bar.locator('[role=alert]', { hasText: /created, but starting it failed: the server could not be reached/ }).waitFor();
  const created = await tasksOf(tpl);
  assert.equal(created.length, 1, 'one task');
  assert.equal(created[0]!.state, 'created');
  assert.ok(ui.page.url().includes(`/tasks/${created[0]!.id}?`), 'the monitor shows the task created');
  await bar.locator('button', { hasText: 'Start' }).click();
  await bar.locator('.badge', { hasText: 'finished' }).waitFor();
  assert.equal(await bar.locator('[role=alert]').count(), 0, 'once started, the failed start is no longer said');
  assert.equal((await tasksOf(tpl)).length, 1);
});

test('a task name typed on the form is kept when a create is refused', async () => {
  const tpl = await ui.ops.template(graph('Rotate keys', [start(), end()], [['start', 'end']]));
  // The proposed name carries the time: let time pass between typing and the refusal.
  await ui.page.clock.install();
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks/new?template=${tpl}`);
  const form = ui.page.locator('ol-task-create form');
  const typed = `rotate ${'k'.repeat(130)}`;
  await form.locator('#name').fill(typed);
  await ui.page.clock.fastForward('02:00');
  await form.locator('button', { hasText: /^Create$/ }).click();
  await form.locator('[role=alert]', { hasText: 'body.name' }).waitFor();
  assert.equal(await form.locator('#name').inputValue(), typed, 'the typed name is still there to correct');
  assert.equal((await tasksOf(tpl)).length, 0);
});

test('the flow choosers (new task, periodic task) list every flow of the project, past the pages core lists at once', async () => {
  const count = 501;
  const names = Array.from({ length: count }, (_, i) => `Runbook ${String(i).padStart(3, '0')}`);
  for (const name of names) await ui.ops.template(graph(name, [start(), end()], [['start', 'end']]));
  await ui.page.goto(`${ui.front.url}/#/p/ops/flows`);
  await ui.page.locator('ol-flows-page h1').waitFor();
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks/new`);
  const chooser = ui.page.locator('ol-task-create #tpl');
  await chooser.locator('option', { hasText: 'Runbook 000' }).waitFor({ state: 'attached' });
  const listed = (await chooser.locator('option').allTextContents()).filter((o) => o.startsWith('Runbook')).map((o) => o.replace(/ \(v\d+\)$/, ''));
  assert.deepEqual(listed.sort(), names, 'every flow once, the least recently changed too');
  // The periodic task form chooses among the same flows.
  await ui.page.goto(`${ui.front.url}/#/p/ops/periodic`);
  const periodic = ui.page.locator('ol-periodic-page #p-template');
  await periodic.locator('option', { hasText: 'Runbook 000' }).waitFor({ state: 'attached' });
  const scheduled = (await periodic.locator('option').allTextContents()).filter((o) => o.startsWith('Runbook')).map((o) => o.replace(/ \(v\d+\)$/, ''));
  assert.deepEqual(scheduled.sort(), names, 'the periodic form lists every flow too');
});
