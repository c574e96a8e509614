// Test helpers for the browser tests: Debian's Chromium through playwright-core (no
// browser download), and the static file server of scripts/serve.mjs.
import { chromium } from 'playwright-core';

export { serveStatic } from '../scripts/serve.mjs';

/**
 * Headless Chromium from /usr/bin/chromium. Playwright gives each launch a fresh temporary
 * --user-data-dir of its own (and deletes it on close), so runs share no profile state.
 */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox', // containers usually lack the user namespaces the sandbox needs
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // No traffic of Chromium's own: this machine has no network, and tests must not depend on it.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

