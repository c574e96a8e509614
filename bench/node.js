// npm run bench: this package against didcomm-node on the same cases, keys and DID documents,
// interleaved in one process so that both see the same machine state. Every case is checked
// first (each library unpacks what it packed, and each unpacks the other's output); a failed
// check is a ✗ and exit code 1. Each encrypted or signed row also times its platform floor
// (bench/floor.js: the case's raw primitives on node:crypto) in the same rounds and prints
// its time and our overhead over it. Options: --quick (few short rounds: a smoke test), --json.
// bench/browser.js runs the same (bench/run.js) in headless Chromium.
import { readFileSync } from 'node:fs';
import * as ours from './ours.js';
import * as peer from './peer.js';
import { loadFixtures, root } from './fixtures.js';
import { FLOOR_NOTE, floors } from './floor.js';
import { coldStartMs, memoryAfterCalls, wasmSizes } from './footprint.js';
import { ROUNDS, runCases } from './run.js';
import { parseArgs, printCases, printWasmSizes, summarize } from './report.js';

const { json, quick } = parseArgs('bench/node.js');
// A default run stays under ~3 minutes on the 2-core machine; --quick under ~20 s.
const config = quick
  ? { ...ROUNDS.quick, coldSpawns: 1, memoryCalls: 10_000 }
  : { ...ROUNDS.full, coldSpawns: 5, memoryCalls: 100_000 };

const versionOf = (dir) => JSON.parse(readFileSync(`${root}/${dir}package.json`, 'utf8')).version;
const fixtures = loadFixtures();
const libs = [
  { name: ours.name, version: versionOf(''), ...ours.open(fixtures) },
  { name: peer.name, version: versionOf('node_modules/didcomm-node/'), ...peer.open(fixtures) },
];

async function main() {
  // First, on a fresh instance: later cases (1 MiB bodies) would grow linear memory themselves.
  const memory = await memoryAfterCalls(libs[0], ours.wasmMemoryBytes, config.memoryCalls);
  const { cases, failures } = await runCases(libs, config, null, floors(fixtures));
  const [coldOurs, coldPeer] = coldStartMs(['ours.js', 'peer.js'], config.coldSpawns);

  return {
    node: process.version,
    libraries: Object.fromEntries(libs.map((lib) => [lib.name, lib.version])),
    rounds: config.rounds, roundMs: config.budgetMs,
    cases,
    floorNote: FLOOR_NOTE,
    geomeanRatio: summarize(cases).geomeanRatio,
    coldStartMs: { [libs[0].name]: coldOurs, [libs[1].name]: coldPeer, spawns: config.coldSpawns },
    wasmSizes: wasmSizes(),
    wasmMemory: memory,
    failures,
  };
}

function print(result) {
  const [a, b] = Object.keys(result.libraries);
  console.log(`${a} ${result.libraries[a]} vs ${b} ${result.libraries[b]}, Node ${result.node}: ` +
    `medians of ${result.rounds} rounds of ${result.roundMs} ms after a warm-up round\n`);
  printCases(result.cases, a, b, result.geomeanRatio);
  console.log(`floor: the case's primitives alone on node:crypto (static keys pre-imported, ` +
    `ECDH-1PU's static-static Zs computed once per pair of keys, ephemeral keys fresh); ` +
    `overhead: ${a}'s time per op / the floor's. ${result.floorNote}`);
  const cold = result.coldStartMs;
  console.log(`cold start (spawn until the first unpack is done, median of ${cold.spawns}): ` +
    `${a} ${cold[a].toFixed(0)} ms, ${b} ${cold[b].toFixed(0)} ms`);
  printWasmSizes(result.wasmSizes);
  const m = result.wasmMemory;
  console.log(`wasm memory (${a}): ${m.before.toLocaleString('en-US')} bytes before, ` +
    `${m.after.toLocaleString('en-US')} after ${m.calls.toLocaleString('en-US')} packPlaintext + unpack`);
  for (const f of result.failures) console.error(`✗ ${f}`);
}

const result = await main();
if (json) console.log(JSON.stringify(result));
else print(result);
if (result.failures.length) process.exitCode = 1;
