// The protocol modules tree-shake: a Vite production build of a page that uses only trust
// ping (through the package's web entry) carries none of the other protocols' code.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { root } from './fixtures.js';

const dirs = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function bundle(source) {
  const dir = await mkdtemp(join(tmpdir(), 'didcomm-treeshake-'));
  dirs.push(dir);
  await writeFile(join(dir, 'index.html'), '<!doctype html><script type="module" src="/main.js"></script>');
  await writeFile(join(dir, 'main.js'), source);
  await build({
    root: dir, logLevel: 'silent', configFile: false,
    build: { outDir: join(dir, 'dist'), minify: false, target: 'es2022' },
  });
  const assets = join(dir, 'dist', 'assets');
  const js = (await readdir(assets)).filter((f) => f.endsWith('.js'));
  return (await Promise.all(js.map((f) => readFile(join(assets, f), 'utf8')))).join('\n');
}

test('a page using only trustPing bundles no other protocol', async () => {
  const out = await bundle(`import { trustPing } from ${JSON.stringify(`${root}/js/web.js`)};
document.body.textContent = JSON.stringify(trustPing.parse(trustPing.ping({ from: 'did:example:a' })));`);
  assert.match(out, /trust-ping/);
  for (const other of ['messagepickup', 'coordinate-mediation', 'keylist', 'report-problem', 'out-of-band', 'discover-features', 'FeatureRegistry', 'basicmessage', 'empty/1.0', 'bytesToBase64url', 'fromUtf8']) {
    assert.doesNotMatch(out, new RegExp(other), `${other} is in the bundle`);
  }
});
