// What a user pays before and besides the first message: start-up, download size, memory.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { root, vector } from './fixtures.js';
import { message } from './cases.js';
import { median } from './stats.js';

export const WASM_FILES = [
  { build: 'didcomm-wasm pkg/web', path: 'pkg/web/didcomm_wasm_bg.wasm' },
  { build: 'didcomm-wasm pkg/node', path: 'pkg/node/didcomm_wasm_bg.wasm' },
  { build: 'didcomm-node', path: 'node_modules/didcomm-node/index_bg.wasm' },
];

/** Raw and gzip -9 bytes of each .wasm in `files` ({ build, path }, path from the repository root). */
export function wasmSizes(files = WASM_FILES) {
  return files.map(({ build, path }) => {
    const bytes = readFileSync(`${root}/${path}`);
    return { build, path, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

// The spec's authcrypt vector (Alice to Bob's three X25519 keys): a fixed message both can unpack.
const COLD_MESSAGE = vector('authcrypt-x25519-a256cbc.json');

/**
 * Milliseconds from spawning `node -e` until it exits, having imported one adapter (and so its
 * package) and finished its first unpack: the median of `spawns` fresh processes per adapter,
 * alternating between them so that a busy moment hits both.
 */
export function coldStartMs(adapterFiles, spawns) {
  const times = adapterFiles.map(() => []);
  for (let i = 0; i < spawns; i += 1) {
    adapterFiles.forEach((file, k) => {
      const code = `import { open } from ${JSON.stringify(new URL(file, import.meta.url).href)};
import { loadFixtures } from ${JSON.stringify(new URL('fixtures.js', import.meta.url).href)};
await open(loadFixtures()).unpack(process.env.BENCH_MESSAGE);`;
      const start = performance.now();
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
        cwd: root, env: { ...process.env, BENCH_MESSAGE: COLD_MESSAGE }, encoding: 'utf8',
      });
      const ms = performance.now() - start;
      if (child.status !== 0) throw new Error(`cold start of ${file} failed: ${child.stderr}`);
      times[k].push(ms);
    });
  }
  return times.map(median);
}

/** Wasm linear memory before and after `calls` packPlaintext + unpack pairs (it never shrinks, so a leak shows). */
export async function memoryAfterCalls(lib, wasmMemoryBytes, calls) {
  const msg = message();
  const before = wasmMemoryBytes();
  for (let i = 0; i < calls; i += 1) await lib.unpack(await lib.pack({ kind: 'plaintext' }, msg));
  return { calls, before, after: wasmMemoryBytes() };
}
