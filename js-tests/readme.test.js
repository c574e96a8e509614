// The README's Node quick start runs as written (its imports supplied by name), so the
// manual cannot drift from the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import * as api from 'didcomm-wasm';
import { root } from './fixtures.js';
import { testMediator } from './mediator-client.js';

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

test('README quick start (mediator) runs against a local mediator', async () => {
  const readme = readFileSync(`${root}/README.md`, 'utf8');
  const section = readme.split('## Quick start: connect to a mediator')[1];
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, 'the README has a mediator quick start');
  const m = await testMediator();
  const lines = [];
  const body = `${code.replace(/^import .*$/gm, '').replaceAll('http://127.0.0.1:8080/', m.url)}\nreturn { alice, bob };`;
  const AsyncFunction = (async () => {}).constructor;
  const names = Object.keys(api);
  const run = new AsyncFunction(...names, 'WebSocket', 'console', body);
  const { alice, bob } = await run(...names.map((n) => api[n]), WebSocket, { log: (l) => lines.push(l) });
  try {
    for (let i = 0; i < 200 && lines.length < 2; i += 1) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(lines, ['Bob got: Hi Bob!', 'Alice got: Hi Alice!']);
  } finally {
    await alice.close();
    await bob.close();
    await m.close();
  }
});
