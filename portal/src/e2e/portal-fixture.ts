/** The setup most end-to-end tests share: a real core, the portal in front of it, Chromium signed in. */
import { after, before } from 'node:test';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../../../core/dist/test-support/test-server.js';
import { installTestPlugins } from '../../../core/dist/test-support/test-plugins.js';
import { flows } from '../../../core/dist/test-support/flow-helpers.js';
import { launchChromium } from './browser.js';
import { startPortalServer, type PortalServer } from './portal-server.js';
import { buildIntoTemp, signIn } from './session.js';

export interface PortalFixture {
  core: TestServer;
  /** Flow helpers for project `ops`, as its admin. */
  ops: ReturnType<typeof flows>;
  front: PortalServer;
  browser: Browser;
  page: Page;
  /** Stops the browser, the front and core, and removes the built portal. */
  close(): Promise<void>;
}

/**
 * Builds the portal, starts core with project `ops` (UTC) and the front, opens a page and signs in
 * as admin through the form.
 * @param options.testPlugins install core's sandboxed test plugins (`@test/echo`, …)
 * @param options.height the page's viewport height (1366 px wide)
 */
export async function openPortal(options: { testPlugins?: boolean; height?: number } = {}): Promise<PortalFixture> {
  const publicDir = await buildIntoTemp();
  const parts: Partial<PortalFixture> = {};
  const close = async (): Promise<void> => {
    await parts.browser?.close();
    await parts.front?.close();
    await parts.core?.close();
    rmSync(publicDir, { recursive: true, force: true });
  };
  try {
    const core = parts.core = await startTestServer();
    const project = await core.admin.call('POST', '/api/v1/projects', { key: 'ops', name: 'Operations', timeZone: 'UTC' });
    if (project.status !== 201) throw new Error(`creating project ops answered ${project.status}: ${JSON.stringify(project.body)}`);
    if (options.testPlugins) await installTestPlugins(core);
    const front = parts.front = await startPortalServer({ publicDir, apiUrl: core.url });
    const browser = parts.browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1366, height: options.height ?? 860 } });
    page.setDefaultTimeout(10_000);
    await signIn(page, front.url, 'admin', TEST_ADMIN_PASSWORD);
    return { core, ops: flows(core.admin, 'ops'), front, browser, page, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Opens the portal before a test file's tests and closes it after them. The fixture's fields are
 * set once `before` has run, so tests read them from the returned object.
 *
 * @example
 * const ui = usePortal({ testPlugins: true });
 * test('…', async () => { await ui.page.goto(`${ui.front.url}/#/p/ops/tasks`); });
 */
export function usePortal(options: Parameters<typeof openPortal>[0] = {}): PortalFixture {
  const ui = {} as PortalFixture;
  before(async () => { Object.assign(ui, await openPortal(options)); });
  after(async () => { await ui.close?.(); });
  return ui;
}
