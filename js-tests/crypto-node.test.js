// The node:crypto backend (js/crypto/node.js) on its own, against published vectors: the
// cross-checks against the Rust crates are in suite.js ("crypto backends").
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeBackend } from '../js/crypto/node.js';
import { CURVES, ENCS } from '../js/crypto/codes.js';

const hex = (s) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const X25519 = CURVES.indexOf('X25519');

test('X25519: RFC 7748 §6.1, both directions, and the key held under its id until forgotten', () => {
  const b = createNodeBackend();
  const alice = { d: hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'), x: hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a') };
  const bob = { d: hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'), x: hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f') };
  const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
  assert.equal(b.agree(1, X25519, bob.x), undefined, 'an id not held asks for importSecret');
  b.importSecret(1, X25519, alice.d, alice.x);
  b.importSecret(2, X25519, bob.d, bob.x);
  assert.equal(Buffer.from(b.agree(1, X25519, bob.x)).toString('hex'), shared);
  assert.equal(Buffer.from(b.agree(2, X25519, alice.x)).toString('hex'), shared);
  b.forget(1);
  assert.equal(b.agree(1, X25519, bob.x), undefined);
});

test('A256CBC-HS512: RFC 7518 Appendix B.3, and a changed tag is refused', () => {
  const b = createNodeBackend();
  const key = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f');
  const p = hex(`41206369706865722073797374656d206d757374206e6f7420626520726571756972656420746f
    206265207365637265742c20616e64206974206d7573742062652061626c6520746f2066616c6c
    20696e746f207468652068616e6473206f662074686520656e656d7920776974686f757420696e
    636f6e76656e69656e6365`);
  const iv = hex('1af38c2dc2b96ffdd86694092341bc04');
  const a = hex('546865207365636f6e64207072696e6369706c65206f662041756775737465204b6572636b686f666673');
  const enc = ENCS.indexOf('A256CBC-HS512');
  const out = Buffer.from(b.encrypt(enc, key, iv, a, p));
  const [c, tag] = [out.subarray(0, out.length - 32), out.subarray(out.length - 32)];
  assert.equal(tag.toString('hex'), '4dd3b4c088a7f45c216839645b2012bf2e6269a8c56a816dbc1b267761955bc5');
  assert.equal(c.subarray(0, 16).toString('hex'), '4affaaadb78c31c5da4b1b590d10ffbd');
  assert.deepEqual(Buffer.from(b.decrypt(enc, key, iv, a, c, tag)), p);
  const bad = Buffer.from(tag);
  bad[0] ^= 1;
  assert.equal(b.decrypt(enc, key, iv, a, c, bad), false);
});

test('AES-256 key wrap: RFC 3394 §4.6, and a changed wrapped key is refused', () => {
  const b = createNodeBackend();
  const kek = hex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
  const data = hex('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F');
  const wrapped = Buffer.from(b.wrap(kek, data));
  assert.equal(wrapped.toString('hex').toUpperCase(), '28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21');
  assert.deepEqual(Buffer.from(b.unwrap(kek, wrapped)), data);
  wrapped[3] ^= 1;
  assert.equal(b.unwrap(kek, wrapped), false);
});

test('SHA-256 declines small inputs (the wasm is faster there) and hashes large ones', () => {
  const b = createNodeBackend();
  assert.equal(b.sha256(Buffer.from('abc')), undefined);
  const big = Buffer.alloc(1_000_000, 'a');
  // FIPS 180-2 appendix B.3: one million 'a'.
  assert.equal(Buffer.from(b.sha256(big)).toString('hex'), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
});

test('generated keys: d ‖ x (‖ y) at full length, usable at once under their id', () => {
  const b = createNodeBackend();
  const FIELD = { X25519: 32, 'P-256': 32, 'P-384': 48 };
  assert.deepEqual(b.serves.generate, Object.keys(FIELD), 'P-521 stays in the wasm (faster there)');
  for (const [curve, n] of Object.entries(FIELD)) {
    const code = CURVES.indexOf(curve);
    const out = b.generate(10 + code, code);
    assert.equal(out.length, curve === 'X25519' ? 2 * n : 3 * n, curve);
    const peer = b.generate(20 + code, code);
    const z1 = Buffer.from(b.agree(10 + code, code, peer.subarray(n)));
    const z2 = Buffer.from(b.agree(20 + code, code, out.subarray(n)));
    assert.equal(z1.length, n);
    assert.deepEqual(z1, z2, curve);
  }
});

// Node 20 deadlocks when a key is exported while a garbage collection frees a finished
// generateKeyPairSync job: a mediator hung after ~30 000 epks (CI did, in memory.test.js).
// A deadlocked thread cannot time itself out, so the keys are made in a child process.
test('80 000 X25519 epks in a row: no deadlock, each public key fits its d', () => {
  const script = `
    import { createNodeBackend } from ${JSON.stringify(new URL('../js/crypto/node.js', import.meta.url).href)};
    const b = createNodeBackend();
    let kept = [];
    for (let i = 0; i < 80000; i += 1) {
      const out = b.generate(i, ${X25519});
      kept.push(out);
      if (kept.length > 1000) kept = [];
      b.forget(i - 1);
    }
    process.stdout.write('done');`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000, encoding: 'utf8' });
  assert.equal(child.signal, null, 'the key generation hung (killed after 60 s)');
  assert.equal(child.stdout, 'done', child.stderr);
  // And the public halves are right: a generated key agrees with RFC 7748's Bob.
  const b = createNodeBackend();
  const bob = { d: hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'), x: hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f') };
  b.importSecret(1, X25519, bob.d, bob.x);
  for (let i = 0; i < 20; i += 1) {
    const out = b.generate(100 + i, X25519);
    assert.deepEqual(Buffer.from(b.agree(1, X25519, out.subarray(32))), Buffer.from(b.agree(100 + i, X25519, bob.x)));
  }
});

test('publicKey of X25519 and Ed25519: RFC 7748 §6.1 and RFC 8032 §7.1, and the key is held', () => {
  const b = createNodeBackend();
  const alice = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const bobX = hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
  assert.equal(Buffer.from(b.publicKey(1, X25519, alice)).toString('hex'), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
  assert.equal(Buffer.from(b.agree(1, X25519, bobX)).toString('hex'), '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  const ed = CURVES.indexOf('Ed25519');
  const d = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  assert.equal(Buffer.from(b.publicKey(2, ed, d)).toString('hex'), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  assert.equal(Buffer.from(b.sign(2, ed, new Uint8Array(0))).toString('hex'), 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b');
});
