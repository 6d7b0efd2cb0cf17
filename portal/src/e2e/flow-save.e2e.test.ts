/**
 * End to end, in Debian's Chromium against a real core: saving a flow from the editor shows the
 * server's refusal as it is, graph problems on their nodes and any other problem by its field; a
 * new flow, once saved, is that template from then on; a refused edit of a variable is undone; a
 * save over a version someone else saved meanwhile is refused, and the editor offers to reload it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_ADMIN_PASSWORD } from '../../../core/dist/test-support/test-server.js';
import { end, graph, start } from '../../../core/dist/test-support/flow-helpers.js';
import { usePortal } from './portal-fixture.js';

const ui = usePortal();

test('a flow name the server refuses is named in the message, not counted as a problem of the flow', async () => {
  await ui.page.goto(`${ui.front.url}/#/p/ops/flows/new`);
  const editor = ui.page.locator('ol-flow-editor');
  await editor.locator('#flow-name').fill('x'.repeat(200));
  await editor.locator('#flow-name').press('Tab');
  await editor.locator('.toolbar button', { hasText: /^Save$/ }).click();
  const status = editor.locator('.status.error');
  await status.filter({ hasText: 'Not saved' }).waitFor();
  assert.match((await status.textContent()) ?? '', /body\.name: .*128/, 'the message names the refused field and its limit');
  assert.equal(await editor.locator('[role=tab]', { hasText: /Problems \(\d+\)/ }).count(), 0, 'no problem is pinned on the flow');
  assert.equal(await editor.locator('#flow-name').inputValue(), 'x'.repeat(200), 'what was typed is kept');
  const list = await ui.core.admin.call<{ items: unknown[] }>('GET', '/api/v1/projects/ops/templates');
  assert.equal(list.body.items.length, 0);
});

test('a new flow saved once stays that template when the portal renders it again (after signing in again)', async () => {
  const before = (await ui.core.admin.call<{ items: unknown[] }>('GET', '/api/v1/projects/ops/templates')).body.items.length;
  await ui.page.goto(`${ui.front.url}/#/p/ops/flows/new`);
  const editor = ui.page.locator('ol-flow-editor');
  await editor.locator('ol-flow-canvas .node[data-id=start]').waitFor();
  const flow = JSON.stringify(graph('Rotate logs', [start(), end()], [['start', 'end']]));
  await editor.evaluate((el, json) => (el as unknown as { loadGraph(g: unknown): void }).loadGraph(JSON.parse(json)), flow);
  await editor.locator('.toolbar button', { hasText: /^Save$/ }).click();
  await editor.locator('.status', { hasText: 'as version 1' }).waitFor();
  await ui.page.waitForURL(/#\/p\/ops\/flows\/(?!new)[^/]+$/);
  // The session ends; the next call is refused and the portal asks to sign in again, then
  // renders the page of its route afresh.
  await ui.page.context().clearCookies();
  await editor.locator('.toolbar button', { hasText: /^Check$/ }).click();
  await ui.page.locator('ol-sign-in #username').fill('admin');
  await ui.page.locator('ol-sign-in #password').fill(TEST_ADMIN_PASSWORD);
  await ui.page.locator('ol-sign-in button[type=submit]').click();
  await editor.locator('.badge', { hasText: 'v1' }).waitFor();
  await editor.locator('.toolbar button', { hasText: 'Save new version' }).click();
  await editor.locator('.status', { hasText: 'as version 2' }).waitFor();
  const list = await ui.core.admin.call<{ items: { name: string; latestVersion: number }[] }>('GET', '/api/v1/projects/ops/templates');
  assert.equal(list.body.items.length, before + 1, 'one template, not a duplicate');
  assert.equal(list.body.items.find((t) => t.name === 'Rotate logs')?.latestVersion, 2);
});

test('a refused variable rename puts the key back in its input', async () => {
  await ui.page.goto(`${ui.front.url}/#/p/ops/flows/new`);
  const editor = ui.page.locator('ol-flow-editor');
  await editor.locator('[role=tab]', { hasText: 'Variables' }).click();
  const panel = editor.locator('ol-variables-panel');
  for (const key of ['region', 'zone']) {
    await panel.locator('#new-var').fill(key);
    await panel.locator('button', { hasText: 'Add variable' }).click();
    await panel.locator(`#v-${key}-key`).waitFor();
  }
  for (const refused of ['1region', 'zone']) {
    await panel.locator('#v-region-key').fill(refused);
    await panel.locator('#v-region-key').press('Tab');
    await panel.locator('[role=alert]', { hasText: refused }).waitFor();
    assert.equal(await panel.locator('#v-region-key').inputValue(), 'region', `${refused} refused, the key is region still`);
  }
  assert.deepEqual(Object.keys(await editor.evaluate((el) => (el as unknown as { graph: { variables: object } }).graph.variables)), ['region', 'zone']);
});

test('a template saved by someone else meanwhile is not overwritten: the save is refused with who saved which version, and the editor offers to reload it', async () => {
  const flow = graph('Shared runbook', [start(), end()], [['start', 'end']]);
  const made = await ui.core.admin.call<{ id: string }>('POST', '/api/v1/projects/ops/templates', { name: 'Shared runbook', graph: flow });
  await ui.page.goto(`${ui.front.url}/#/p/ops/flows/${made.body.id}`);
  const editor = ui.page.locator('ol-flow-editor');
  await editor.locator('.badge', { hasText: 'v1' }).waitFor();
  // Another editor saves version 2 while this one still holds version 1.
  const theirs = await ui.core.admin.call('PUT', `/api/v1/projects/ops/templates/${made.body.id}`, { graph: { ...flow, name: 'Shared runbook (theirs)' }, comment: 'theirs' });
  assert.equal(theirs.status, 200);
  await editor.locator('.toolbar button', { hasText: 'Save new version' }).click();
  const status = editor.locator('.status.error');
  await status.filter({ hasText: 'Not saved' }).waitFor();
  assert.match((await status.textContent()) ?? '', /changed since version 1: version 2 was saved by admin/);
  const versions = await ui.core.admin.call<{ items: { version: number }[] }>('GET', `/api/v1/projects/ops/templates/${made.body.id}/versions`);
  assert.deepEqual(versions.body.items.map((v) => v.version), [2, 1], 'their version was kept, nothing was saved over it');
  await status.locator('button', { hasText: 'Reload latest version' }).click();
  await editor.locator('.badge', { hasText: 'v2' }).waitFor();
  await editor.locator('.status', { hasText: 'Loaded version 2' }).waitFor();
  assert.equal(await editor.locator('#flow-name').inputValue(), 'Shared runbook (theirs)', 'their graph is in the editor');
  await editor.locator('.toolbar button', { hasText: 'Save new version' }).click();
  await editor.locator('.status', { hasText: 'as version 3' }).waitFor();
});
