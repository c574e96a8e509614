// The web build's gzipped .wasm stays within its budget; prints the sizes. The budget is for
// the package with every feature (issue 10): 220 KB, counted in bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { root } from './fixtures.js';

const BUDGET = 220_000;

for (const build of ['web', 'node']) {
  test(`${build} build .wasm size`, () => {
    const wasm = readFileSync(`${root}/pkg/${build}/didcomm_wasm_bg.wasm`);
    const gz = gzipSync(wasm, { level: 9 }).length;
    const br = brotliCompressSync(wasm).length;
    console.log(`${build} wasm: ${wasm.length} bytes raw, ${gz} bytes gzipped -9 (${(gz / 1024).toFixed(1)} KiB), ${br} bytes brotli`);
    if (build === 'web') assert.ok(gz <= BUDGET, `gzipped wasm is ${gz} bytes, budget ${BUDGET}`);
  });
}
