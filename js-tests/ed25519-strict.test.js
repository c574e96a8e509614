// Ed25519 verification through a platform (WebCrypto: the web backend, run here on Node's)
// keeps dalek's strict rules: OpenSSL and WebCrypto accept a signature whose R is of small
// order, verify_strict does not, and neither does unpack, whichever backend verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { DIDComm, SecretsStore, useCrypto } from 'didcomm-wasm';
import { createWebBackend } from '../js/crypto/web.js';
import { isDIDCommError, json } from './fixtures.js';

const ALICE = 'did:example:alice';
const docs = { [ALICE]: json('diddoc-alice.json'), 'did:example:bob': json('diddoc-bob.json') };
const didResolver = { resolve: (did) => docs[did] ?? null };
const aliceSecrets = json('secrets-alice.json');
const key = aliceSecrets.find((s) => s.crv === 'Ed25519');
const alice = new DIDComm({ didResolver, secretsResolver: new SecretsStore(aliceSecrets) });
const bob = new DIDComm({ didResolver, secretsResolver: new SecretsStore(json('secrets-bob.json')) });
const msg = { id: 'strict-1', type: 'https://didcomm.org/basicmessage/2.0/message', from: ALICE, to: ['did:example:bob'], body: { content: 'hi' } };

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const fromLe = (bytes) => bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
const toLe = (n) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));

/**
 * A signature by Alice's Ed25519 key with R the identity (order 1): s = k·a, so that
 * [s]B = R + [k]A holds and the cofactorless equation accepts it. RFC 8032 allows it;
 * dalek's verify_strict refuses a small-order R.
 */
function smallOrderSignature(signingInput) {
  const h = createHash('sha512').update(Buffer.from(key.d, 'base64url')).digest();
  h[0] &= 248;
  h[31] &= 127;
  h[31] |= 64;
  const a = fromLe(h.subarray(0, 32));
  const R = new Uint8Array(32);
  R[0] = 1;
  const k = fromLe(createHash('sha512').update(R).update(Buffer.from(key.x, 'base64url')).update(signingInput).digest()) % L;
  return Buffer.concat([R, toLe((k * a) % L)]);
}

const backends = [['platform', 'platform'], ['rust', 'rust'], ['WebCrypto', createWebBackend(globalThis.crypto.subtle)]];

async function withBackend(which, fn) {
  const previous = useCrypto(which);
  try {
    return await fn();
  } finally {
    useCrypto(previous);
  }
}

test('a small-order R: the platforms accept it, unpack refuses it on every backend', async () => {
  const { packed } = await alice.packSigned(msg, { signBy: `${ALICE}#key-1` });
  const jws = JSON.parse(packed);
  const [signature] = jws.signatures;
  const signingInput = Buffer.from(`${signature.protected}.${jws.payload}`);
  const forged = smallOrderSignature(signingInput);
  // The premise: OpenSSL and WebCrypto take it, so the strict check is what refuses it.
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.x }, format: 'jwk' });
  assert.equal(verify(null, signingInput, publicKey, forged), true);
  const webKey = await crypto.subtle.importKey('raw', Buffer.from(key.x, 'base64url'), 'Ed25519', false, ['verify']);
  assert.equal(await crypto.subtle.verify('Ed25519', webKey, forged, signingInput), true);
  const bad = JSON.stringify({ ...jws, signatures: [{ ...signature, signature: forged.toString('base64url') }] });
  for (const [name, which] of backends) {
    await withBackend(which, async () => {
      assert.equal((await bob.unpack(packed)).message.id, msg.id, `${name}: the genuine signature`);
      await assert.rejects(bob.unpack(bad), isDIDCommError('ERR_VERIFICATION_FAILED', /key-1: EdDSA signature does not verify/), name);
    });
  }
});

test('a changed signature is refused on every backend, and a genuine one verifies', async () => {
  const { packed } = await alice.packSigned(msg, { signBy: `${ALICE}#key-1` });
  const jws = JSON.parse(packed);
  const sig = Buffer.from(jws.signatures[0].signature, 'base64url');
  sig[40] ^= 1;
  const bad = JSON.stringify({ ...jws, signatures: [{ ...jws.signatures[0], signature: sig.toString('base64url') }] });
  for (const [name, which] of backends) {
    await withBackend(which, async () => {
      assert.equal((await bob.unpack(packed)).metadata.signFrom, `${ALICE}#key-1`, name);
      await assert.rejects(bob.unpack(bad), isDIDCommError('ERR_VERIFICATION_FAILED', /key-1: EdDSA signature does not verify/), name);
    });
  }
});
