/**
 * End to end, in Debian's Chromium against a real core with real sandboxed test plugins:
 * retry a failed node with edited inputs and watch the task finish; answer a waiting node's
 * callback; page through a node's logs and follow a waiting node's; disable and enable an installed plugin from the marketplace; create a periodic task
 * with its next-runs preview; follow a task live across the end of a session. Screenshots go to
 * test-artifacts/portal/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_ADMIN_PASSWORD } from '../../../core/dist/test-support/test-server.js';
import { end, graph, start, task } from '../../../core/dist/test-support/flow-helpers.js';
import { shot } from './session.js';
import { usePortal } from './portal-fixture.js';

const ui = usePortal({ testPlugins: true });

const bar = () => ui.page.locator('ol-task-monitor .bar');

test('retries a failed node with edited inputs from the monitor and watches the task finish', async () => {
  const id = await ui.ops.run(graph('Clean disk', [start(), task('work', '@test/flaky', { fail: 'disk full' }), end()], [['start', 'work'], ['work', 'end']]));
  await ui.ops.waitNode(id, 'work', 'failed');
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks/${id}`);
  await bar().locator('.badge', { hasText: 'failed' }).waitFor();
  await ui.page.locator('ol-flow-canvas .node.state--failed[data-id=work]').click();
  const detail = ui.page.locator('ol-node-detail');
  await detail.locator('.notice.error', { hasText: 'disk full' }).waitFor();
  // Operations that do not apply say why.
  const callback = detail.locator('.op', { hasText: 'Send callback' });
  assert.equal(await callback.locator('button').isDisabled(), true);
  assert.match((await callback.locator('.reason').textContent()) ?? '', /not waiting for a callback \(it is failed\)/);
  await detail.locator('button', { hasText: /^Retry$/ }).click();
  const inputs = detail.locator('#retry-inputs');
  assert.deepEqual(JSON.parse(await inputs.inputValue()), { fail: 'disk full' });
  await inputs.fill('{"fail": ""}');
  await shot(ui.page, '08-task-retry-form');
  await detail.locator('form button[type=submit]', { hasText: 'Retry' }).click();
  await bar().locator('.badge', { hasText: 'finished' }).waitFor({ timeout: 20_000 });
  await ui.page.locator('ol-flow-canvas .node.state--finished[data-id=work]').waitFor();
  await ui.page.locator('ol-flow-canvas .node.state--finished[data-id=end]').waitFor();
  const node = await ui.ops.node(id, 'work');
  assert.equal((node.inputs as { fail: string }).fail, '', 'the node ran with the edited input');
  await shot(ui.page, '08b-task-retried');
});

test('answers a waiting node with a callback; approval is refused with its reason on a plain callback node', async () => {
  const id = await ui.ops.run(graph('Wait for the load balancer', [start(), task('wait', '@test/waiter'), end()], [['start', 'wait'], ['wait', 'end']]));
  await ui.ops.waitNode(id, 'wait', 'waiting');
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks/${id}`);
  await ui.page.locator('ol-flow-canvas .node[data-id=wait]').click();
  const detail = ui.page.locator('ol-node-detail');
  const approve = detail.locator('.op', { hasText: 'Approve or reject' });
  await approve.waitFor();
  assert.equal(await approve.locator('button').isDisabled(), true);
  assert.match((await approve.locator('.reason').textContent()) ?? '', /only an approval node/);
  await detail.locator('button', { hasText: 'Send callback' }).click();
  await detail.locator('#cb').fill('{"drained": true}');
  await detail.locator('form button[type=submit]', { hasText: 'Send callback' }).click();
  await bar().locator('.badge', { hasText: 'finished' }).waitFor({ timeout: 20_000 });
  const node = await ui.ops.node(id, 'wait');
  assert.deepEqual((node.outputs as { got: unknown }).got, [{ drained: true }]);
});

test("a node's detail shows its newest log lines and loads the earlier ones on demand", async () => {
  const id = await ui.ops.run(graph('Chatty job', [start(), task('talk', '@test/chatty', { lines: 600, polls: 2 }), end()], [['start', 'talk'], ['talk', 'end']]));
  await ui.ops.waitState(id, 'finished');
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks/${id}`);
  await ui.page.locator('ol-flow-canvas .node[data-id=talk]').click();
  const log = ui.page.locator('ol-node-detail .log > div');
  await log.last().filter({ hasText: 'poll 2 line 599' }).waitFor();
  assert.equal(await log.count(), 1000);
  await ui.page.locator('ol-node-detail button.earlier').click();
  await log.first().filter({ hasText: 'execute line 0' }).waitFor();
  assert.equal(await log.count(), 1800);
  assert.equal(await ui.page.locator('ol-node-detail button.earlier').count(), 0, 'no earlier lines are left to load');
});

test("a waiting node's log is followed: lines it logs while it polls appear", async () => {
  const id = await ui.ops.run(graph('Long drain', [start(), task('drain', '@test/chatty', { lines: 1, polls: 100_000, delayMs: 100 }), end()], [['start', 'drain'], ['drain', 'end']]));
  await ui.ops.waitNode(id, 'drain', 'waiting');
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks/${id}`);
  await ui.page.locator('ol-flow-canvas .node[data-id=drain]').click();
  const log = ui.page.locator('ol-node-detail .log > div');
  await log.first().waitFor();
  const polls = Number(/poll (\d+) line 0$/.exec((await log.last().textContent())?.trim() ?? '')?.[1] ?? 0);
  await log.filter({ hasText: new RegExp(`poll ${polls + 3} line 0$`) }).waitFor();
  // Between polls the node waits; during one it runs. Either way it has not ended.
  assert.match((await ui.ops.get(id)).nodes.drain?.state ?? '', /^(waiting|running)$/, 'the lines came while the node polled, not with its end');
  assert.equal((await ui.ops.taskOp(id, 'revoke')).status, 200);
});

test('disables and enables an installed plugin from the marketplace, and opens its page', async () => {
  await ui.page.goto(`${ui.front.url}/#/p/ops/marketplace`);
  await ui.page.locator('ol-marketplace-page form.filters').waitFor();
  await ui.page.locator('ol-marketplace-page').getByText(/No published plugin matches|plugins? /).first().waitFor();
  await shot(ui.page, '06-marketplace');
  await ui.page.locator('ol-marketplace-page nav.tabs a[data-tab=installed]').click();
  const row = ui.page.locator('ol-marketplace-page tr[data-plugin="@test/echo@1.0.0"]');
  await row.locator('.badge.online').waitFor();
  const approve = row.locator('.op', { hasText: 'Approve capabilities' });
  assert.equal(await approve.locator('button').isDisabled(), true);
  assert.match((await approve.locator('.reason').textContent()) ?? '', /declares no capabilities/);
  await row.locator('button[data-op=disabled]').click();
  await row.locator('.badge.disabled').waitFor();
  const disabled = await ui.core.admin.call<{ status: string }>('GET', '/api/v1/plugins/%40test%2Fecho/versions/1.0.0');
  assert.equal(disabled.body.status, 'disabled');
  await shot(ui.page, '06b-marketplace-installed');
  await row.locator('button[data-op=online]').click();
  await row.locator('.badge.online').waitFor();
  await row.locator('a', { hasText: '@test/echo' }).click();
  await ui.page.waitForURL(/#\/p\/ops\/marketplace\/%40test%2Fecho$/);
  const plugin = ui.page.locator('ol-plugin-page');
  await plugin.locator('h1', { hasText: '@test/echo' }).waitFor();
  await plugin.locator('article[data-version="1.0.0"] .badge.online').waitFor();
  await shot(ui.page, '06c-plugin-page');
  const palette = await ui.core.admin.call<{ items: { name: string }[] }>('GET', '/api/v1/plugins?status=online');
  assert.ok(palette.body.items.some((p) => p.name === '@test/echo'), 'the editor palette offers it again');
});

test('creates a periodic task with a preview of its next runs, then disables it', async () => {
  await ui.page.goto(`${ui.front.url}/#/p/ops/periodic`);
  const pg = ui.page.locator('ol-periodic-page');
  await pg.locator('#p-template option').first().waitFor({ state: 'attached' });
  await pg.locator('#p-name').fill('Nightly clean');
  await pg.locator('#p-cron').fill('0 25 * * *');
  await pg.locator('#cron-preview .field-error', { hasText: 'hour: 25 is out of range 0-23' }).waitFor();
  await pg.locator('#p-cron').fill('*/5 * * * *');
  assert.equal(await pg.locator('#p-zone').inputValue(), 'UTC', 'the project time zone is the default');
  await pg.locator('#cron-preview li').nth(4).waitFor();
  await shot(ui.page, '09-periodic-form');
  await pg.locator('button[type=submit]', { hasText: 'Create schedule' }).click();
  await pg.locator('[role=status]', { hasText: 'Schedule “Nightly clean” created.' }).waitFor();
  const row = pg.locator('tr[data-name="Nightly clean"]');
  await row.locator('code', { hasText: '*/5 * * * *' }).waitFor();
  await pg.locator('h2', { hasText: 'Nightly clean' }).waitFor();
  await pg.locator('ol.preview li').first().waitFor();
  await shot(ui.page, '09b-periodic');
  await row.locator('input[type=checkbox]').uncheck();
  await pg.locator('[role=status]', { hasText: 'Nightly clean disabled.' }).waitFor();
  const list = await ui.core.admin.call<{ items: { name: string; enabled: boolean; cron: string }[] }>('GET', '/api/v1/projects/ops/periodic-tasks');
  assert.deepEqual(list.body.items.map((p) => [p.name, p.cron, p.enabled]), [['Nightly clean', '*/5 * * * *', false]]);
});

test('a task followed live says the session ended when the stream is refused, and follows again after signing in', async () => {
  const id = await ui.ops.run(graph('Wait for the window', [start(), task('wait', '@test/waiter'), end()], [['start', 'wait'], ['wait', 'end']]));
  await ui.ops.waitNode(id, 'wait', 'waiting');
  await ui.page.goto(`${ui.front.url}/#/p/ops/tasks/${id}`);
  await bar().locator('.live', { hasText: '● live' }).waitFor();
  // The session ends while the stream is open; then the connection drops, and the browser's
  // reconnection is refused (401): EventSource gives up for good.
  await ui.page.context().clearCookies();
  ui.front.dropConnections();
  await ui.page.locator('ol-sign-in [role=status]', { hasText: 'Your session ended' }).waitFor();
  await ui.page.locator('ol-sign-in #username').fill('admin');
  await ui.page.locator('ol-sign-in #password').fill(TEST_ADMIN_PASSWORD);
  await ui.page.locator('ol-sign-in button[type=submit]').click();
  await bar().locator('.live', { hasText: '● live' }).waitFor();
  assert.ok(ui.page.url().endsWith(`/tasks/${id}`), 'back on the task followed');
});
