// Builds the npm package's wasm: one wasm-pack build per [[build]] in wasm-pack.toml.
// Installs wasm-pack and the exact wasm-bindgen CLI that Cargo.lock pins when missing,
// and never lets wasm-pack download anything (--mode no-install, --no-opt).
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
  if (!version('wasm-pack')) {
    console.log('installing wasm-pack');
    run('cargo', ['install', 'wasm-pack', '--locked']);
  }
}

export function build() {
  ensureTools();
  const builds = readBuildMatrix(readFileSync(`${root}/wasm-pack.toml`, 'utf8'));
  for (const b of builds) {
    const args = ['build', '--target', b.target, '--out-dir', b['out-dir'], '--out-name', 'didcomm_wasm',
      '--profile', b.profile, '--no-opt', '--weak-refs', '--no-pack', '--no-gitignore', '--mode', 'no-install',
      // The matrix is the whole truth about features: cargo's defaults are off here.
      '--', '--locked', '--no-default-features'];
    if (b.features?.length) args.push('--features', b.features.join(','));
    console.log(`wasm-pack ${args.join(' ')}`);
    run('wasm-pack', args);
    if (b.target === 'nodejs') {
      // wasm-pack's nodejs glue is CommonJS, inside a "type": "module" package.
      writeFileSync(`${root}/${b['out-dir']}/package.json`, '{ "type": "commonjs" }\n');
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build();
