// Chromium for the browser tests and bench/browser.js: Debian's Chromium through
// playwright-core (no browser download), and the static file server of scripts/serve.mjs.
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


/**
 * Collects a page's console errors and uncaught errors into `errors`. `failed` rejects at the
 * first uncaught error (a failed import, a rejected top-level await): race it against a wait
 * to stop at once rather than at the timeout. `withErrors(e)` is `e` with the lines appended.
 */
export function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  const failed = new Promise((_, reject) => page.on('pageerror', (e) => {
    errors.push(`pageerror: ${e.stack || e}`);
    reject(new Error('page error'));
  }));
  failed.catch(() => {}); // a later page error is the caller's to race, or no one's concern
  return { errors, failed, withErrors: (e) => new Error(`${e.message}\n${errors.join('\n')}`) };
}
