// The README's Node quick start runs as written (its imports supplied by name), so the
// manual cannot drift from the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as api from 'didcomm-wasm';
import { root } from './fixtures.js';

test('README quick start (Node) runs', async () => {
  const readme = readFileSync(`${root}/README.md`, 'utf8');
  const section = readme.split('## Quick start: Node')[1];
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, 'the README has a Node quick start');
  const body = code.replace(/^import .*$/gm, '') + '\nreturn { received, metadata };';
  const AsyncFunction = (async () => {}).constructor;
  const names = Object.keys(api);
  const run = new AsyncFunction(...names, body);
  const { received, metadata } = await run(...names.map((n) => api[n]));
  assert.equal(received.body.content, 'Hello, Bob!');
  assert.equal(metadata.authenticated, true);
});
