// `npm start`: the demo. Installs and builds what is missing or stale, starts the mediator
// on its embedded store, serves www/ (with the package) on 127.0.0.1, and prints the page
// URL. Ctrl-C stops everything.
//
// Environment: DEMO_PORT (page, default 8000), MEDIATOR_PORT (default 8080),
// MEDIATOR_DATA_DIR (default .data/mediator), MEDIATOR_MEDIATION (e.g. 2 for 2.0 only).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

/** Newest mtime (ms) of the files under `path`. */
function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

// npm dependencies, when package-lock.json changed since the last install.
const installed = join(root, 'node_modules/.package-lock.json');
if (!existsSync(installed) || statSync(join(root, 'package-lock.json')).mtimeMs > statSync(installed).mtimeMs) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// The wasm builds, when a source is newer than the glue.
const outputs = ['pkg/web/didcomm_wasm_bg.wasm', 'pkg/node/didcomm_wasm_bg.wasm', 'pkg/node/didcomm.mjs'].map((p) => join(root, p));
const sources = ['src', 'Cargo.toml', 'Cargo.lock', 'wasm-pack.toml', '.cargo'].map((p) => join(root, p)).filter(existsSync);
if (outputs.some((p) => !existsSync(p)) || Math.max(...sources.map(newest)) > Math.min(...outputs.map((p) => statSync(p).mtimeMs))) {
  run('rustup', ['toolchain', 'install']);
  run('rustup', ['target', 'add', 'wasm32-unknown-unknown']);
  const { build } = await import('./build.mjs');
  await build();
} else {
  // The Node entry is bundled from js/ (a second or less): always, so that edits there count.
  const { bundleNodeEntry } = await import('./build.mjs');
  await bundleNodeEntry('pkg/node');
}

// Imported only now: they need the dependencies and the build above.
const { spawnMediator, stopMediator } = await import('../mediator/process.js');
const { serveDemo } = await import('./serve.mjs');

// The mediator reads the rest of its MEDIATOR_* settings from the environment it inherits.
const mediator = await spawnMediator(['--port', env.MEDIATOR_PORT ?? '8080', '--data-dir', env.MEDIATOR_DATA_DIR ?? join(root, '.data/mediator'), '--quiet']);
const page = await serveDemo({ mediator, port: Number(env.DEMO_PORT ?? 8000) });

process.stdout.write(`\nDIDComm demo:  ${page.url}/\nmediator:      ${mediator.url} (${mediator.did.slice(0, 32)}…)\n\nOpen the page in two windows to chat between two identities. Ctrl-C stops.\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.all([page.close(), stopMediator(mediator.child)]);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
mediator.child.once('exit', (code, signal) => {
  if (stopping) return;
  process.stderr.write(`the mediator stopped (${signal ?? `code ${code}`})\n`);
  page.close().then(() => process.exit(1));
});
