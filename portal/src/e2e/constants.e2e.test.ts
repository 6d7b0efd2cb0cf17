/**
 * End to end, in Debian's Chromium against a real core: a project admin adds, changes and
 * deletes project constants on the settings page, and a viewer only reads them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { end, graph, start } from '../../../core/dist/test-support/flow-helpers.js';
import { usePortal } from './portal-fixture.js';
import { shot, signIn } from './session.js';

const ui = usePortal();

type Constant = { key: string; value: string; description: string | null };
const listed = async (): Promise<Constant[]> =>
  (await ui.core.admin.call<{ items: Constant[] }>('GET', '/api/v1/projects/ops/constants')).body.items;

test('an admin adds, changes and deletes a constant on the settings page; the API has what the page did', async () => {
  await ui.page.goto(`${ui.front.url}/#/p/ops/flows`);
  await ui.page.locator('ol-app nav a', { hasText: 'Settings' }).click();
  await ui.page.waitForURL(/#\/p\/ops\/settings$/);
  const section = ui.page.locator('ol-project-constants');
  await section.locator('.empty', { hasText: 'No constants yet' }).waitFor();

  await section.locator('#c-key').fill('DB_HOST');
  await section.locator('#c-value').fill('db1.internal');
  await section.locator('#c-description').fill('primary database');
  await section.locator('button[type=submit]', { hasText: 'Add constant' }).click();
  await section.locator('[role=status]', { hasText: 'Added DB_HOST.' }).waitFor();
  await section.locator('tr[data-key="DB_HOST"]', { hasText: 'db1.internal' }).waitFor();
  assert.deepEqual(await listed(), [{ key: 'DB_HOST', value: 'db1.internal', description: 'primary database' }]);
  assert.equal(await section.locator('#c-key').inputValue(), '', 'the form is cleared for the next constant');

  await section.locator('#c-key').fill('class');
  await section.locator('#c-value').fill('x');
  await section.locator('button[type=submit]').click();
  await section.locator('[role=alert]', { hasText: 'reserved word' }).waitFor();
  assert.equal((await listed()).length, 1, 'the refused key was not stored');

  await section.getByRole('button', { name: 'Edit DB_HOST' }).click();
  assert.equal(await section.locator('#c-key').inputValue(), 'DB_HOST');
  assert.equal(await section.locator('#c-key').getAttribute('readonly'), '', 'the key of an existing constant is not edited');
  await section.locator('#c-value').fill('db2.internal');
  await section.locator('button[type=submit]', { hasText: 'Save' }).click();
  await section.locator('[role=status]', { hasText: 'Changed DB_HOST.' }).waitFor();
  await section.locator('tr[data-key="DB_HOST"]', { hasText: 'db2.internal' }).waitFor();
  assert.deepEqual(await listed(), [{ key: 'DB_HOST', value: 'db2.internal', description: 'primary database' }]);
  await shot(ui.page, '13-settings-constants');

  await ui.ops.template(graph('Migrate', [start(), end()], [['start', 'end']], { dsn: { type: 'string', value: 'postgres://${_env_DB_HOST}/app' } }));
  await section.getByRole('button', { name: 'Delete DB_HOST' }).click();
  const notice = section.locator('[role=status]', { hasText: 'Deleted DB_HOST.' });
  await notice.waitFor();
  assert.match(await notice.innerText(), /Still read by Migrate: their nodes that read it fail until it is set again/);
  await section.locator('.empty', { hasText: 'No constants yet' }).waitFor();
  assert.deepEqual(await listed(), []);
});

test('a viewer sees the constants but no way to change them', async () => {
  const projectId = (await ui.core.admin.call<{ id: string }>('GET', '/api/v1/projects/ops')).body.id;
  await ui.core.admin.call('PUT', '/api/v1/projects/ops/constants/REGION', { value: 'eu-west' });
  assert.equal((await ui.core.admin.call('POST', '/api/v1/users', { username: 'vera', password: 'vera-password-1' })).status, 201);
  assert.equal((await ui.core.admin.call('PUT', `/api/v1/projects/${projectId}/members/vera`, { role: 'viewer' })).status, 200);
  const page = await ui.browser.newPage({ viewport: { width: 1366, height: 860 } });
  try {
    await signIn(page, ui.front.url, 'vera', 'vera-password-1');
    await page.goto(`${ui.front.url}/#/p/ops/settings`);
    const section = page.locator('ol-project-constants');
    await section.locator('tr[data-key="REGION"]', { hasText: 'eu-west' }).waitFor();
    await section.getByText('Only project admins add, change or delete constants.').waitFor();
    assert.equal(await section.locator('form').count(), 0);
    assert.equal(await section.getByRole('button', { name: 'Delete REGION' }).count(), 0);
  } finally {
    await page.close();
  }
});
