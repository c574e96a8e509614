// npm run bench: this package against didcomm-node on the same cases, keys and DID documents,
// interleaved in one process so that both see the same machine state. Every case is checked
// first (each library unpacks what it packed, and each unpacks the other's output); a failed
// check is a ✗ and exit code 1. Options: --quick (few short rounds: a smoke test), --json.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import * as ours from './ours.js';
import * as peer from './peer.js';
import { CASES, expectedEnc, expectedFlags, message } from './cases.js';
import { loadFixtures, root } from './fixtures.js';
import { coldStartMs, memoryAfterCalls, wasmSizes } from './footprint.js';
import { geomean, median } from './stats.js';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--json' && a !== '--quick');
if (unknown.length) {
  console.error(`usage: node bench/node.js [--quick] [--json] (unknown: ${unknown.join(' ')})`);
  process.exit(2);
}
const json = args.includes('--json');
// A default run stays under ~3 minutes on the 2-core machine; --quick under ~20 s.
const config = args.includes('--quick')
  ? { rounds: 2, budgetMs: 20, warmupMs: 10, coldSpawns: 1, memoryCalls: 10_000 }
  : { rounds: 7, budgetMs: 200, warmupMs: 100, coldSpawns: 5, memoryCalls: 100_000 };

const versionOf = (dir) => JSON.parse(readFileSync(`${root}/${dir}package.json`, 'utf8')).version;
const fixtures = loadFixtures();
const libs = [
  { name: ours.name, version: versionOf(''), ...ours.open(fixtures) },
  { name: peer.name, version: versionOf('node_modules/didcomm-node/'), ...peer.open(fixtures) },
];

// What the receiver must get back: the sender's headers and body (typ and the like may differ).
const COMPARED = ['id', 'type', 'from', 'to', 'created_time', 'body'];

/** Packs with `sender`, unpacks with `receiver` and checks the result; returns the packed message. */
async function roundTrip(sender, receiver, c, msg) {
  const packed = await sender.pack(c.send, msg);
  const outer = JSON.parse(packed);
  if (outer.recipients?.length !== c.recipients) {
    throw new Error(`${outer.recipients?.length} recipients, expected ${c.recipients}`);
  }
  const enc = outer.protected && JSON.parse(Buffer.from(outer.protected, 'base64url')).enc;
  if (enc !== expectedEnc(c.send)) throw new Error(`enc ${enc}, expected ${expectedEnc(c.send)}`);
  const { message: got, flags } = await receiver.unpack(packed);
  for (const key of COMPARED) {
    if (!isDeepStrictEqual(got[key], msg[key])) throw new Error(`unpacked ${key} differs`);
  }
  const expected = expectedFlags(c.send);
  if (!isDeepStrictEqual(flags, expected)) {
    throw new Error(`metadata ${JSON.stringify(flags)}, expected ${JSON.stringify(expected)}`);
  }
  return packed;
}

/**
 * One check per case and pair of libraries. Returns the message each library packed for its
 * own round trip (null when that failed: the library is not timed on the case) and the failures.
 */
async function verify(c, msg) {
  const senders = c.shared ? libs : libs.slice(0, 1);
  const failures = [];
  const attempt = async (sender, receiver) => {
    try {
      return await roundTrip(sender, receiver, c, msg);
    } catch (e) {
      failures.push(`${c.name}: ${sender.name} → ${receiver.name}: ${e.message}`);
      return null;
    }
  };
  const packed = [];
  for (const lib of senders) packed.push(await attempt(lib, lib));
  if (c.shared) {
    await attempt(libs[0], libs[1]);
    await attempt(libs[1], libs[0]);
  }
  return { packed, failures };
}

/** Runs `op` back to back for about `ms` milliseconds: its rate in operations per second. */
async function opsPerSecond(op, ms) {
  const start = performance.now();
  let n = 0;
  let elapsed;
  do {
    await op();
    n += 1;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (n * 1000) / elapsed;
}

async function main() {
  // First, on a fresh instance: later cases (1 MiB bodies) would grow linear memory themselves.
  const memory = await memoryAfterCalls(libs[0], ours.wasmMemoryBytes, config.memoryCalls);

  const failures = [];
  const rows = [];
  for (const c of CASES) {
    const msg = message(c.bodyBytes);
    const check = await verify(c, msg);
    failures.push(...check.failures);
    const interop = c.shared ? check.failures.length === 0 : null;
    const ops = (build) => libs.map((lib, k) => (check.packed[k] ? build(lib, check.packed[k]) : null));
    rows.push({ name: `${c.name} pack`, shared: c.shared, interop, ops: ops((lib) => () => lib.pack(c.send, msg)) });
    rows.push({ name: `${c.name} unpack`, shared: c.shared, interop, ops: ops((lib, packed) => () => lib.unpack(packed)) });
  }

  // Rounds run every row for both libraries in turn (the order flips each round), so a slow
  // stretch of the machine lands on both rather than on one library's whole run. Round -1 is
  // the warm-up (JIT and wasm tier-up), not recorded.
  const samples = rows.map(() => libs.map(() => []));
  for (let round = -1; round < config.rounds; round += 1) {
    const ms = round < 0 ? config.warmupMs : config.budgetMs;
    for (const [i, row] of rows.entries()) {
      const order = round % 2 ? [1, 0] : [0, 1];
      for (const k of order) {
        if (!row.ops[k]) continue;
        const rate = await opsPerSecond(row.ops[k], ms);
        if (round >= 0) samples[i][k].push(rate);
      }
    }
  }

  const cases = rows.map((row, i) => {
    const [wasm, node] = samples[i].map((s) => (s.length ? median(s) : null));
    const ratio = wasm && node ? wasm / node : null;
    return { case: row.name, shared: row.shared, [libs[0].name]: wasm, [libs[1].name]: node, ratio, interop: row.interop };
  });
  const ratios = cases.filter((r) => r.shared && r.ratio).map((r) => r.ratio);
  const [coldOurs, coldPeer] = coldStartMs(['ours.js', 'peer.js'], config.coldSpawns);

  return {
    node: process.version,
    libraries: Object.fromEntries(libs.map((lib) => [lib.name, lib.version])),
    rounds: config.rounds, roundMs: config.budgetMs,
    cases,
    geomeanRatio: ratios.length ? geomean(ratios) : null,
    coldStartMs: { [libs[0].name]: coldOurs, [libs[1].name]: coldPeer, spawns: config.coldSpawns },
    wasmSizes: wasmSizes(),
    wasmMemory: memory,
    failures,
  };
}

const num = (v) => (v === null ? '—' : Math.round(v).toLocaleString('en-US'));
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;

function print(result) {
  const [a, b] = Object.keys(result.libraries);
  const header = ['case', `${a} ops/s`, `${b} ops/s`, 'ratio', 'interop'];
  const lines = result.cases.map((r) => [
    r.case, num(r[a]), num(r[b]), r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
    r.interop === null ? '—' : r.interop ? '✓' : '✗',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(`${a} ${result.libraries[a]} vs ${b} ${result.libraries[b]}, Node ${result.node}: ` +
    `medians of ${result.rounds} rounds of ${result.roundMs} ms after a warm-up round\n`);
  console.log(format(header));
  for (const l of lines) console.log(format(l));
  const shared = result.cases.filter((r) => r.shared && r.ratio).length;
  console.log(`\ngeometric mean of the ratios (${shared} shared rows): ` +
    `${result.geomeanRatio === null ? '—' : `${result.geomeanRatio.toFixed(2)}×`}`);
  const cold = result.coldStartMs;
  console.log(`cold start (spawn until the first unpack is done, median of ${cold.spawns}): ` +
    `${a} ${cold[a].toFixed(0)} ms, ${b} ${cold[b].toFixed(0)} ms`);
  console.log('wasm size (raw, gzip -9):');
  for (const s of result.wasmSizes) console.log(`  ${s.build.padEnd(22)} ${kb(s.raw).padStart(9)}  ${kb(s.gzip).padStart(9)}`);
  const m = result.wasmMemory;
  console.log(`wasm memory (${a}): ${m.before.toLocaleString('en-US')} bytes before, ` +
    `${m.after.toLocaleString('en-US')} after ${m.calls.toLocaleString('en-US')} packPlaintext + unpack`);
  for (const f of result.failures) console.error(`✗ ${f}`);
}

const result = await main();
if (json) console.log(JSON.stringify(result));
else print(result);
if (result.failures.length) process.exitCode = 1;
