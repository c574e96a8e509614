// The shared suite (suite.js) in headless Chromium against the web build: js/web.js and
// pkg/web served straight from the repository, so the browser fetches the real .wasm.
// One subtest per case, named as in the Node run, so the output lists each one.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeApi from 'didcomm-wasm';
import { allCases } from './suite.js';
import { fixtureFiles, root } from './fixtures.js';
import { launchChromium, serveStatic, watchErrors } from './chromium.js';

// Absolute imports: the page is served from the repository root.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module">
import * as api from '/js/web.js';
import { allCases } from '/js-tests/suite.js';

window.runSuite = async (files) => {
  const cases = await allCases(api, files);
  const results = [];
  for (const { name, fn } of cases) {
    try {
      await fn();
      results.push({ name, ok: true });
    } catch (e) {
      results.push({ name, ok: false, error: String((e && e.stack) || e) });
    }
  }
  return results;
};
window.suiteReady = true;
</script>
`;

const files = fixtureFiles();
// The Node run's case names: the browser must run exactly these.
const expected = (await allCases(nodeApi, files)).map((c) => c.name);

describe('web build in headless Chromium', () => {
  let browser;
  let server;
  let results = new Map();

  before(async () => {
    server = await serveStatic(root, {
      routes: { '/js-tests/browser.html': { type: 'text/html; charset=utf-8', body: PAGE } },
    });
    browser = await launchChromium();
    const page = await browser.newPage();
    // A failed import or a rejected top-level await (e.g. the .wasm fetch) rejects `failed`.
    const { failed, withErrors } = watchErrors(page);
    await page.goto(`${server.url}/js-tests/browser.html`);
    try {
      await Promise.race([page.waitForFunction(() => window.suiteReady === true, null, { timeout: 30_000 }), failed]);
    } catch (e) {
      throw withErrors(e);
    }
    const list = await page.evaluate((f) => window.runSuite(f), files);
    results = new Map(list.map((r) => [r.name, r]));
    assert.equal(results.size, list.length, 'browser case names are unique');
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test(`runs the same ${expected.length} cases as Node`, () => {
    assert.ok(expected.length >= 34, `Node suite has ${expected.length} cases`);
    assert.deepEqual([...results.keys()], expected);
  });

  for (const name of expected) {
    test(name, () => {
      const r = results.get(name);
      assert.ok(r, 'case did not run in the browser');
      if (!r.ok) assert.fail(r.error);
    });
  }
});
