// Every resolver shape the package accepts, and what happens when a resolver fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'did-resolver';
import { DIDComm, DIDCommError, SecretsStore } from 'didcomm-wasm';
import { json, vectorsDir } from './fixtures.js';
import { readFileSync } from 'node:fs';

const docs = { 'did:example:alice': json('diddoc-alice.json'), 'did:example:bob': json('diddoc-bob.json') };
const bobSecrets = json('secrets-bob.json');
const vector = readFileSync(`${vectorsDir}/signed-authcrypt-p256-a256cbc.json`, 'utf8');
const anoncrypt = readFileSync(`${vectorsDir}/anoncrypt-x25519-xc20p.json`, 'utf8');

const syncDids = { resolve: (did) => docs[did] ?? null };
const asyncDids = { resolve: async (did) => docs[did] ?? null };
const syncSecrets = {
  getSecret: (kid) => bobSecrets.find((s) => s.kid === kid) ?? null,
  findSecrets: (kids) => kids.filter((k) => bobSecrets.some((s) => s.kid === k)),
};
const asyncSecrets = {
  getSecret: async (kid) => syncSecrets.getSecret(kid),
  findSecrets: async (kids) => syncSecrets.findSecrets(kids),
};

async function unpacksVector(didResolver, secretsResolver) {
  const bob = new DIDComm({ didResolver, secretsResolver });
  const { message, metadata } = await bob.unpack(vector);
  assert.equal(message.id, '1234567890');
  assert.equal(metadata.encryptedFromKid, 'did:example:alice#key-p256-1');
  return bob;
}

async function rejectsWith(promise, code, check = () => {}) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof DIDCommError, `a DIDCommError, got ${e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.code, code, e.message);
    check(e);
    return true;
  });
}

test('sync resolver objects', () => unpacksVector(syncDids, syncSecrets));
test('async resolver objects', () => unpacksVector(asyncDids, asyncSecrets));
test('mixed sync and async', () => unpacksVector(asyncDids, syncSecrets));
test('the built-in SecretsStore', () => unpacksVector(syncDids, new SecretsStore(bobSecrets)));

test('a did-resolver Resolver works as it is', async () => {
  const resolver = new Resolver({
    example: async (did) => (docs[did]
      ? { didDocument: docs[did], didResolutionMetadata: { contentType: 'application/did+json' }, didDocumentMetadata: {} }
      : { didDocument: null, didResolutionMetadata: { error: 'notFound' }, didDocumentMetadata: {} }),
  });
  const bob = await unpacksVector(resolver, syncSecrets);
  const msg = { id: '1', type: 'https://example.com/t', from: 'did:example:bob', body: {} };
  await rejectsWith(bob.packEncrypted(msg, { to: 'did:example:nobody' }), 'ERR_DID_NOT_FOUND');
  // did-resolver answers an unknown method with an error result, not a throw.
  await rejectsWith(bob.packEncrypted(msg, { to: 'did:unknownmethod:x' }), 'ERR_RESOLVER',
    (e) => assert.match(e.message, /unsupportedDidMethod/));
});

test('a secret JWK without kid is the secret for the kid asked for', async () => {
  const secrets = {
    getSecret: (kid) => {
      const s = bobSecrets.find((x) => x.kid === kid);
      if (!s) return null;
      const { kid: _, ...jwk } = s;
      return jwk;
    },
    findSecrets: syncSecrets.findSecrets,
  };
  await unpacksVector(syncDids, secrets);
});

const failures = {
  throwing: () => { throw new Error('resolver exploded'); },
  rejecting: () => Promise.reject(new TypeError('resolver rejected')),
  'throwing a non-Error': () => { throw 'plain string'; }, // eslint-disable-line no-throw-literal
};

for (const [how, fail] of Object.entries(failures)) {
  test(`a ${how} DID resolver rejects with ERR_RESOLVER and its error as cause, and later calls work`, async () => {
    let calls = 0;
    const flaky = { resolve: (did) => (calls++ === 0 ? fail() : docs[did] ?? null) };
    const bob = new DIDComm({ didResolver: flaky, secretsResolver: syncSecrets });
    // What `fail` throws or rejects with, to compare against the cause.
    const thrown = await Promise.resolve().then(fail).catch((e) => e);
    await rejectsWith(bob.unpack(vector), 'ERR_RESOLVER', (e) => {
      if (thrown instanceof Error) {
        assert.equal(e.cause?.constructor, thrown.constructor);
        assert.equal(e.cause.message, thrown.message);
        assert.ok(e.message.includes(thrown.message), e.message);
      } else {
        assert.equal(e.cause, thrown);
      }
    });
    const { message } = await bob.unpack(vector);
    assert.equal(message.id, '1234567890');
  });

  test(`a ${how} secrets resolver rejects with ERR_RESOLVER, and later calls work`, async () => {
    let calls = 0;
    const flaky = {
      getSecret: (kid) => syncSecrets.getSecret(kid),
      findSecrets: (kids) => (calls++ === 0 ? fail() : syncSecrets.findSecrets(kids)),
    };
    const bob = new DIDComm({ didResolver: syncDids, secretsResolver: flaky });
    await rejectsWith(bob.unpack(anoncrypt), 'ERR_RESOLVER', (e) => assert.ok('cause' in e));
    assert.equal((await bob.unpack(anoncrypt)).message.id, '1234567890');
  });
}

test('the thrown Error object itself is the cause', async () => {
  const boom = new RangeError('specific failure');
  const bob = new DIDComm({ didResolver: { resolve: () => { throw boom; } }, secretsResolver: syncSecrets });
  await rejectsWith(bob.unpack(vector), 'ERR_RESOLVER', (e) => assert.equal(e.cause, boom));
});

test('a resolver returning a plain value is an ERR_RESOLVER, not a crash', async () => {
  for (const value of [42, 'did doc', true]) {
    const bob = new DIDComm({ didResolver: { resolve: () => value }, secretsResolver: syncSecrets });
    await rejectsWith(bob.unpack(vector), 'ERR_RESOLVER', (e) => assert.match(e.message, /expected a DID document/));
  }
  const secrets = { getSecret: () => 7, findSecrets: (kids) => kids };
  const bob = new DIDComm({ didResolver: syncDids, secretsResolver: secrets });
  await rejectsWith(bob.unpack(anoncrypt), 'ERR_RESOLVER', (e) => assert.match(e.message, /expected a private JWK/));
  await rejectsWith(new DIDComm({ didResolver: syncDids, secretsResolver: { getSecret: () => null, findSecrets: () => 'x' } })
    .unpack(anoncrypt), 'ERR_RESOLVER');
});

test('a resolver returning a malformed document is ERR_MALFORMED naming the DID', async () => {
  const bob = new DIDComm({ didResolver: { resolve: (did) => ({ id: did, keyAgreement: 5 }) }, secretsResolver: syncSecrets });
  await rejectsWith(bob.unpack(vector), 'ERR_MALFORMED', (e) => assert.match(e.message, /did:example:alice/));
});

test('resolvers without the required methods, and bad options, are refused at construction', () => {
  for (const [options, needle] of [
    [{ didResolver: {}, secretsResolver: syncSecrets }, /resolve/],
    [{ didResolver: null, secretsResolver: syncSecrets }, /resolve/],
    [{ didResolver: syncDids, secretsResolver: { getSecret() {} } }, /findSecrets/],
    [{ didResolver: syncDids, secretsResolver: null }, /getSecret/],
    [{ didResolver: syncDids, builtinMethods: 'key' }, /builtinMethods/],
    [{ didResolver: syncDids, builtinMethods: ['ion'] }, /builtinMethods/],
    [{ didResolver: syncDids, fetch: 'https://x' }, /fetch/],
  ]) {
    assert.throws(() => new DIDComm(options), (e) => e instanceof DIDCommError && e.code === 'ERR_ILLEGAL_ARGUMENT' && needle.test(e.message));
  }
});

test('concurrent calls with failing and working resolvers do not mix their causes', async () => {
  const good = new DIDComm({ didResolver: asyncDids, secretsResolver: asyncSecrets });
  const bad = new DIDComm({ didResolver: { resolve: async () => { throw new Error('bad one'); } }, secretsResolver: asyncSecrets });
  const results = await Promise.allSettled([good.unpack(vector), bad.unpack(vector), good.unpack(vector), bad.unpack(vector)]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected']);
  for (const r of results.filter((x) => x.status === 'rejected')) assert.equal(r.reason.cause.message, 'bad one');
});

// The core remembers the document each DID resolved to, by its JSON text: a resolver that
// answers differently later (a rotated key, a removed DID) must be heard at once.
test('a resolver whose answer changes is heard on the next call', async () => {
  let bob = docs['did:example:bob'];
  const alice = new DIDComm({
    didResolver: { resolve: (did) => (did === 'did:example:bob' ? bob : docs[did] ?? null) },
    secretsResolver: new SecretsStore(json('secrets-alice.json')),
  });
  const msg = { id: 'm', type: 'https://example.org/t', from: 'did:example:alice', to: ['did:example:bob'], body: {} };
  const first = await alice.packEncrypted(msg, { to: 'did:example:bob' });
  assert.ok(first.metadata.toKids.length > 1);
  const kid = 'did:example:bob#key-p256-1';
  bob = { ...bob, keyAgreement: bob.keyAgreement.filter((k) => k.id === kid) };
  const second = await alice.packEncrypted(msg, { to: 'did:example:bob' });
  assert.deepEqual(second.metadata.toKids, [kid]);
  bob = null;
  await assert.rejects(alice.packEncrypted(msg, { to: 'did:example:bob' }), { code: 'ERR_DID_NOT_FOUND' });
  bob = docs['did:example:bob'];
  const again = await alice.packEncrypted(msg, { to: 'did:example:bob' });
  assert.deepEqual(again.metadata.toKids, first.metadata.toKids);
});

test('the DID resolver is asked once per DID in a call, and again in the next call', async () => {
  const asked = [];
  const didResolver = { resolve: (did) => { asked.push(did); return docs[did] ?? null; } };
  const alice = new DIDComm({ didResolver, secretsResolver: new SecretsStore(json('secrets-alice.json')) });
  const message = { id: '1', type: 't', from: 'did:example:alice', to: ['did:example:bob'], body: {} };
  // Signed, then authcrypted: the sender's document serves both, asked for once.
  const options = { to: 'did:example:bob', from: 'did:example:alice', signBy: 'did:example:alice#key-1', forward: false };
  const { packed } = await alice.packEncrypted(message, options);
  assert.deepEqual(asked.sort(), ['did:example:alice', 'did:example:bob']);
  asked.length = 0;
  await alice.packEncrypted(message, options);
  assert.deepEqual(asked.sort(), ['did:example:alice', 'did:example:bob']);
  asked.length = 0;
  const bob = new DIDComm({ didResolver, secretsResolver: new SecretsStore(bobSecrets) });
  const { metadata } = await bob.unpack(packed);
  assert.equal(metadata.signFrom, 'did:example:alice#key-1');
  assert.deepEqual(asked, ['did:example:alice']);
});
