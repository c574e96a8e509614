// The WebCrypto backend (js/crypto/web.js) on its own, against published vectors, run on
// Node's WebCrypto; the same backend against the Rust crates in Chromium is in suite.js
// ("crypto backends"). Also: a browser whose WebCrypto lacks X25519 or Ed25519.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWebBackend } from '../js/crypto/web.js';
import { CURVES } from '../js/crypto/codes.js';

const hex = (s) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const X25519 = CURVES.indexOf('X25519');
const Ed25519 = CURVES.indexOf('Ed25519');
const alice = { d: hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'), x: hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a') };
const bob = { d: hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'), x: hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f') };
const SHARED = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
const toHex = (bytes) => Buffer.from(bytes).toString('hex');

test('X25519: RFC 7748 §6.1 both directions; an id not held asks for importSecret', async () => {
  const b = createWebBackend();
  assert.equal(b.agree(1, X25519, bob.x), undefined);
  b.importSecret(1, X25519, alice.d, alice.x);
  b.importSecret(2, X25519, bob.d, bob.x);
  assert.equal(toHex(await b.agree(1, X25519, bob.x)), SHARED);
  assert.equal(toHex(await b.agree(2, X25519, alice.x)), SHARED);
});

test('X25519 generate: d ‖ x, usable at once under its id, and x is the public key of d', async () => {
  const b = createWebBackend();
  b.importSecret(1, X25519, bob.d, bob.x);
  const out = await b.generate(7, X25519);
  assert.equal(out.length, 64);
  const z = await b.agree(7, X25519, bob.x);
  assert.deepEqual(await b.agree(1, X25519, out.subarray(32)), z);
  // d alone, imported afresh, gives the same secret: x belongs to d.
  b.importSecret(8, X25519, out.subarray(0, 32), out.subarray(32));
  assert.deepEqual(await b.agree(8, X25519, bob.x), z);
});

test('Ed25519 sign: RFC 8032 §7.1 TEST 2, byte for byte', async () => {
  const b = createWebBackend();
  const d = hex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
  const x = hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
  b.importSecret(3, Ed25519, d, x);
  const sig = await b.sign(3, Ed25519, hex('72'));
  assert.equal(toHex(sig), '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00');
});

test('a WebCrypto without X25519 and Ed25519: the first call fails, later ones decline', async () => {
  const real = globalThis.crypto.subtle;
  const okp = (alg) => ['X25519', 'Ed25519'].includes(typeof alg === 'string' ? alg : alg?.name);
  const refuse = () => Promise.reject(new DOMException('Unrecognized name', 'NotSupportedError'));
  const lacking = new Proxy(real, {
    get(target, prop) {
      const f = Reflect.get(target, prop).bind(target);
      if (prop === 'generateKey' || prop === 'sign' || prop === 'deriveBits') return (alg, ...rest) => (okp(alg) ? refuse() : f(alg, ...rest));
      if (prop === 'importKey') return (fmt, key, alg, ...rest) => (okp(alg) ? refuse() : f(fmt, key, alg, ...rest));
      return f;
    },
  });
  const b = createWebBackend(lacking);
  await assert.rejects(b.generate(1, X25519), { name: 'NotSupportedError' });
  assert.equal(b.generate(2, X25519), null, 'declined, so the Rust crates generate');
  b.importSecret(3, X25519, alice.d, alice.x);
  assert.equal(b.agree(3, X25519, bob.x), null, 'declined without asking for the key again');
  b.importSecret(4, Ed25519, alice.d, alice.x);
  await assert.rejects(b.sign(4, Ed25519, hex('72')), { name: 'NotSupportedError' });
  assert.equal(b.sign(4, Ed25519, hex('72')), null);
  // The NIST curves are untouched.
  const p256 = await b.generate(5, CURVES.indexOf('P-256'));
  assert.equal(p256.length, 96);
});
