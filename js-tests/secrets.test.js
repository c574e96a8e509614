// Private keys never show: not in what a SecretsStore or DIDComm prints or serializes, not
// in any error about a key, however the JWK is broken. (tests/secret_hygiene.rs checks the
// core's memory: no freed block keeps a key.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { DIDComm, SecretsStore } from 'didcomm-wasm';
import { json } from './fixtures.js';

const jwks = [...json('secrets-alice.json'), ...json('secrets-bob.json')];
const privates = jwks.map((j) => j.d);
const hex = jwks.map((j) => Buffer.from(j.d, 'base64url').toString('hex'));

function neverShown(what, text) {
  for (const secret of [...privates, ...hex]) assert.ok(!text.includes(secret), `${what} shows a private key: ${text}`);
}

test('a store and an instance print and serialize without their keys', () => {
  const store = new SecretsStore(jwks);
  const didcomm = new DIDComm({ secretsResolver: store });
  for (const value of [store, didcomm]) {
    neverShown('inspect', inspect(value, { showHidden: true, depth: 20, getters: true }));
    neverShown('JSON.stringify', JSON.stringify(value) ?? '');
    neverShown('String()', String(value));
  }
  // What the store hands back on purpose: kids, and export() for persisting.
  assert.deepEqual(store.kids().sort(), jwks.map((j) => j.kid).sort());
  assert.deepEqual(store.export().map((j) => j.d).sort(), [...privates].sort());
});

test('errors about broken private JWKs name the kid, never the key', async () => {
  const errors = [];
  for (const jwk of jwks) {
    const other = jwks.find((j) => j.crv === jwk.crv && j.x !== jwk.x);
    const broken = [
      { ...jwk, d: `${jwk.d}AA` },
      { ...jwk, d: `${jwk.d}*` },
      { ...jwk, d: jwk.d.slice(1) },
      { ...jwk, d: '_'.repeat(jwk.d.length) },
      { ...jwk, crv: 'P-999' },
      ...(other ? [{ ...jwk, x: other.x, ...(other.y ? { y: other.y } : {}) }] : []),
    ];
    for (const bad of broken) {
      let store;
      try {
        store = new SecretsStore([bad]);
      } catch (e) {
        errors.push(e);
        continue;
      }
      // Accepted in form: the public part is checked against d on first use.
      const didcomm = new DIDComm({ secretsResolver: store, didResolver: { resolve: () => null } });
      const signBy = jwk.kid;
      await didcomm.packSigned({ id: '1', type: 't', body: {} }, { signBy }).catch((e) => errors.push(e));
    }
  }
  assert.ok(errors.length >= jwks.length * 4, `${errors.length} errors`);
  for (const e of errors) {
    assert.equal(e.name, 'DIDCommError');
    neverShown('an error', `${e.message} ${inspect(e, { depth: 10 })}`);
  }
  assert.ok(errors.some((e) => e.code === 'ERR_MALFORMED' && /did:example:bob#key-p256-1/.test(e.message)));
});
