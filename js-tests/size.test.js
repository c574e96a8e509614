// The web build's gzipped .wasm: prints the sizes and holds the ceiling. Issue 10's goal for
// the package with every feature is 220 KB (in bytes); the build is under it, and the test
// holds the line at CEILING, just above the current size (no growth past it unnoticed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { root } from './fixtures.js';

const GOAL = 220_000;
const CEILING = 219_800; // 219 707: the seam (issue 10), the per-call work (+1.7 KB), 32-bit limbs for the RustCrypto arithmetic (-8 KB), then Message::to_json written from the fields (+2.2 KB, 10-15% off every plaintext pack and unpack), then JS strings copied in by TextEncoder.encodeInto, base64 by lookup tables and the JWE and JWS text written directly (+1.6 KB; a 1 MiB authcrypt unpack 40% faster), then the input limits (issue 11, +1.6 KB), then plaintext packed as JSON.stringify wrote it, only its headers read (+3.4 KB: packPlaintext 1.8x faster), then the signed and encrypted packs and unpack carrying such text as it is (+1 KB), then the DID checks by bytes (-0.2 KB) and one resolver answer per DID in a call (+0.6 KB), then static-static agreements kept by their secret key, DID documents shared and their keys read once, and the pack metadata and backend masks as values (+0.3 KB)

for (const build of ['web', 'node']) {
  test(`${build} build .wasm size`, () => {
    const wasm = readFileSync(`${root}/pkg/${build}/didcomm_wasm_bg.wasm`);
    const gz = gzipSync(wasm, { level: 9 }).length;
    const br = brotliCompressSync(wasm).length;
    console.log(`${build} wasm: ${wasm.length} bytes raw, ${gz} bytes gzipped -9 (${(gz / 1024).toFixed(1)} KiB), ${br} bytes brotli`);
    if (build !== 'web') return;
    console.log(`web wasm vs issue 10's goal of ${GOAL} bytes gzipped: ${gz - GOAL > 0 ? `${gz - GOAL} over` : `${GOAL - gz} under`}`);
    assert.ok(gz <= CEILING, `gzipped wasm is ${gz} bytes, ceiling ${CEILING}`);
  });
}
