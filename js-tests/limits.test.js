// Every limit of `new DIDComm({ limits })`: its default, the value at the limit accepted,
// one past it refused with ERR_LIMIT_EXCEEDED naming the limit, and the module working after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS, DIDComm, SecretsStore } from 'didcomm-wasm';
import { isDIDCommError, json } from './fixtures.js';

const docs = { 'did:example:alice': json('diddoc-alice.json'), 'did:example:bob': json('diddoc-bob.json') };
const didResolver = { resolve: (did) => docs[did] ?? null };
const aliceSecrets = new SecretsStore(json('secrets-alice.json'));
const bobSecrets = new SecretsStore(json('secrets-bob.json'));
const alice = new DIDComm({ didResolver, secretsResolver: aliceSecrets });
const bobWith = (limits) => new DIDComm({ didResolver, secretsResolver: bobSecrets, limits });
const msg = (extra = {}) => ({
  id: '1', type: 'https://didcomm.org/basicmessage/2.0/message', from: 'did:example:alice', to: ['did:example:bob'], body: {}, ...extra,
});
/** `{"a":{"a":…1…}}` with `depth` objects. */
const nested = (depth) => (depth === 0 ? 1 : { a: nested(depth - 1) });
const overLimit = (name) => isDIDCommError('ERR_LIMIT_EXCEEDED', new RegExp(`limits\\.${name}`));

/** One past the limit fails, naming it; the same message then unpacks without the limit. */
async function refusedThenFine(limits, packed, name) {
  await assert.rejects(bobWith(limits).unpack(packed), overLimit(name));
  const { message } = await bobWith().unpack(packed);
  assert.equal(message.id, '1');
}

test('DEFAULT_LIMITS: the documented defaults, frozen', () => {
  assert.deepEqual({ ...DEFAULT_LIMITS }, {
    maxPackedBytes: 10 * 1024 * 1024,
    maxJsonDepth: 64,
    maxRecipients: 256,
    maxAttachments: 256,
    maxForwardNesting: 8,
    maxDidDocumentBytes: 256 * 1024,
  });
  assert.ok(Object.isFrozen(DEFAULT_LIMITS));
});

test('limits that cannot work are refused when the instance is made', () => {
  const bad = [
    [{ maxPackedByte: 5 }, /maxPackedByte is not a limit; the limits are maxPackedBytes, /],
    [{ maxRecipients: 0 }, /maxRecipients must be at least 1/],
    [{ maxRecipients: -1 }, /maxRecipients must be a positive integer/],
    [{ maxAttachments: 1.5 }, /maxAttachments must be a positive integer/],
    [{ maxAttachments: '5' }, /maxAttachments must be a positive integer/],
    [{ maxJsonDepth: 129 }, /maxJsonDepth can be at most 128/],
    [5, /limits must be an object/],
  ];
  for (const [limits, message] of bad) {
    assert.throws(() => bobWith(limits), isDIDCommError('ERR_ILLEGAL_ARGUMENT', message), JSON.stringify(limits));
    assert.throws(() => new DIDComm({ didResolver, secretsResolver: { getSecret() {}, findSecrets() {} }, limits }), isDIDCommError('ERR_ILLEGAL_ARGUMENT', message));
  }
  assert.ok(bobWith({ maxJsonDepth: 128, maxPackedBytes: 1 }));
});

test('maxPackedBytes: bytes of UTF-8, checked before anything is parsed', async () => {
  const { packed } = await alice.packEncrypted(msg({ body: { text: 'é' } }), { to: 'did:example:bob', from: 'did:example:alice' });
  const bytes = Buffer.byteLength(packed);
  assert.equal((await bobWith({ maxPackedBytes: bytes }).unpack(packed)).message.id, '1');
  await refusedThenFine({ maxPackedBytes: bytes - 1 }, packed, 'maxPackedBytes');
  // Counted in UTF-8: a plaintext of two-byte characters is over where its JS length is not.
  const plain = await alice.packPlaintext(msg({ body: { text: 'é'.repeat(100) } }));
  assert.ok(plain.length < Buffer.byteLength(plain));
  await refusedThenFine({ maxPackedBytes: plain.length }, plain, 'maxPackedBytes');
  // The default refuses anything over 10 MiB, even text that is not JSON at all; so does an object.
  await assert.rejects(bobWith().unpack(' '.repeat(DEFAULT_LIMITS.maxPackedBytes + 1)), overLimit('maxPackedBytes'));
  await assert.rejects(bobWith({ maxPackedBytes: 100 }).unpack(JSON.parse(packed)), overLimit('maxPackedBytes'));
});

test('maxJsonDepth: the packed message, the payload inside an encryption, an object argument', async () => {
  // The message object is 1 deep and its body (nested(63), 63 objects) takes it to 64: the default.
  const deepest = await alice.packPlaintext(msg({ body: nested(63) }));
  assert.equal((await bobWith().unpack(deepest)).message.id, '1');
  const tooDeep = await alice.packPlaintext(msg({ body: nested(64) }));
  await assert.rejects(bobWith().unpack(tooDeep), overLimit('maxJsonDepth'));
  await assert.rejects(bobWith().unpack(JSON.parse(tooDeep)), overLimit('maxJsonDepth'));
  // Far past the JSON parser's own bound (128) it is still this error, not a syntax error.
  await assert.rejects(bobWith().unpack(`${'['.repeat(100000)}${']'.repeat(100000)}`), overLimit('maxJsonDepth'));
  // Inside an encryption: the JWE is 3 deep, the decrypted message 11.
  const { packed } = await alice.packEncrypted(msg({ body: nested(10) }), { to: 'did:example:bob', from: 'did:example:alice' });
  await assert.rejects(bobWith({ maxJsonDepth: 10 }).unpack(packed), isDIDCommError('ERR_LIMIT_EXCEEDED', /decrypted or signed payload nests .* more than 10 deep \(limits\.maxJsonDepth\)/));
  assert.equal((await bobWith({ maxJsonDepth: 11 }).unpack(packed)).message.id, '1');
});

test('maxRecipients: recipients of a JWE and signatures of a JWS', async () => {
  // Anoncrypt to Bob's DID: one recipient per key of his on the first key's curve (3 X25519).
  const { packed, metadata } = await alice.packEncrypted(msg(), { to: 'did:example:bob' });
  assert.equal(metadata.toKids.length, 3);
  assert.equal((await bobWith({ maxRecipients: 3 }).unpack(packed)).message.id, '1');
  await refusedThenFine({ maxRecipients: 2 }, packed, 'maxRecipients');
  const signed = JSON.parse((await alice.packSigned(msg(), { signBy: 'did:example:alice' })).packed);
  signed.signatures.push(signed.signatures[0]);
  await assert.rejects(bobWith({ maxRecipients: 1 }).unpack(signed), isDIDCommError('ERR_LIMIT_EXCEEDED', /signatures in the JWS: 2, over the limit of 1 \(limits\.maxRecipients\)/));
});

test('maxAttachments: attachments of the plaintext, however it was wrapped', async () => {
  const attachments = Array.from({ length: 5 }, (_, i) => ({ id: `a${i}`, data: { json: { i } } }));
  const { packed } = await alice.packEncrypted(msg({ attachments }), { to: 'did:example:bob', from: 'did:example:alice' });
  assert.equal((await bobWith({ maxAttachments: 5 }).unpack(packed)).message.attachments.length, 5);
  await refusedThenFine({ maxAttachments: 4 }, packed, 'maxAttachments');
  const many = Array.from({ length: DEFAULT_LIMITS.maxAttachments + 1 }, (_, i) => ({ id: `a${i}`, data: { json: {} } }));
  await assert.rejects(bobWith().unpack(await alice.packPlaintext(msg({ attachments: many }))), overLimit('maxAttachments'));
});

test('maxForwardNesting: forwards to ourselves that unwrapReWrappingForward opens', async () => {
  const bob = bobWith();
  let { packed } = await alice.packEncrypted(msg(), { to: 'did:example:bob', from: 'did:example:alice', forward: false });
  for (let i = 0; i < 3; i += 1) {
    packed = await bob.wrapInForward(packed, { next: 'did:example:bob', routingKeys: ['did:example:bob#key-x25519-1'] });
  }
  const options = { unwrapReWrappingForward: true };
  const { message, metadata } = await bobWith({ maxForwardNesting: 3 }).unpack(packed, options);
  assert.equal(message.id, '1');
  assert.ok(metadata.reWrappedInForward);
  await assert.rejects(bobWith({ maxForwardNesting: 2 }).unpack(packed, options), overLimit('maxForwardNesting'));
  // Without the option the forward itself is the answer: nothing is opened, nothing refused.
  assert.equal((await bobWith({ maxForwardNesting: 1 }).unpack(packed)).message.type, 'https://didcomm.org/routing/2.0/forward');
});

test('maxDidDocumentBytes and maxJsonDepth bound what the DID resolver returns', async () => {
  const padded = { ...docs['did:example:alice'], padding: 'x'.repeat(300 * 1024) };
  const deep = { ...docs['did:example:alice'], extra: nested(70) };
  for (const [doc, name] of [[padded, 'maxDidDocumentBytes'], [deep, 'maxJsonDepth']]) {
    const resolver = { resolve: (did) => (did === 'did:example:alice' ? doc : docs[did] ?? null) };
    const bob = new DIDComm({ didResolver: resolver, secretsResolver: bobSecrets });
    const { packed } = await alice.packEncrypted(msg(), { to: 'did:example:bob', from: 'did:example:alice' });
    await assert.rejects(bob.unpack(packed), isDIDCommError('ERR_LIMIT_EXCEEDED', new RegExp(`did:example:alice.*limits\\.${name}`)));
    await assert.rejects(bob.resolveDID('did:example:alice'), overLimit(name));
  }
  const size = Buffer.byteLength(JSON.stringify(padded));
  const roomy = new DIDComm({ didResolver: { resolve: () => padded }, limits: { maxDidDocumentBytes: size } });
  assert.equal((await roomy.resolveDID('did:example:alice')).id, 'did:example:alice');
  const tight = new DIDComm({ didResolver: { resolve: () => padded }, limits: { maxDidDocumentBytes: size - 1 } });
  await assert.rejects(tight.resolveDID('did:example:alice'), overLimit('maxDidDocumentBytes'));
});
