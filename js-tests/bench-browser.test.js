// Smoke test of `npm run bench:browser`: a --quick --json run in headless Chromium completes,
// every shared case has rates for both libraries and a passing interop check. Timing is not
// asserted: the numbers of a quick run on a busy machine say nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('../bench/browser.js', import.meta.url));

test('npm run bench:browser --quick --json: both libraries in Chromium on every shared case, interop ✓', { timeout: 120_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [BENCH, '--quick', '--json'], {
    timeout: 120_000, maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(stdout);
  assert.match(result.chromium, /^\d+\./);
  assert.deepEqual(Object.keys(result.libraries), ['didcomm-wasm', 'didcomm']);
  const shared = result.cases.filter((c) => c.shared);
  assert.ok(shared.length >= 30, `${shared.length} shared rows`);
  for (const c of shared) {
    for (const lib of ['didcomm-wasm', 'didcomm']) assert.ok(c[lib] > 0, `${c.case}: ${lib} ops/s is ${c[lib]}`);
    assert.ok(typeof c.ratio === 'number' && c.ratio > 0, `${c.case}: ratio ${c.ratio}`);
    assert.equal(c.interop, true, `${c.case}: interop`);
  }
  for (const c of result.cases.filter((r) => !r.shared)) assert.ok(c['didcomm-wasm'] > 0, `${c.case}: didcomm-wasm ops/s`);
  assert.ok(result.geomeanRatio > 0 && result.minRatio > 0 && result.minRatio <= result.geomeanRatio);
  assert.deepEqual(result.failures, []);
  assert.deepEqual(result.wasmSizes.map((s) => s.build), ['didcomm-wasm pkg/web', 'didcomm']);
  for (const s of result.wasmSizes) assert.ok(s.gzip > 0 && s.gzip < s.raw, `${s.build} size`);
});
