/** Shared steps of the end-to-end tests: build the portal, start the front, sign in through the form. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { buildPortal } from '../build/bundle.js';

/** Where screenshots go (`test-artifacts/portal/`, not committed). */
export const ARTIFACTS: string = fileURLToPath(new URL('../../../test-artifacts/portal/', import.meta.url));

/** Builds the portal into a fresh temporary directory and returns it. */
export async function buildIntoTemp(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'opsloom-portal-e2e-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildPortal({ outDir: dir, minify: false });
  return dir;
}

/** Signs in as `username` through the sign-in form and waits for the first project page. */
export async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.locator('ol-sign-in #username').fill(username);
  await page.locator('ol-sign-in #password').fill(password);
  await page.locator('ol-sign-in button[type=submit]').click();
  await page.waitForURL(/#\/p\/[^/]+\/flows$/);
}

/** Saves a screenshot of the page under {@link ARTIFACTS}. */
export function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}
