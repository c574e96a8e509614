// Smoke test of `npm run bench`: a --quick --json run completes, every shared case has rates
// for both libraries, a positive ratio and a passing interop check, and every encrypted or
// signed row has a primitive floor (plaintext has none). Timing is not asserted:
// the numbers of a quick run on a busy machine say nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('../bench/node.js', import.meta.url));

test('npm run bench --quick --json: both libraries on every shared case, interop ✓', { timeout: 120_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [BENCH, '--quick', '--json'], {
    timeout: 120_000, maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(stdout);
  const shared = result.cases.filter((c) => c.shared);
  assert.ok(shared.length >= 30, `${shared.length} shared rows`);
  for (const c of shared) {
    for (const lib of ['didcomm-wasm', 'didcomm-node']) {
      assert.ok(c[lib] > 0, `${c.case}: ${lib} ops/s is ${c[lib]}`);
    }
    assert.ok(typeof c.ratio === 'number' && c.ratio > 0, `${c.case}: ratio ${c.ratio}`);
    assert.equal(c.interop, true, `${c.case}: interop`);
  }
  for (const c of result.cases.filter((r) => !r.shared)) assert.ok(c['didcomm-wasm'] > 0, `${c.case}: didcomm-wasm ops/s`);
  for (const c of result.cases) {
    if (c.case.startsWith('plaintext ')) {
      assert.equal(c.floorUs, null, `${c.case}: no floor`);
      assert.equal(c.overhead, null, `${c.case}: no overhead`);
      continue;
    }
    assert.ok(c.floorUs > 0 && c.floorOpsPerSecond > 0, `${c.case}: floor ${c.floorUs} µs`);
    assert.ok(c.overhead > 0, `${c.case}: overhead ${c.overhead}`);
    assert.ok(typeof c.floorPrimitives === 'string' && c.floorPrimitives.length, `${c.case}: floor primitives`);
  }
  assert.match(result.floorNote, /chacha20-poly1305/);
  assert.ok(result.geomeanRatio > 0);
  assert.deepEqual(result.failures, []);
  assert.ok(result.coldStartMs['didcomm-wasm'] > 0 && result.coldStartMs['didcomm-node'] > 0);
  assert.equal(result.wasmSizes.length, 3);
  assert.ok(result.wasmMemory.after >= result.wasmMemory.before);
});
