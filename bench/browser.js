// npm run bench:browser: the cases of `npm run bench` (bench/run.js, the same fixtures and
// checks) in headless Chromium, this package's web build against the browser build of
// didcomm-rust 0.4.1 (the npm package `didcomm`), both in one page and interleaved. The
// repository is served on 127.0.0.1; Chromium is Debian's, launched as the browser tests do.
// A failed check is a ✗ and exit code 1. Options: --quick, --json.
import { existsSync, readFileSync } from 'node:fs';
import { launchChromium, serveStatic, watchErrors } from '../js-tests/chromium.js';
import * as ours from './ours.js';
import { loadFixtures, root } from './fixtures.js';
import { wasmSizes } from './footprint.js';
import { ROUNDS } from './run.js';
import { formatRatio, parseArgs, printCases, printWasmSizes, summarize } from './report.js';

const PEER = 'didcomm';
const WASM = [
  { build: `${ours.name} pkg/web`, path: 'pkg/web/didcomm_wasm_bg.wasm' },
  { build: PEER, path: `node_modules/${PEER}/index_bg.wasm` },
];

// ours.js imports the package by name: the import map points it at the web entry. The peer
// is wasm-pack's bundler target, whose index.js imports index_bg.wasm as an ES module (which
// browsers cannot do); the page does what a bundler does for it: instantiate the .wasm with
// index_bg.js as its import object, then hand the instance's exports to the glue.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "${ours.name}": "/js/web.js" } }</script>
<script type="module">
import * as ours from '/bench/ours.js';
import { openPeer } from '/bench/peer-adapter.js';
import { runCases } from '/bench/run.js';
import * as peerGlue from '/node_modules/${PEER}/index_bg.js';

const { instance } = await WebAssembly.instantiateStreaming(
  fetch('/node_modules/${PEER}/index_bg.wasm'), { './index_bg.js': peerGlue });
peerGlue.__wbg_set_wasm(instance.exports);

// A macrotask between timed windows: the page's event loop (and its GC) gets a turn, where
// back-to-back promise chains would hold it for the whole run.
const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

window.bench = (fixtures, config) => runCases([
  { name: ours.name, ...ours.open(fixtures) },
  { name: '${PEER}', ...openPeer(peerGlue.Message, fixtures) },
], config, pause);
window.benchReady = true;
</script>
`;

const { json, quick } = parseArgs('bench/browser.js');
// Like bench/node.js: a default run stays under ~3 minutes on the 2-core machine.
const config = quick ? ROUNDS.quick : ROUNDS.full;

const versionOf = (dir) => JSON.parse(readFileSync(`${root}/${dir}package.json`, 'utf8')).version;

/** Opens the page, waits until both libraries are loaded, runs the cases in it. */
async function runInPage(browser, url) {
  const page = await browser.newPage();
  // A failed import or .wasm fetch, or an error thrown outside a check, rejects `failed`.
  const { failed, withErrors } = watchErrors(page);
  try {
    await page.goto(url);
    await Promise.race([page.waitForFunction(() => window.benchReady === true, null, { timeout: 30_000 }), failed]);
    const { rounds, budgetMs, warmupMs } = config;
    return await Promise.race([
      page.evaluate(([f, c]) => window.bench(f, c), [loadFixtures(), { rounds, budgetMs, warmupMs }]),
      failed,
    ]);
  } catch (e) {
    throw withErrors(e);
  }
}

async function main() {
  for (const { path } of WASM) {
    if (!existsSync(`${root}/${path}`)) throw new Error(`${path} is missing: run npm run build (and npm ci)`);
  }
  const server = await serveStatic(root, {
    routes: { '/bench/browser.html': { type: 'text/html; charset=utf-8', body: PAGE } },
  });
  const browser = await launchChromium();
  try {
    const { cases, failures } = await runInPage(browser, `${server.url}/bench/browser.html`);
    return {
      chromium: browser.version(),
      libraries: { [ours.name]: versionOf(''), [PEER]: versionOf(`node_modules/${PEER}/`) },
      rounds: config.rounds, roundMs: config.budgetMs,
      cases,
      ...summarize(cases),
      wasmSizes: wasmSizes(WASM),
      failures,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

function print(result) {
  const [a, b] = Object.keys(result.libraries);
  console.log(`${a} ${result.libraries[a]} (pkg/web) vs ${b} ${result.libraries[b]}, headless Chromium ` +
    `${result.chromium}, one page: medians of ${result.rounds} rounds of ${result.roundMs} ms after a warm-up round\n`);
  printCases(result.cases, a, b, result.geomeanRatio);
  const worst = result.cases.find((r) => r.shared && r.ratio === result.minRatio);
  console.log(`minimum ratio: ${formatRatio(result.minRatio)}${worst ? ` (${worst.case})` : ''}`);
  printWasmSizes(result.wasmSizes);
  for (const f of result.failures) console.error(`✗ ${f}`);
}

const result = await main();
if (json) console.log(JSON.stringify(result));
else print(result);
if (result.failures.length) process.exitCode = 1;
