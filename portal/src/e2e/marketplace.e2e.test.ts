/**
 * End to end, in Debian's Chromium against a real core with its embedded registry: a plugin
 * published to the registry appears in the marketplace; an administrator installs it from its
 * page (accepting that it is unsigned, approving the capabilities of the contents the page showed)
 * and it becomes installed and online; the confirmation of a later approval is usable from the keyboard.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { requestToken } from '../../../plugin-registry/dist/index.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../../../core/dist/test-support/test-server.js';
import { packTarball } from '../../../core/dist/bootstrap/package-tarball.js';
import { publishPackage } from '../../../core/dist/bootstrap/registry-publish.js';
import { launchChromium } from './browser.js';
import { startPortalServer, type PortalServer } from './portal-server.js';
import { buildIntoTemp, shot, signIn } from './session.js';

const NAME = '@opsloom/e2e-greeter';
let core: TestServer;
let front: PortalServer;
let browser: Browser;
let page: Page;
let publicDir: string;

before(async () => {
  publicDir = await buildIntoTemp();
  // The first-start bootstrap (standard plugins) is not what this test is about.
  process.env.OPSLOOM_BOOTSTRAP = 'off';
  core = await startTestServer({ OPSLOOM_REGISTRY: 'embedded', OPSLOOM_REGISTRY_PORT: '0' });
  assert.equal((await core.admin.call('POST', '/api/v1/projects', { key: 'ops', name: 'Operations' })).status, 201);
  const registryUrl = (await core.admin.call<{ url: string }>('GET', '/api/v1/registry')).body.url;
  const token = await requestToken(registryUrl, 'admin', TEST_ADMIN_PASSWORD);
  // 1.1.0 asks for one capability more, which its install does not inherit the approval of.
  for (const [version, capabilities] of [['1.0.0', ['log']], ['1.1.0', ['log', 'http:https://greetings.example']]] as const) {
    const pkg = {
      name: NAME, version, description: 'Greets whoever it is given', keywords: ['opsloom-plugin'],
      opsloom: { plugin: { title: 'E2E greeter', category: 'examples', runtime: 'isolate', entry: 'dist/plugin.js', inputs: { type: 'object', properties: { who: { type: 'string' } } }, outputs: { type: 'object' }, mode: 'sync', capabilities, limits: { memoryMb: 32, timeoutMs: 1000 } } },
    };
    const readme = '# E2E greeter\n\nSays hello.\n';
    await publishPackage(registryUrl, token, {
      pkg, readme,
      tarball: packTarball([
        { path: 'package.json', data: Buffer.from(JSON.stringify(pkg)) },
        { path: 'README.md', data: Buffer.from(readme) },
        { path: 'dist/plugin.js', data: Buffer.from('var __opsloomPlugin = definePlugin({ execute(i) { return { greeting: "hello " + i.who }; } });') },
      ]),
    });
  }
  for (let i = 0; i < 100; i++) {
    const r = await core.admin.call('GET', `/api/v1/marketplace/plugins/${encodeURIComponent(NAME)}/versions/1.1.0`);
    if (r.status === 200) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  front = await startPortalServer({ publicDir, apiUrl: core.url });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  page.setDefaultTimeout(15_000);
  await signIn(page, front.url, 'admin', TEST_ADMIN_PASSWORD);
});

after(async () => {
  await browser?.close();
  await front?.close();
  await core?.close();
  delete process.env.OPSLOOM_BOOTSTRAP;
  rmSync(publicDir, { recursive: true, force: true });
});

test('installs a published plugin from its marketplace page', async () => {
  await page.goto(`${front.url}/#/p/ops/marketplace/${encodeURIComponent(NAME)}`);
  const version = page.locator('ol-plugin-page article[data-version="1.0.0"]');
  await version.waitFor();
  await page.locator('ol-plugin-page', { hasText: 'Says hello.' }).waitFor();
  await shot(page, 'marketplace-plugin');
  await version.locator('input[name=allowUnsigned]').check();
  await version.locator('input[name=approve]').check();
  const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/versions/1.0.0/install'));
  await version.locator('button', { hasText: 'Install 1.0.0' }).click();
  await page.locator('ol-plugin-page', { hasText: `Installed ${NAME}@1.0.0` }).waitFor();
  // The install names the contents the page showed, so the registry cannot slip others under the approval.
  const listed = await core.admin.call<{ integrity: string }>('GET', `/api/v1/marketplace/plugins/${encodeURIComponent(NAME)}/versions/1.0.0`);
  assert.equal(((await sent).postDataJSON() as { integrity?: string }).integrity, listed.body.integrity);
  await version.locator('.badge', { hasText: 'installed · online' }).waitFor();
  const installed = await core.admin.call<{ status: string; approvedCapabilities: string[] | null }>('GET', `/api/v1/plugins/${encodeURIComponent(NAME)}/versions/1.0.0`);
  assert.equal(installed.body.status, 'online');
  assert.deepEqual(installed.body.approvedCapabilities, ['log']);
});

test('the capability approval takes the focus, closes on Escape and gives the focus back to its button', async () => {
  const install = await core.admin.call('POST', `/api/v1/marketplace/plugins/${encodeURIComponent(NAME)}/versions/1.1.0/install`, { allowUnsigned: true });
  assert.equal(install.status, 200, JSON.stringify(install.body));
  await page.goto(`${front.url}/#/p/ops/marketplace/${encodeURIComponent(NAME)}`);
  await page.reload();
  const actions = page.locator('ol-plugin-page article[data-version="1.1.0"] ol-plugin-actions');
  const opener = actions.locator('button[data-op=approve]');
  const dialog = actions.locator('[role=dialog]');
  const focused = async (el: typeof dialog, what: string) => {
    await page.waitForFunction((e) => (e as Element).matches(':focus-within'), await el.elementHandle(), { timeout: 5_000 }).catch(() => assert.fail(what));
  };
  await opener.click();
  await focused(dialog, 'the confirmation has the focus once open');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await focused(opener, 'Escape gives the focus back to the button');
  await page.keyboard.press('Enter');
  await focused(dialog, 'opened again from the keyboard');
  await dialog.locator('button', { hasText: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  await focused(opener, 'Cancel gives the focus back to the button');
  const plugin = await core.admin.call<{ approvedCapabilities: string[] | null }>('GET', `/api/v1/plugins/${encodeURIComponent(NAME)}/versions/1.1.0`);
  assert.ok(!plugin.body.approvedCapabilities?.includes('http:https://greetings.example'), 'nothing was approved');

  // Confirmed, the approval names the contents the dialog showed, and core accepts it.
  await opener.click();
  await dialog.locator('button', { hasText: 'Approve these capabilities' }).click();
  await dialog.waitFor({ state: 'detached' });
  const approved = await core.admin.call<{ approvedCapabilities: string[] | null }>('GET', `/api/v1/plugins/${encodeURIComponent(NAME)}/versions/1.1.0`);
  assert.ok(approved.body.approvedCapabilities?.includes('http:https://greetings.example'), JSON.stringify(approved.body));
});
