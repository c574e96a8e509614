// Nothing needs free(): 100 000 pack/unpack calls, of every kind and including failures,
// and 100 000 calls of DID work, leave wasm memory exactly where a warm-up left it. Linear
// memory never shrinks, so any per-call leak shows as growth. (DIDComm and SecretsStore
// instances themselves are reclaimed by the garbage collector through FinalizationRegistry.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DIDComm, SecretsStore, createKeyDID, createPeerDID, generateKey, resolveDID, wasmMemoryBytes,
} from 'didcomm-wasm';
import { json } from './fixtures.js';

const docs = { 'did:example:alice': json('diddoc-alice.json'), 'did:example:bob': json('diddoc-bob.json') };
const didResolver = { resolve: async (did) => docs[did] ?? null };
const alice = new DIDComm({ didResolver, secretsResolver: new SecretsStore(json('secrets-alice.json')) });
const bobSecrets = json('secrets-bob.json');
const bob = new DIDComm({
  didResolver,
  secretsResolver: { getSecret: (kid) => bobSecrets.find((s) => s.kid === kid) ?? null, findSecrets: (kids) => kids },
});
// DID rotation: Alice, holding her spec secrets and a new did:peer:2's, rotates to it.
const rotated = createPeerDID();
const rotating = new DIDComm({ didResolver, secretsResolver: new SecretsStore([...json('secrets-alice.json'), ...rotated.secrets]) });
const failing = new DIDComm({ didResolver: { resolve: () => { throw new Error('down'); } }, secretsResolver: new SecretsStore() });

const msg = (i) => ({
  id: `m-${i}`, type: 'https://didcomm.org/basicmessage/2.0/message', from: 'did:example:alice', to: ['did:example:bob'],
  body: { content: `message ${i} `.repeat(1 + (i % 40)) },
});

/** One round of 100 calls: plaintext, signed, anoncrypt, authcrypt, a DID rotation, and four failures. */
async function round(i) {
  for (let k = 0; k < 35; k += 1) await bob.unpack(await alice.packPlaintext(msg(i + k)));
  const { jwt } = await rotating.packFromPrior({ iss: 'did:example:alice', sub: rotated.did, iat: i });
  const rotation = await rotating.packEncrypted({ ...msg(i), from: rotated.did, from_prior: jwt }, { to: 'did:example:bob', from: rotated.did });
  await bob.unpack(rotation.packed);
  const signed = await alice.packSigned(msg(i), { signBy: 'did:example:alice' });
  await bob.unpack(signed.packed);
  const anon = await alice.packEncrypted(msg(i), { to: 'did:example:bob', encAlgAnon: 'XC20P' });
  await bob.unpack(anon.packed);
  const auth = await alice.packEncrypted(msg(i), { to: 'did:example:bob', from: 'did:example:alice', protectSender: true });
  await bob.unpack(JSON.parse(auth.packed));
  await bob.unpack('{"broken": ').catch(() => {});
  await bob.unpack(anon.packed.replace('"tag":"', '"tag":"AA')).catch(() => {});
  await failing.unpack(signed.packed).catch(() => {});
  await alice.packPlaintext(42).catch(() => {});
  return 100;
}

/** Calls `round` (which returns how many calls it made) 100 000 times after a warm-up. */
async function flat(round) {
  let i = 0;
  while (i < 5_000) i += await round(i);
  const before = wasmMemoryBytes();
  const start = performance.now();
  let calls = 0;
  while (calls < 100_000) calls += await round(i + calls);
  const after = wasmMemoryBytes();
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  console.log(`wasm memory: ${before} bytes after warm-up, ${after} after ${calls} more calls (${seconds} s)`);
  assert.equal(after, before, `wasm memory grew by ${after - before} bytes over ${calls} calls`);
}

test('wasm memory stays flat over 100 000 calls', { timeout: 600_000 }, () => flat(round));

// DID work: messages to a created did:peer:2 (resolved by the built-ins, cached), did:key
// resolution, identity creation, key generation and export.
const peer = createPeerDID();
const peerAgent = new DIDComm({ didResolver, secretsResolver: new SecretsStore(peer.secrets) });
const keyDid = createKeyDID('P-256').did;
const exported = new SecretsStore();

/** 100 calls: 25 messages packed and unpacked, 30 resolutions, 5 × (create, generate, add, export). */
async function didRound(i) {
  for (let k = 0; k < 25; k += 1) {
    const { packed } = await alice.packEncrypted({ ...msg(i + k), to: [peer.did] }, { to: peer.did, from: 'did:example:alice' });
    await peerAgent.unpack(packed);
  }
  for (let k = 0; k < 15; k += 1) {
    await resolveDID(keyDid);
    await peerAgent.resolveDID(peer.did);
  }
  for (let k = 0; k < 5; k += 1) {
    createPeerDID({ agreement: ['X25519', 'P-256'] });
    exported.add(generateKey('X25519', { kid: 'did:example:x#k' })).export();
  }
  return 100;
}

test('wasm memory stays flat over 100 000 calls of DID work', { timeout: 600_000 }, () => flat(didRound));
