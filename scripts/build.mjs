// Builds the npm package's wasm: one build per [[build]] in wasm-pack.toml, as wasm-pack would
// make it (the same wasm-bindgen output, no wasm-opt) but with cargo's LTO in effect.
// `cargo build` of this crate links no LTO: its crate types are cdylib *and* rlib (the rlib
// for the Rust tests), and cargo skips `-C lto` for a crate that is also an rlib. So each build
// is `cargo rustc --crate-type cdylib` and then the wasm-bindgen CLI. Installs the exact
// wasm-bindgen CLI that Cargo.lock pins when missing, and downloads nothing else.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The `[[build]]` tables of wasm-pack.toml (strings, booleans and string arrays). */
export function readBuildMatrix(text) {
  const builds = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    if (line === '[[build]]') { builds.push({}); continue; }
    const m = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (!m || builds.length === 0) throw new Error(`wasm-pack.toml: cannot read line: ${raw}`);
    builds[builds.length - 1][m[1]] = JSON.parse(m[2]);
  }
  for (const b of builds) {
    for (const key of ['target', 'out-dir', 'profile']) {
      if (typeof b[key] !== 'string') throw new Error(`wasm-pack.toml: a [[build]] lacks ${key}`);
    }
  }
  return builds;
}

function run(cmd, args) {
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
}

function version(cmd) {
  try {
    return execFileSync(cmd, ['--version'], { encoding: 'utf8' }).trim().split(/\s+/)[1];
  } catch {
    return null;
  }
}

function ensureTools() {
  const lock = readFileSync(`${root}/Cargo.lock`, 'utf8');
  const pinned = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
  if (!pinned) throw new Error('Cargo.lock pins no wasm-bindgen version');
  if (version('wasm-bindgen') !== pinned) {
    console.log(`installing wasm-bindgen-cli ${pinned} (matches Cargo.lock; takes a few minutes once)`);
    run('cargo', ['install', 'wasm-bindgen-cli', '--version', pinned, '--force']);
  }
}

/** Cargo's target directory (CARGO_TARGET_DIR, a config's build.target-dir, or ./target). */
function targetDir() {
  const meta = execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline'], {
    cwd: root, encoding: 'utf8', maxBuffer: 64 << 20,
  });
  return JSON.parse(meta).target_directory;
}

/** The cargo arguments of one build: the cdylib alone, so that the profile's LTO applies. */
function cargoArgs(b) {
  const args = ['rustc', '--lib', '--crate-type', 'cdylib', '--target', 'wasm32-unknown-unknown',
    '--profile', b.profile, '--locked',
    // The matrix is the whole truth about features: cargo's defaults are off here.
    '--no-default-features'];
  if (b.features?.length) args.push('--features', b.features.join(','));
  // This build's own rustflags, added to those of .cargo/config.toml for wasm32.
  if (b.rustflags?.length) {
    args.push('--config', `target.wasm32-unknown-unknown.rustflags=${JSON.stringify(b.rustflags)}`);
  }
  return args;
}

/**
 * The Node entry as one ES module beside the nodejs glue (package.json `exports.node`). Node
 * resolves, reads and compiles each module of a graph on its own: js/node.js and the twenty
 * files it imports took ~42 ms to import, the bundle ~29 ms (medians of 15 fresh processes).
 * js/ stays the source; only the glue's path changes, from js/ to beside the bundle.
 */
export async function bundleNodeEntry(outDir) {
  const { rolldown } = await import('rolldown');
  const bundle = await rolldown({ input: `${root}/js/node.js`, platform: 'node', external: [/^node:/], logLevel: 'warn' });
  const { output } = await bundle.generate({ format: 'esm' });
  await bundle.close();
  const glue = JSON.stringify('../pkg/node/didcomm_wasm.js');
  const code = output.length === 1 ? output[0].code : '';
  if (code.split(glue).length !== 2) throw new Error(`bundling js/node.js: expected one require of ${glue}`);
  const banner = '// Built by scripts/build.mjs from js/node.js and what it imports: edit those, then npm run build.\n';
  writeFileSync(`${root}/${outDir}/didcomm.mjs`, banner + code.replace(glue, JSON.stringify('./didcomm_wasm.js')));
}

export async function build() {
  ensureTools();
  const builds = readBuildMatrix(readFileSync(`${root}/wasm-pack.toml`, 'utf8'));
  const target = targetDir();
  for (const b of builds) {
    const cargo = cargoArgs(b);
    console.log(`cargo ${cargo.join(' ')}`);
    run('cargo', cargo);
    const wasm = `${target}/wasm32-unknown-unknown/${b.profile}/didcomm_wasm.wasm`;
    const bindgen = [wasm, '--target', b.target, '--out-dir', b['out-dir'], '--out-name', 'didcomm_wasm', '--weak-refs'];
    console.log(`wasm-bindgen ${bindgen.join(' ')}`);
    run('wasm-bindgen', bindgen);
    if (b.target === 'nodejs') {
      // wasm-bindgen's nodejs glue is CommonJS, inside a "type": "module" package.
      writeFileSync(`${root}/${b['out-dir']}/package.json`, '{ "type": "commonjs" }\n');
      await bundleNodeEntry(b['out-dir']);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build();
