// Bad input of every sort gives a DIDCommError with the right code, never a wasm trap, and
// the module keeps working afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DIDComm, DIDCommError, SecretsStore } from 'didcomm-wasm';
import { isDIDCommError, json, vectorsDir } from './fixtures.js';

const docs = { 'did:example:alice': json('diddoc-alice.json'), 'did:example:bob': json('diddoc-bob.json') };
const didResolver = { resolve: (did) => docs[did] ?? null };
const alice = new DIDComm({ didResolver, secretsResolver: new SecretsStore(json('secrets-alice.json')) });
const bob = new DIDComm({ didResolver, secretsResolver: new SecretsStore(json('secrets-bob.json')) });
const vector = readFileSync(`${vectorsDir}/authcrypt-x25519-a256cbc.json`, 'utf8');
const msg = { id: '1', type: 'https://didcomm.org/basicmessage/2.0/message', from: 'did:example:alice', to: ['did:example:bob'], body: {} };

const cyclic = { ...msg };
cyclic.self = cyclic;

const rejections = [
  ['packPlaintext(42)', () => alice.packPlaintext(42), 'ERR_ILLEGAL_ARGUMENT', /message must be an object, got number/],
  ['packPlaintext("str")', () => alice.packPlaintext('{"id":"1"}'), 'ERR_ILLEGAL_ARGUMENT', /got string/],
  ['packPlaintext(null)', () => alice.packPlaintext(null), 'ERR_ILLEGAL_ARGUMENT'],
  ['packPlaintext()', () => alice.packPlaintext(), 'ERR_ILLEGAL_ARGUMENT'],
  ['packPlaintext([])', () => alice.packPlaintext([]), 'ERR_ILLEGAL_ARGUMENT', /got array/],
  ['a message without id', () => alice.packPlaintext({ type: 't' }), 'ERR_MALFORMED', /'id'/],
  ['a message with a numeric type', () => alice.packPlaintext({ id: '1', type: 5 }), 'ERR_MALFORMED', /'type'/],
  ['a message with from that is no DID', () => alice.packPlaintext({ ...msg, from: 'alice' }), 'ERR_MALFORMED', /'from'/],
  ['a cyclic message', () => alice.packPlaintext(cyclic), 'ERR_ILLEGAL_ARGUMENT', /JSON/],
  ['a message with a BigInt', () => alice.packPlaintext({ ...msg, n: 10n }), 'ERR_ILLEGAL_ARGUMENT', /JSON/],
  ['packEncrypted without options', () => alice.packEncrypted(msg), 'ERR_ILLEGAL_ARGUMENT', /options/],
  ['packEncrypted with options 5', () => alice.packEncrypted(msg, 5), 'ERR_ILLEGAL_ARGUMENT', /options/],
  ['packEncrypted without to', () => alice.packEncrypted(msg, {}), 'ERR_ILLEGAL_ARGUMENT', /options\.to/],
  ['packEncrypted with a numeric to', () => alice.packEncrypted(msg, { to: 5 }), 'ERR_ILLEGAL_ARGUMENT', /options 'to' must be a string, got a number/],
  ['packEncrypted with a bad encAlgAnon', () => alice.packEncrypted(msg, { to: 'did:example:bob', encAlgAnon: 'A128GCM' }), 'ERR_ILLEGAL_ARGUMENT', /encAlgAnon/],
  ['packEncrypted with protectSender "yes"', () => alice.packEncrypted(msg, { to: 'did:example:bob', protectSender: 'yes' }), 'ERR_ILLEGAL_ARGUMENT', /protectSender/],
  ['packEncrypted to an unknown DID', () => alice.packEncrypted({ ...msg, to: undefined }, { to: 'did:example:carol' }), 'ERR_DID_NOT_FOUND', /did:example:carol/],
  ['packEncrypted to a kid not in keyAgreement', () => alice.packEncrypted(msg, { to: 'did:example:bob#nope' }), 'ERR_KID_NOT_FOUND', /bob#nope/],
  ['packEncrypted from someone else', () => alice.packEncrypted(msg, { to: 'did:example:bob', from: 'did:example:bob' }), 'ERR_ILLEGAL_ARGUMENT'],
  ['packEncrypted from a DID whose secrets are not held', () => bob.packEncrypted({ ...msg, from: 'did:example:alice' }, { to: 'did:example:bob', from: 'did:example:alice' }), 'ERR_SECRET_NOT_FOUND'],
  ['packSigned without signBy', () => alice.packSigned(msg, {}), 'ERR_ILLEGAL_ARGUMENT', /signBy/],
  ['packSigned without options', () => alice.packSigned(msg), 'ERR_ILLEGAL_ARGUMENT'],
  ['unpack(42)', () => bob.unpack(42), 'ERR_ILLEGAL_ARGUMENT', /got number/],
  ['unpack()', () => bob.unpack(), 'ERR_ILLEGAL_ARGUMENT'],
  ['unpack("not json")', () => bob.unpack('not json'), 'ERR_MALFORMED', /not JSON/],
  ['unpack("")', () => bob.unpack(''), 'ERR_MALFORMED'],
  ['unpack({})', () => bob.unpack({}), 'ERR_MALFORMED'],
  ['unpack with options 7', () => bob.unpack(vector, 7), 'ERR_ILLEGAL_ARGUMENT'],
  ['unpack a truncated vector', () => bob.unpack(vector.slice(0, 300)), 'ERR_MALFORMED'],
  ['unpack with a flipped tag', () => bob.unpack(vector.replace('"tag": "uY', '"tag": "uZ')), 'ERR_DECRYPTION_FAILED'],
  ['unpack by someone holding no key', () => alice.unpack(vector), 'ERR_SECRET_NOT_FOUND'],
];

for (const [what, fn, code, needle] of rejections) {
  test(`${what} rejects with ${code}`, async () => {
    await assert.rejects(fn(), isDIDCommError(code, needle));
  });
}

test('unsupported algorithms are ERR_UNSUPPORTED', async () => {
  const jwe = JSON.parse(vector);
  const header = JSON.parse(Buffer.from(jwe.protected, 'base64url'));
  header.alg = 'ECDH-ES+A128KW';
  jwe.protected = Buffer.from(JSON.stringify(header)).toString('base64url');
  await assert.rejects(bob.unpack(jwe), isDIDCommError('ERR_UNSUPPORTED', /ECDH-ES\+A128KW/));
});

test('tampering that contradicts headers is ERR_INCONSISTENT', async () => {
  const jwe = JSON.parse(vector);
  jwe.recipients[0].header.kid = 'did:example:bob#key-x25519-9';
  await assert.rejects(bob.unpack(jwe), isDIDCommError('ERR_INCONSISTENT', /apv/));
});

test('constructor and SecretsStore argument errors throw DIDCommError synchronously', () => {
  const cases = [
    [() => new DIDComm(5), /options/],
    [() => new DIDComm(null), /options/],
    [() => new SecretsStore('x'), /array/],
    [() => new SecretsStore().add(42), /JWK/],
    [() => new SecretsStore().remove(1), /kid/],
  ];
  for (const [fn, needle] of cases) assert.throws(fn, isDIDCommError('ERR_ILLEGAL_ARGUMENT', needle));
  assert.throws(() => new SecretsStore().add({ kty: 'OKP', crv: 'X25519', x: 'AA' }), isDIDCommError('ERR_MALFORMED', /kid/));
  const [first] = json('secrets-bob.json');
  assert.throws(() => new SecretsStore([{ ...first, crv: 'P-192' }]), isDIDCommError('ERR_UNSUPPORTED', /P-192/));
});

test("a secret whose x is not its d's fails where it is first used, naming the kid", async () => {
  const [first, second] = json('secrets-bob.json');
  // The check is a scalar multiplication (ms on P-384, P-521), so the store makes it on first use.
  const store = new SecretsStore([{ ...first, x: second.x }]);
  assert.deepEqual(store.kids(), [first.kid]);
  const holder = new DIDComm({ didResolver, secretsResolver: store });
  for (let i = 0; i < 2; i += 1) {
    await assert.rejects(holder.unpack(vector), (e) => isDIDCommError('ERR_MALFORMED', /do not match/)(e) && e.message.includes(first.kid));
  }
  // The same key with its own x works.
  const fixed = new DIDComm({ didResolver, secretsResolver: new SecretsStore([first]) });
  assert.equal((await fixed.unpack(vector)).message.id, '1234567890');
});

test('SecretsStore adds, lists and removes keys', async () => {
  const store = new SecretsStore();
  const secrets = json('secrets-bob.json');
  for (const s of secrets) assert.equal(store.add(s), store);
  assert.deepEqual(store.kids(), secrets.map((s) => s.kid).sort());
  const fresh = new DIDComm({ didResolver, secretsResolver: store });
  assert.equal((await fresh.unpack(vector)).message.id, '1234567890');
  for (const s of secrets) assert.equal(store.remove(s.kid), true);
  assert.equal(store.remove('did:example:bob#key-x25519-1'), false);
  assert.deepEqual(store.kids(), []);
  await assert.rejects(fresh.unpack(vector), isDIDCommError('ERR_SECRET_NOT_FOUND'));
});

test('after all of that the module still works', async () => {
  const { packed } = await alice.packEncrypted(msg, { to: 'did:example:bob', from: 'did:example:alice', signBy: 'did:example:alice' });
  const { message, metadata } = await bob.unpack(packed);
  assert.equal(message.id, '1');
  assert.equal(metadata.nonRepudiation, true);
  assert.equal((await bob.unpack(vector)).message.id, '1234567890');
});
