// The hand-written TypeScript declarations compile against real usage (js-tests/types/usage.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { root } from './fixtures.js';

test('index.d.ts type-checks real usage under --strict', () => {
  // typescript's exports map hides bin/; find it beside its main module.
  const tsc = new URL('../bin/tsc', pathToFileURL(createRequire(import.meta.url).resolve('typescript'))).pathname;
  const args = [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--skipLibCheck', 'false', 'js-tests/types/usage.ts'];
  try {
    execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc reported errors:\n${e.stdout}${e.stderr}`);
  }
});
