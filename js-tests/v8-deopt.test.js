// A hot async function packing forwards aborted Node 20's V8 within a few thousand calls
// (a lazy deoptimization inside an inlined JS→wasm call; see js/node.js). The package turns
// that inlining off at import, so the same loop now runs to the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LOOP = `
import { DIDComm, createPeerDID } from 'didcomm-wasm';
const mediator = createPeerDID({ services: [{ uri: 'http://127.0.0.1:1/' }] });
const to = createPeerDID({ services: [{ uri: mediator.did }] }).did;
const sender = new DIDComm();
const ledger = new Map();
async function makeForward() {
  const msg = { id: crypto.randomUUID(), type: 'https://didcomm.org/basicmessage/2.0/message', to: [to], body: { content: 'x' } };
  const { packed, metadata } = await sender.packEncrypted(msg, { to });
  const f = { id: msg.id, packed, url: metadata.messagingService.uri };
  ledger.set(f.id, f);
  return f;
}
for (let i = 0; i < 30000; i++) {
  await makeForward();
  if (i % 1000 === 999) ledger.clear();
}
console.log('done');
`;

test('a hot loop of packEncrypted does not abort V8', { timeout: 120_000 }, () => {
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', LOOP], { cwd, encoding: 'utf8' });
  assert.equal(run.signal, null, `killed by ${run.signal}: ${run.stderr.slice(0, 400)}`);
  assert.equal(run.status, 0, run.stderr.slice(0, 400));
  assert.equal(run.stdout.trim(), 'done');
});
