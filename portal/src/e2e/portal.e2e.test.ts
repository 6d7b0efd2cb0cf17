/**
 * End to end, in Debian's Chromium against a real core: sign in, switch project, build a flow by
 * dragging from the palette and connecting endpoints, see a bad connection refused, save it
 * (or see clearly that the server cannot store flows yet), and visit every main page, saving a
 * screenshot of each under test-artifacts/portal/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../../../core/dist/test-support/test-server.js';
import { buildPortal } from '../build/bundle.js';
import { launchChromium } from './browser.js';
import { startPortalServer, type PortalServer } from './portal-server.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/portal/', import.meta.url));

let core: TestServer;
let front: PortalServer;
let browser: Browser;
let page: Page;
let publicDir: string;
let templatesApi = false;

before(async () => {
  publicDir = mkdtempSync(join(tmpdir(), 'opsloom-portal-e2e-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildPortal({ outDir: publicDir, minify: false });
  core = await startTestServer();
  for (const [key, name] of [['ops', 'Operations'], ['web', 'Web team']]) {
    const r = await core.admin.call('POST', '/api/v1/projects', { key, name });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  templatesApi = (await core.admin.call('GET', '/api/v1/projects/ops/templates')).status === 200;
  front = await startPortalServer({ publicDir, apiUrl: core.url });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 820 } });
  page.setDefaultTimeout(10_000);
});

after(async () => {
  await browser?.close();
  await front?.close();
  await core?.close();
  rmSync(publicDir, { recursive: true, force: true });
});

const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
const editorGraph = () => page.evaluate(() => {
  const app = document.querySelector('ol-app')!;
  const editor = app.shadowRoot!.querySelector('ol-flow-editor') as unknown as { graph: { nodes: { id: string; type: string }[]; flows: { source: string; target: string }[] } };
  return { nodes: editor.graph.nodes.map((n) => `${n.id}:${n.type}`), flows: editor.graph.flows.map((f) => `${f.source}>${f.target}`) };
});

async function dragBetween(from: string, to: string): Promise<void> {
  const a = await page.locator(from).boundingBox();
  const b = await page.locator(to).boundingBox();
  assert.ok(a && b, `both ${from} and ${to} are on screen`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 10, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

test('signs in with the session cookie and lands in a project; the token is not kept in storage', async () => {
  await page.goto(front.url);
  await page.locator('ol-sign-in #username').waitFor();
  await shot('01-sign-in');
  await page.locator('ol-sign-in #username').fill('admin');
  await page.locator('ol-sign-in #password').fill('wrong-password');
  await page.locator('ol-sign-in button[type=submit]').click();
  await page.locator('ol-sign-in [role=alert]').filter({ hasText: /wrong username or password/ }).waitFor();
  await page.locator('ol-sign-in #password').fill(TEST_ADMIN_PASSWORD);
  await page.locator('ol-sign-in button[type=submit]').click();
  await page.waitForURL(/#\/p\/(ops|web)\/flows$/);
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.doesNotMatch(storage, /token|sess_|\.[A-Za-z0-9_-]{20,}/i);
  const cookies = await page.context().cookies();
  assert.ok(cookies.some((c) => c.name === 'opsloom_session' && c.httpOnly), 'the session is an httpOnly cookie');
});

test('switches project from the header and keeps the section', async () => {
  await page.goto(`${front.url}/#/p/ops/audit`);
  await page.locator('ol-audit-page h1').waitFor();
  await page.locator('#project').selectOption('web');
  await page.waitForURL(/#\/p\/web\/audit$/);
  await page.locator('#project').selectOption('ops');
  await page.waitForURL(/#\/p\/ops\/audit$/);
  await page.locator('ol-audit-page td code', { hasText: 'project.create' }).first().waitFor();
  await shot('05-audit');
  assert.equal(await page.locator('nav a[aria-current=page]').textContent(), 'Audit');
});

test('flows page shows the templates or says plainly that the API is missing', async () => {
  await page.goto(`${front.url}/#/p/ops/flows`);
  if (templatesApi) await page.locator('ol-flows-page').getByText(/No flows yet|Run…/).first().waitFor();
  else await page.locator('ol-flows-page').getByText('does not offer the templates API yet').waitFor();
  await shot('02-flows');
});

test('builds a flow by dragging from the palette and connecting endpoints; refuses an invalid connection with its reason', async () => {
  await page.goto(`${front.url}/#/p/ops/flows/new`);
  await page.locator('ol-flow-canvas .node[data-id=start]').waitFor();
  await page.locator('ol-flow-palette').getByText(/No plugin catalog on this server yet|Plugins/).first().waitFor();
  const canvas = await page.locator('ol-flow-canvas').boundingBox();
  assert.ok(canvas);
  await page.locator('ol-flow-palette button[data-palette=task]').dragTo(page.locator('ol-flow-canvas'), {
    targetPosition: { x: Math.round(canvas.width / 2), y: 120 },
  });
  await page.locator('ol-flow-canvas .node[data-id=task1]').waitFor();
  await dragBetween('ol-flow-canvas .ep-out-start', 'ol-flow-canvas .ep-in-task1');
  await dragBetween('ol-flow-canvas .ep-out-task1', 'ol-flow-canvas .ep-in-end');
  assert.deepEqual((await editorGraph()).flows, ['start>task1', 'task1>end']);

  await dragBetween('ol-flow-canvas .ep-out-start', 'ol-flow-canvas .ep-in-end');
  await page.locator('ol-flow-editor .status').getByText(/Connection refused: .*start.*already has its outgoing flow/).waitFor();
  assert.equal((await editorGraph()).flows.length, 2, 'the refused flow was not added');

  // Fill in the plugin through the inspector, by keyboard.
  await page.locator('ol-flow-canvas .node[data-id=task1]').focus();
  await page.keyboard.press('Enter');
  await page.locator('ol-node-inspector #plugin').fill('@opsloom/plugin-demo');
  await page.locator('ol-node-inspector #plugin').press('Tab');
  await page.locator('ol-node-inspector #version').fill('1.0.0');
  await page.locator('ol-node-inspector #version').press('Tab');
  await page.locator('ol-flow-editor #flow-name').fill('Restart web');
  await page.locator('ol-flow-editor #flow-name').press('Tab');

  // Undo and redo by keyboard on the canvas.
  await page.locator('ol-flow-canvas .node[data-id=task1]').focus();
  await page.keyboard.press('ArrowRight');
  const moved = await page.evaluate(() => (document.querySelector('ol-app')!.shadowRoot!.querySelector('ol-flow-editor') as unknown as { graph: { layout: Record<string, { x: number }> } }).graph.layout.task1!.x);
  await page.keyboard.press('Control+z');
  const undone = await page.evaluate(() => (document.querySelector('ol-app')!.shadowRoot!.querySelector('ol-flow-editor') as unknown as { graph: { layout: Record<string, { x: number }> } }).graph.layout.task1!.x);
  assert.equal(moved - undone, 10);
  await page.keyboard.press('Control+y');

  await page.locator('ol-flow-editor button', { hasText: /^Save$/ }).click();
  if (!templatesApi) {
    await page.locator('ol-flow-editor .status').getByText(/Saving needs the templates API/).waitFor();
    await shot('03-flow-editor');
    return;
  }
  // No plugin is installed on the test server: the server refuses the flow and the editor marks the node.
  await page.locator('ol-flow-editor .status').getByText(/Not saved: 1 problem/).waitFor();
  await page.locator('ol-flow-canvas .node--error[data-id=task1]').waitFor();
  await page.locator('ol-flow-editor [role=tabpanel]').getByText(/task1 uses plugin @opsloom\/plugin-demo@1.0.0/).waitFor();
  await shot('03-flow-editor-server-errors');
  // Editing the node takes its marker off until the next check: the problem may be gone.
  await page.locator('ol-flow-canvas .node[data-id=task1]').focus();
  await page.keyboard.press('Enter');
  await page.locator('ol-flow-editor [role=tab]', { hasText: 'Inspector' }).click();
  await page.locator('ol-node-inspector #version').fill('2.0.0');
  await page.locator('ol-node-inspector #version').press('Tab');
  await page.locator('ol-flow-canvas .node--error[data-id=task1]').waitFor({ state: 'detached' });

  // Replace the task by an exclusive gateway whose single flow is the default one.
  await page.locator('ol-flow-canvas .node[data-id=task1]').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Delete');
  assert.deepEqual((await editorGraph()).flows, []);
  await page.locator('ol-flow-palette button[data-palette=exclusive]').dragTo(page.locator('ol-flow-canvas'), {
    targetPosition: { x: Math.round(canvas.width / 2), y: 200 },
  });
  await page.locator('ol-flow-canvas .node[data-id=exclusive1]').waitFor();
  await dragBetween('ol-flow-canvas .ep-out-start', 'ol-flow-canvas .ep-in-exclusive1');
  await dragBetween('ol-flow-canvas .ep-out-exclusive1', 'ol-flow-canvas .ep-in-end');
  await page.locator('ol-node-inspector').getByText('Default flow (taken when no condition is true)').click();
  assert.deepEqual((await editorGraph()).flows, ['start>exclusive1', 'exclusive1>end']);
  await page.locator('ol-flow-editor button', { hasText: /^Save$/ }).click();
  await page.locator('ol-flow-editor .status').getByText(/Saved Restart web as version 1/).waitFor();
  await page.waitForURL(/#\/p\/ops\/flows\/(?!new)/);
  await shot('03-flow-editor');

  // A second version, then the diff of the two.
  await page.locator('ol-flow-editor #flow-name').fill('Restart web servers');
  await page.locator('ol-flow-editor #flow-name').press('Tab');
  await page.locator('ol-flow-editor #comment').fill('clearer name');
  await page.locator('ol-flow-editor button', { hasText: /^Save new version$/ }).click();
  await page.locator('ol-flow-editor .status').getByText(/as version 2/).waitFor();
  await page.locator('ol-flow-editor [role=tab]', { hasText: 'Versions' }).click();
  await page.locator('ol-versions-panel').getByText('clearer name').waitFor();
  await page.locator('ol-versions-panel input[type=checkbox]').nth(0).check();
  await page.locator('ol-versions-panel input[type=checkbox]').nth(1).check();
  await page.locator('ol-versions-panel button', { hasText: 'Compare selected' }).click();
  await page.locator('ol-graph-diff').getByText(/Renamed “Restart web” → “Restart web servers”/).waitFor();
  await shot('03b-version-diff');
});

test('runs the saved flow from the task form and watches it finish live', async (t) => {
  if (!templatesApi) {
    t.diagnostic('templates API missing: nothing to run');
    return;
  }
  await page.locator('ol-flow-editor a', { hasText: 'Run…' }).click();
  await page.locator('ol-task-create button', { hasText: 'Create and start' }).click();
  await page.waitForURL(/#\/p\/ops\/tasks\/(?!new)/);
  await page.locator('ol-task-monitor .bar .badge', { hasText: 'finished' }).waitFor({ timeout: 20_000 });
  await page.locator('ol-flow-canvas .node.state--finished[data-id=end]').waitFor();
  const revoke = page.locator('ol-task-monitor .op', { hasText: 'Revoke' });
  assert.equal(await revoke.locator('button').isDisabled(), true);
  assert.match((await revoke.locator('.reason').textContent()) ?? '', /the task is finished/);
  await page.locator('ol-flow-canvas .node[data-id=exclusive1]').click();
  await page.locator('ol-node-detail h2').getByText(/finished/).waitFor();
  await page.locator('ol-gantt-chart [role=row]').first().waitFor();
  await shot('04b-task-monitor');
});

test('tasks and marketplace pages show honest states', async () => {
  await page.goto(`${front.url}/#/p/ops/tasks`);
  await page.locator('ol-tasks-page h1').waitFor();
  await page.locator('ol-tasks-page').getByText(/No tasks|does not offer the tasks API yet|Task/).first().waitFor();
  await shot('04-tasks');
  await page.goto(`${front.url}/#/p/ops/marketplace`);
  await page.locator('ol-marketplace-page form.filters').waitFor();
  await page.locator('ol-marketplace-page').getByText(/No published plugin matches|plugins? /).first().waitFor();
});

test('the layout degrades to one column on a narrow screen', async () => {
  await page.setViewportSize({ width: 420, height: 800 });
  await page.goto(`${front.url}/#/p/ops/flows/new`);
  await page.locator('ol-flow-canvas .node[data-id=start]').waitFor();
  const nav = await page.locator('nav').boundingBox();
  const main = await page.locator('main').boundingBox();
  assert.ok(nav && main && main.y >= nav.y + nav.height - 1, 'the navigation sits above the content');
  await shot('07-narrow-editor');
  await page.setViewportSize({ width: 1366, height: 820 });
});
