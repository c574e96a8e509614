// The README's Node quick start runs as written (with the spec's Alice and Bob supplied
// under the names it uses), so the manual cannot drift from the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as api from 'didcomm-wasm';
import { json, root } from './fixtures.js';

test('README quick start (Node) runs', async () => {
  const readme = readFileSync(`${root}/README.md`, 'utf8');
  const section = readme.split('## Quick start: Node')[1];
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, 'the README has a Node quick start');
  const body = code.replace(/^import .*$/gm, '') + '\nreturn { received, metadata };';
  const AsyncFunction = (async () => {}).constructor;
  const run = new AsyncFunction('DIDComm', 'SecretsStore', 'aliceDoc', 'bobDoc', 'aliceSecretJwks', 'bobSecretJwks', body);
  const { received, metadata } = await run(api.DIDComm, api.SecretsStore, json('diddoc-alice.json'), json('diddoc-bob.json'),
    json('secrets-alice.json'), json('secrets-bob.json'));
  assert.equal(received.body.content, 'Hello, Bob!');
  assert.equal(metadata.authenticated, true);
});
