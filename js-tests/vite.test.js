// A Vite production build of a small page that imports the package, run in headless
// Chromium. The package comes from `npm pack`, so this tests the files it really ships,
// resolved through its "exports" (browser build: the "default" condition, js/web.js) and
// with the .wasm that pkg/web/didcomm_wasm.js finds via new URL(..., import.meta.url).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { fixtureFiles, root } from './fixtures.js';
import { launchChromium, serveStatic, watchErrors } from './chromium.js';

const VECTOR = 'authcrypt-x25519-a256cbc.json';
const CONTENT = 'Hello through Vite';

const files = fixtureFiles();
const json = (name) => JSON.parse(files[name]);

const INDEX_HTML = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module" src="/main.js"></script>
`;

// The fixtures are embedded as literals: the built page needs nothing but itself.
const MAIN_JS = `import { DIDComm, SecretsStore, DIDCommError } from 'didcomm-wasm';

const docs = ${JSON.stringify({ 'did:example:alice': json('diddoc-alice.json'), 'did:example:bob': json('diddoc-bob.json') })};
const aliceSecrets = ${JSON.stringify(json('secrets-alice.json'))};
const bobSecrets = ${JSON.stringify(json('secrets-bob.json'))};
const vector = ${JSON.stringify(files[VECTOR])};

const didResolver = { resolve: (did) => docs[did] ?? null };
const agent = (secrets) => new DIDComm({ didResolver, secretsResolver: new SecretsStore(secrets) });

async function run() {
  const alice = agent(aliceSecrets);
  const bob = agent(bobSecrets);

  const { message: fromVector } = await bob.unpack(vector);

  const { packed } = await alice.packEncrypted({
    id: crypto.randomUUID(),
    type: 'https://didcomm.org/basicmessage/2.0/message',
    from: 'did:example:alice',
    to: ['did:example:bob'],
    body: { content: ${JSON.stringify(CONTENT)} },
  }, { to: 'did:example:bob', from: 'did:example:alice' });
  const { message: roundTrip, metadata } = await bob.unpack(packed);
  if (!metadata.authenticated || metadata.anonymousSender) throw new Error('round trip: not authcrypt');

  let errorCode = null;
  try {
    await bob.unpack('not json');
  } catch (e) {
    // The class must survive bundling: the error is the package's own DIDCommError.
    if (!(e instanceof DIDCommError)) throw new Error("unpack('not json') rejected with a non-DIDCommError: " + e);
    errorCode = e.code;
  }
  if (errorCode === null) throw new Error("unpack('not json') resolved");

  return { ok: true, vectorId: fromVector.id, roundTripContent: roundTrip.body.content, errorCode };
}

run()
  .catch((e) => ({ ok: false, error: String((e && e.stack) || e) }))
  .then((result) => { document.body.dataset.result = JSON.stringify(result); });
`;

const tmp = await mkdtemp(join(tmpdir(), 'didcomm-vite-'));
let browser;
let server;

after(async () => {
  await browser?.close();
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

test('a Vite production build of a page importing the packed package runs in Chromium', async (t) => {
  const app = join(tmp, 'app');
  const dist = join(tmp, 'dist');
  // Each step needs the one before; skip rather than pile up follow-on failures.
  let done = 0;
  const needs = (n, what) => (done < n ? { skip: `${what} failed` } : {});

  await t.test('npm pack, installed into the app', async () => {
    // --ignore-scripts: prepack would rebuild the wasm; test the pkg/ that is there.
    // stderr is piped (npm's warnings stay out of the TAP output; a failure's error carries it).
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [{ filename }] = JSON.parse(out);
    await mkdir(join(app, 'node_modules'), { recursive: true });
    execFileSync('tar', ['-xzf', join(tmp, filename), '-C', join(app, 'node_modules')]);
    await rename(join(app, 'node_modules', 'package'), join(app, 'node_modules', 'didcomm-wasm'));
    await writeFile(join(app, 'index.html'), INDEX_HTML);
    await writeFile(join(app, 'main.js'), MAIN_JS);
    done = 1;
  });

  await t.test('vite build emits the .wasm as an asset', needs(1, 'npm pack'), async () => {
    // configFile: false keeps any vite.config up the tree out of it.
    await build({ root: app, configFile: false, logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
    const assets = await readdir(join(dist, 'assets'));
    assert.ok(assets.some((f) => f.endsWith('.wasm')), `no .wasm in dist/assets: ${assets.join(', ')}`);
    done = 2;
  });

  await t.test('the built page unpacks, round-trips and reports errors in Chromium', needs(2, 'vite build'), async () => {
    server = await serveStatic(dist);
    browser = await launchChromium();
    const page = await browser.newPage();
    const wasmResponses = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.endsWith('.wasm')) wasmResponses.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    // A failed bundle import or wasm init never reaches main.js's own catch; it rejects `failed`.
    const { failed, withErrors } = watchErrors(page);

    await page.goto(`${server.url}/`);
    let raw;
    try {
      raw = await Promise.race([
        page.waitForFunction(() => document.body?.dataset.result, null, { timeout: 30_000 }).then((h) => h.jsonValue()),
        failed,
      ]);
    } catch (e) {
      throw withErrors(e);
    }
    const result = JSON.parse(raw);
    assert.equal(result.ok, true, result.error);
    assert.deepEqual(result, { ok: true, vectorId: '1234567890', roundTripContent: CONTENT, errorCode: 'ERR_MALFORMED' });
    // The wasm came from the bundle's emitted asset, not from anywhere else.
    assert.equal(wasmResponses.length, 1, `wasm fetches: ${wasmResponses.join(', ')}`);
    assert.match(wasmResponses[0], /^200 \/assets\/.+\.wasm$/);
  });
});
