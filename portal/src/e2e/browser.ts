/** Launches Debian's Chromium through playwright-core with the flags that work on our machines. */
import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';

/** Where the browser is expected (`apt-get install -y chromium`); OPSLOOM_CHROMIUM overrides it. */
export const CHROMIUM_PATH = process.env.OPSLOOM_CHROMIUM ?? '/usr/bin/chromium';

/** Starts headless Chromium; throws a clear error when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}; install it with "apt-get install -y chromium" (or set OPSLOOM_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
