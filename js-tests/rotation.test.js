// DID rotation (from_prior): did:example:alice of the spec vectors rotates to a created
// did:peer:2 and tells Bob in a message authcrypted from the new DID; Bob sees the claims.
// Every bad rotation is refused with its code, by the sender's packEncrypted or by Bob's
// unpack. What no honest packer builds reaches Bob from an impostor whose own resolver
// gives did:example:alice (or a DID Bob does not know) the impostor's key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { DIDComm, SecretsStore, createPeerDID, generateKey } from 'didcomm-wasm';
import { isDIDCommError, json } from './fixtures.js';

const ALICE = 'did:example:alice';
const BOB = 'did:example:bob';
const docs = { [ALICE]: json('diddoc-alice.json'), [BOB]: json('diddoc-bob.json') };
const didResolver = { resolve: (did) => docs[did] ?? null };
const aliceSecrets = json('secrets-alice.json');

// Alice's new DID; her agent holds the secrets of both.
const next = createPeerDID();
const alice = new DIDComm({ didResolver, secretsResolver: new SecretsStore([...aliceSecrets, ...next.secrets]) });
const bob = new DIDComm({ didResolver, secretsResolver: new SecretsStore(json('secrets-bob.json')) });

const message = (from, fromPrior) => ({
  id: `m-${Math.random().toString(36).slice(2)}`, type: 'https://didcomm.org/basicmessage/2.0/message',
  from, to: [BOB], body: { content: 'my new DID' }, from_prior: fromPrior,
});
const authcrypt = (from) => ({ to: BOB, from });

const b64 = (text) => Buffer.from(text).toString('base64url');
const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString());

/** A JWT signed EdDSA by the private JWK `jwk`, under any header: for forgeries. */
function forge(header, claims, jwk) {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  const { kid: _kid, ...key } = jwk;
  return `${input}.${sign(null, Buffer.from(input), createPrivateKey({ key, format: 'jwk' })).toString('base64url')}`;
}
const aliceKey1 = aliceSecrets.find((s) => s.kid === `${ALICE}#key-1`);

/** Rotates with `options` and sends the rotation to Bob, who unpacks it. */
async function rotate(claims, options) {
  const { jwt, issuerKid } = await alice.packFromPrior(claims, options);
  const sent = message(next.did, jwt);
  const { packed } = await alice.packEncrypted(sent, authcrypt(next.did));
  return { jwt, issuerKid, sent, ...(await bob.unpack(packed)) };
}

test('Alice rotates to a new did:peer:2 and Bob sees the claims and the issuer key', async () => {
  const before = Math.floor(Date.now() / 1000);
  const { jwt, issuerKid, sent, message: got, metadata } = await rotate({ iss: ALICE, sub: next.did });
  const after = Math.floor(Date.now() / 1000);
  assert.equal(issuerKid, `${ALICE}#key-1`);
  assert.equal(got.from_prior, jwt);
  assert.equal(got.id, sent.id);
  assert.equal(metadata.fromPriorIssuerKid, `${ALICE}#key-1`);
  const { iat, ...rest } = metadata.fromPrior;
  assert.deepEqual(rest, { iss: ALICE, sub: next.did });
  assert.ok(iat >= before && iat <= after, `iat ${iat} defaults to now`);
  assert.equal(metadata.authenticated, true);
  assert.ok(metadata.encryptedFromKid.startsWith(`${next.did}#`));
  const [header, claims] = jwt.split('.').map((p, i) => (i < 2 ? decode(p) : p));
  assert.deepEqual(header, { alg: 'EdDSA', kid: `${ALICE}#key-1`, typ: 'JWT' });
  assert.deepEqual(claims, metadata.fromPrior);
});

test('every signing algorithm, optional claims kept as they are', async () => {
  for (const [n, alg] of [[1, 'EdDSA'], [2, 'ES256'], [3, 'ES256K']]) {
    const claims = { iss: ALICE, sub: next.did, iat: 1700000000, aud: BOB, exp: 1700003600, nbf: 1699999000, jti: `r-${n}` };
    const { jwt, issuerKid, metadata } = await rotate(claims, { issuerKid: `${ALICE}#key-${n}` });
    assert.equal(issuerKid, `${ALICE}#key-${n}`);
    assert.equal(decode(jwt.split('.')[0]).alg, alg);
    assert.deepEqual(metadata.fromPrior, claims, alg);
    assert.equal(metadata.fromPriorIssuerKid, issuerKid);
  }
});

test('a message without from_prior has no rotation metadata', async () => {
  const { packed } = await alice.packEncrypted({ ...message(ALICE), from_prior: undefined }, authcrypt(ALICE));
  const { metadata } = await bob.unpack(packed);
  assert.equal(metadata.fromPrior, undefined);
  assert.equal(metadata.fromPriorIssuerKid, undefined);
});

// --- refused by Bob ---

/** A document for `did` whose authentication lists `kids`, all one fresh Ed25519 key; and its secrets. */
function docWithKey(did, kids) {
  const key = generateKey('Ed25519');
  const { d: _, ...publicKeyJwk } = key;
  const doc = {
    id: did,
    verificationMethod: kids.map((id) => ({ id, type: 'JsonWebKey2020', controller: did, publicKeyJwk })),
    authentication: kids,
  };
  return { doc, secrets: kids.map((kid) => ({ ...key, kid })) };
}

/**
 * An agent with a did:peer:2 of its own whose resolver also knows `fakes` (documents Bob
 * does not have, or has otherwise), holding their secrets.
 */
function impostor(...fakes) {
  const own = createPeerDID();
  const all = { ...docs, ...Object.fromEntries(fakes.map((f) => [f.doc.id, f.doc])) };
  const agent = new DIDComm({
    didResolver: { resolve: (did) => all[did] ?? null },
    secretsResolver: new SecretsStore([...own.secrets, ...fakes.flatMap((f) => f.secrets)]),
  });
  return { agent, own };
}

/** The impostor claims a rotation from `iss` to its own DID; Bob unpacks what it sends. */
async function fromImpostor({ agent, own }, claims, issuerKid) {
  const { jwt } = await agent.packFromPrior({ sub: own.did, ...claims }, { issuerKid });
  const { packed } = await agent.packEncrypted(message(own.did, jwt), authcrypt(own.did));
  return bob.unpack(packed);
}

test('a JWT not signed by a key of the prior DID fails verification at Bob', async () => {
  const mallory = impostor(docWithKey(ALICE, [`${ALICE}#key-1`]));
  await assert.rejects(fromImpostor(mallory, { iss: ALICE }), isDIDCommError('ERR_VERIFICATION_FAILED', /from_prior.*did:example:alice#key-1/));
});

test('a kid not in the prior DID\'s authentication is not found at Bob', async () => {
  const kid = `${ALICE}#key-99`;
  const mallory = impostor(docWithKey(ALICE, [kid]));
  await assert.rejects(fromImpostor(mallory, { iss: ALICE }, kid), isDIDCommError('ERR_KID_NOT_FOUND', /from_prior: did:example:alice#key-99 is not in the authentication of did:example:alice/));
});

test('a prior DID Bob cannot resolve is not found', async () => {
  const carol = 'did:example:carol';
  const sender = impostor(docWithKey(carol, [`${carol}#key-1`]));
  await assert.rejects(fromImpostor(sender, { iss: carol }), isDIDCommError('ERR_DID_NOT_FOUND', /from_prior: DID did:example:carol could not be resolved/));
});

test('a plaintext message with from_prior is refused at Bob', async () => {
  const { jwt } = await alice.packFromPrior({ iss: ALICE, sub: next.did });
  const plain = { ...message(next.did, jwt), typ: 'application/didcomm-plain+json' };
  await assert.rejects(bob.unpack(plain), isDIDCommError('ERR_INCONSISTENT', /'from_prior'.*encrypted and authenticated.*plaintext/));
});

// --- refused by the sender ---

test('packEncrypted checks from_prior as Bob would, and wants authcrypt from sub', async () => {
  const { jwt } = await alice.packFromPrior({ iss: ALICE, sub: next.did });
  const [header, payload, signature] = jwt.split('.');
  const send = (fromPrior, options = authcrypt(next.did), from = next.did) => alice.packEncrypted(message(from, fromPrior), options);

  const tampered = `${header}.${b64(JSON.stringify({ ...decode(payload), iat: 1 }))}.${signature}`;
  await assert.rejects(send(tampered), isDIDCommError('ERR_VERIFICATION_FAILED', /did:example:alice#key-1/));
  const badSig = `${header}.${payload}.${Buffer.from(signature, 'base64url').map((b, i) => (i === 5 ? b ^ 1 : b)).toString('base64url')}`;
  await assert.rejects(send(badSig), isDIDCommError('ERR_VERIFICATION_FAILED'));

  const claims = { iss: ALICE, sub: next.did, iat: 1700000000 };
  await assert.rejects(send(forge({ alg: 'EdDSA', kid: `${ALICE}#key-99`, typ: 'JWT' }, claims, aliceKey1)),
    isDIDCommError('ERR_KID_NOT_FOUND', /did:example:alice#key-99/));
  await assert.rejects(send(forge({ alg: 'EdDSA', kid: `${BOB}#key-1`, typ: 'JWT' }, claims, aliceKey1)),
    isDIDCommError('ERR_INCONSISTENT', /from_prior: header 'kid' did:example:bob#key-1 is not a key of 'iss' did:example:alice/));
  await assert.rejects(send(forge({ alg: 'EdDSA', kid: `${next.did}#key-2`, typ: 'JWT' }, { ...claims, iss: next.did }, aliceKey1)),
    isDIDCommError('ERR_INCONSISTENT', /'iss' and 'sub'/));
  for (const [bad, needle] of [['x.y', /three base64url parts/], [`${header}.${payload}`, /three/], [`${b64('{')}.${payload}.${signature}`, /header is not JSON/],
    [`${header}.${b64('{"iss":"did:example:alice"}')}.${signature}`, /has no 'sub'/]]) {
    await assert.rejects(send(bad), isDIDCommError('ERR_MALFORMED', needle));
  }

  await assert.rejects(send(jwt, { to: BOB }), isDIDCommError('ERR_ILLEGAL_ARGUMENT', /authcrypted.*'from'/));
  await assert.rejects(send(jwt, authcrypt(ALICE), ALICE), isDIDCommError('ERR_ILLEGAL_ARGUMENT', /'sub' did:peer:2.* is not the message's 'from' did:example:alice/));
  await assert.rejects(alice.packPlaintext(message(next.did, jwt)), isDIDCommError('ERR_ILLEGAL_ARGUMENT', /plaintext/));
  await assert.rejects(alice.packSigned(message(next.did, jwt), { signBy: next.did }), isDIDCommError('ERR_ILLEGAL_ARGUMENT', /encrypted/));
});

test('packFromPrior refuses bad claims, keys and arguments', async () => {
  const cases = [
    [{ iss: ALICE, sub: ALICE }, undefined, 'ERR_ILLEGAL_ARGUMENT', /'iss' and 'sub'/],
    [{ iss: ALICE, sub: 'bob' }, undefined, 'ERR_ILLEGAL_ARGUMENT', /'sub' must be a DID/],
    [{ iss: ALICE }, undefined, 'ERR_MALFORMED', /no 'sub'/],
    [{ iss: ALICE, sub: next.did, iat: 'now' }, undefined, 'ERR_MALFORMED', /'iat'/],
    [{ iss: 'did:example:nobody', sub: next.did }, undefined, 'ERR_DID_NOT_FOUND', /did:example:nobody/],
    [{ iss: ALICE, sub: next.did }, { issuerKid: `${BOB}#key-1` }, 'ERR_ILLEGAL_ARGUMENT', /issuerKid did:example:bob#key-1/],
    [{ iss: ALICE, sub: next.did }, { issuerKid: `${ALICE}#key-x25519-1` }, 'ERR_KID_NOT_FOUND', /key-x25519-1 is not in the authentication/],
    [{ iss: ALICE, sub: next.did }, { issuerKid: 5 }, 'ERR_ILLEGAL_ARGUMENT', /issuerKid must be a string/],
    [{ iss: ALICE, sub: next.did }, 'did:example:alice#key-1', 'ERR_ILLEGAL_ARGUMENT', /options must be/],
    ['claims', undefined, 'ERR_ILLEGAL_ARGUMENT', /claims must be/],
  ];
  for (const [claims, options, code, needle] of cases) {
    await assert.rejects(alice.packFromPrior(claims, options), isDIDCommError(code, needle), JSON.stringify(claims));
  }
  await assert.rejects(bob.packFromPrior({ iss: ALICE, sub: next.did }), isDIDCommError('ERR_SECRET_NOT_FOUND', /did:example:alice#key-1/));
  // Nothing broke: the next rotation works.
  assert.equal((await rotate({ iss: ALICE, sub: next.did })).metadata.fromPrior.iss, ALICE);
});
