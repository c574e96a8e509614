// DIDs through the package: every DID in ../shared/vectors/did resolves to its expected
// document; legacy did:peer:2 kids find their secrets; created identities resolve and
// exchange messages; every verification-method shape packs and unpacks; malformed DIDs
// give clear codes. did:web is in didweb.test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import {
  DIDComm, SecretsStore, resolveDID, createPeerDID, createKeyDID, generateKey,
} from 'didcomm-wasm';
import { isDIDCommError, json, vectorsDir } from './fixtures.js';
import { assertSameDocument, base58Encode, endpoints } from './did-compare.js';

const didDir = `${vectorsDir}/../did`;
const read = (path) => JSON.parse(readFileSync(`${didDir}/${path}`, 'utf8'));
const CORE_RELS = ['authentication', 'keyAgreement'];

const docs = { 'did:example:alice': json('diddoc-alice.json'), 'did:example:bob': json('diddoc-bob.json') };
const exampleResolver = { resolve: (did) => docs[did] ?? null };
const alice = new DIDComm({ didResolver: exampleResolver, secretsResolver: new SecretsStore(json('secrets-alice.json')) });
const agent = (secrets, extra = {}) => new DIDComm({ didResolver: exampleResolver, secretsResolver: new SecretsStore(secrets), ...extra });
const message = (from, to) => ({
  id: `m-${Math.random().toString(36).slice(2)}`, type: 'https://didcomm.org/basicmessage/2.0/message',
  from, to: [to], body: { content: 'hello' },
});

/** Alice authcrypts and signs to `did`; `them` unpacks; and back the other way when they can sign. */
async function exchangeWithAlice(them, did, { canSign = true } = {}) {
  const out = message('did:example:alice', did);
  // forward: false: these services name mediators that are not running here (routing.test.js routes).
  const { packed } = await alice.packEncrypted(out, { to: did, from: 'did:example:alice', signBy: 'did:example:alice', forward: false });
  const got = await them.unpack(packed);
  assert.equal(got.message.id, out.id);
  assert.equal(got.metadata.authenticated, true);
  assert.ok(got.metadata.encryptedToKids.every((k) => k.startsWith(did)));
  if (!canSign) return;
  const back = message(did, 'did:example:alice');
  const reply = await them.packEncrypted(back, { to: 'did:example:alice', from: did, signBy: did });
  const mine = await alice.unpack(reply.packed);
  assert.equal(mine.message.id, back.id);
  assert.ok(mine.metadata.signFrom.startsWith(`${did}#`));
  assert.ok(mine.metadata.encryptedFromKid.startsWith(`${did}#`));
}

// --- the vectors ---

test('did:key vectors resolve to their documents', async () => {
  let count = 0;
  for (const file of ['ed25519-x25519.json', 'nist-curves.json', 'secp256k1.json']) {
    for (const [did, entry] of Object.entries(read(`key/${file}`))) {
      assertSameDocument(assert, await resolveDID(did), entry.didDocument, did);
      count++;
    }
  }
  for (const [did, doc] of Object.entries(read('key/x25519.json').didDocument)) {
    assertSameDocument(assert, await resolveDID(did), doc, did);
    count++;
  }
  assert.ok(count >= 20, `${count} did:key vectors`);
});

test('did:peer spec examples and reference resolutions resolve to their documents', async () => {
  // Long form first: the short did:peer:4 resolves from it.
  for (const file of [
    'peer2-spec.json', 'peer2-spec.did-peer-2.json', 'peer2-spec-method3.did-peer-2.json',
    'peer4-long-spec.json', 'peer4-long-spec.did-peer-4.json', 'peer4-short-spec.json', 'peer4-short-spec.did-peer-4.json',
    ...readdirSync(`${didDir}/peer`).filter((f) => f.startsWith('generated-') && f.endsWith('.did-peer-2.json')),
  ]) {
    const v = read(`peer/${file}`);
    const ours = await resolveDID(v.did);
    assert.equal(ours.id, v.did, file);
    assertSameDocument(assert, ours, v.document, file);
  }
});

test('did:peer:2 uses the spec ids: #key-N in DID order, #service, #service-1', async () => {
  const { did } = read('peer/peer2-spec.json');
  const doc = await resolveDID(did);
  assert.deepEqual(doc.authentication, [`${did}#key-1`]);
  assert.deepEqual(doc.keyAgreement, [`${did}#key-2`]);
  assert.deepEqual(doc.service.map((s) => s.id), [`${did}#service`, `${did}#service-1`]);
  const method3 = read('peer/peer2-spec-method3.json');
  assert.deepEqual((await resolveDID(method3.did)).alsoKnownAs, [method3.did_peer_3]);
});

test('did:peer:0 resolves as the did:key it is equivalent to', async () => {
  const v = read('peer/peer0-spec.json');
  const ours = await resolveDID(v.did);
  const key = await resolveDID(v.equivalent_did_key);
  assertSameDocument(assert, ours, key, v.did);
  const legacy = read('peer/peer0-spec.peerdid.json');
  assertSameDocument(assert, await resolveDID(legacy.did), legacy.document, legacy.did, ['authentication']);
});

test('did:peer:4 short and long forms resolve, each naming the other in alsoKnownAs', async () => {
  const long = read('peer/peer4-long-spec.json');
  const short = read('peer/peer4-short-spec.json');
  const longDoc = await resolveDID(long.did);
  const shortDoc = await resolveDID(short.did);
  assert.equal(longDoc.id, long.did);
  assert.equal(shortDoc.id, short.did);
  assert.deepEqual(longDoc.alsoKnownAs, [short.did]);
  assert.deepEqual(shortDoc.alsoKnownAs, [long.did]);
});

// --- legacy did:peer:2 ---

const legacyFiles = readdirSync(`${didDir}/peer`).filter((f) => /^generated-[a-z0-9-]+\.json$/.test(f));

test('legacy did:peer:2 DIDs resolve to the same keys and services', async () => {
  const files = [...legacyFiles, ...readdirSync(`${didDir}/peer`).filter((f) => f.endsWith('.peerdid.json') && !f.startsWith('peer0'))];
  assert.ok(files.length >= 8, `${files.length} legacy DIDs`);
  for (const file of files) {
    const v = read(`peer/${file}`);
    assertSameDocument(assert, await resolveDID(v.did), v.document, file, CORE_RELS);
  }
});

/** The legacy file's secrets as private JWKs under its fingerprint kids. */
const legacySecrets = (v) => v.secrets.map((s) => ({ ...s.privateKeyJwk, kid: s.kid }));

test('a message to #key-N kids unpacks with secrets held under legacy fingerprint kids', async () => {
  for (const file of legacyFiles) {
    const v = read(`peer/${file}`);
    const secrets = legacySecrets(v);
    assert.ok(secrets.every((s) => !s.kid.includes('#key-')), `${file}: legacy kids`);
    const me = agent(secrets);
    const doc = await resolveDID(v.did);
    await exchangeWithAlice(me, v.did, { canSign: (doc.authentication ?? []).length > 0 });
  }
});

test('a message to legacy fingerprint kids unpacks with secrets held under #key-N kids', async () => {
  for (const file of legacyFiles) {
    const v = read(`peer/${file}`);
    // An older peer: it resolves the DID the legacy way (its own resolver, no built-in did:peer).
    const legacyDoc = { ...v.document, id: v.did };
    const olderAlice = new DIDComm({
      didResolver: { resolve: (did) => (did === v.did ? legacyDoc : docs[did] ?? null) },
      secretsResolver: new SecretsStore(json('secrets-alice.json')),
      builtinMethods: [],
    });
    const out = message('did:example:alice', v.did);
    const { packed, metadata } = await olderAlice.packEncrypted(out, { to: v.did, from: 'did:example:alice', forward: false });
    assert.ok(metadata.toKids.every((k) => !k.includes('#key-')), `${file}: addressed by fingerprint: ${metadata.toKids}`);
    // The receiver keeps its secrets under the spec's #key-N ids.
    const ours = await resolveDID(v.did);
    const byKey = new Map(ours.verificationMethod.map((vm) => [vm.publicKeyMultibase, vm.id]));
    const renamed = v.secrets.map((s) => ({ ...s.privateKeyJwk, kid: byKey.get(s.publicKeyMultibase) }));
    assert.ok(renamed.every((s) => s.kid?.includes('#key-')), `${file}: renamed`);
    const got = await agent(renamed).unpack(packed);
    assert.equal(got.message.id, out.id, file);
  }
});

// --- created identities ---

test('createPeerDID makes a did:peer:2 that resolves to its document and exchanges messages', async () => {
  const services = [
    { uri: 'https://mediator.example/didcomm', accept: ['didcomm/v2'], routingKeys: ['did:example:mediator#key-1'] },
    { uri: 'wss://ws.example/didcomm' },
  ];
  const id = createPeerDID({ agreement: ['X25519', 'P-256'], authentication: ['Ed25519'], services });
  assert.match(id.did, /^did:peer:2\.Ez6LS/);
  assert.deepEqual(await resolveDID(id.did), id.document);
  assert.deepEqual(id.secrets.map((s) => s.kid), [1, 2, 3].map((n) => `${id.did}#key-${n}`));
  assert.deepEqual(id.document.verificationMethod.map((vm) => vm.id), id.secrets.map((s) => s.kid));
  assert.ok(id.secrets.every((s) => typeof s.d === 'string'));
  assert.deepEqual(endpoints(id.document), services.map((s) => ({ accept: [], routingKeys: [], ...s })));
  await exchangeWithAlice(agent(id.secrets), id.did);
});

test('createPeerDID({ numalgo: 4 }) makes a did:peer:4 usable by its long and short forms', async () => {
  const id = createPeerDID({ numalgo: 4, services: [{ uri: 'https://example.com/didcomm', accept: ['didcomm/v2'] }] });
  assert.match(id.did, /^did:peer:4zQm[1-9A-HJ-NP-Za-km-z]+:z/);
  assert.equal(id.shortDid, id.did.slice(0, id.did.lastIndexOf(':')));
  assert.deepEqual(await resolveDID(id.did), id.document);
  assert.equal((await resolveDID(id.shortDid)).id, id.shortDid);
  const me = agent(id.secrets);
  await exchangeWithAlice(me, id.did);
  await exchangeWithAlice(me, id.shortDid);
});

test('createKeyDID on every curve: resolves, and agrees or signs as its curve can', async () => {
  for (const [curve, prefix, agrees, signs] of [
    ['Ed25519', 'did:key:z6Mk', true, true], ['X25519', 'did:key:z6LS', true, false],
    ['P-256', 'did:key:zDn', true, true], ['P-384', 'did:key:z82', true, false],
    ['P-521', 'did:key:z2J9', true, false], ['secp256k1', 'did:key:zQ3s', false, true],
  ]) {
    const id = createKeyDID(curve);
    assert.ok(id.did.startsWith(prefix), `${curve}: ${id.did}`);
    assert.deepEqual(await resolveDID(id.did), id.document, curve);
    const me = agent(id.secrets);
    if (agrees) {
      const out = message('did:example:alice', id.did);
      const { packed } = await alice.packEncrypted(out, { to: id.did });
      assert.equal((await me.unpack(packed)).message.id, out.id, curve);
    }
    if (signs) {
      const back = message(id.did, 'did:example:alice');
      const { packed } = await me.packSigned(back, { signBy: id.did });
      const got = await alice.unpack(packed);
      assert.equal(got.metadata.nonRepudiation, true, curve);
    }
  }
  assert.deepEqual(createKeyDID().secrets.map((s) => s.crv), ['Ed25519', 'X25519']);
});

test('generateKey makes private JWKs on every curve that the store accepts', () => {
  const store = new SecretsStore();
  for (const crv of ['X25519', 'Ed25519', 'P-256', 'P-384', 'P-521', 'secp256k1']) {
    const jwk = generateKey(crv, { kid: `did:example:me#${crv}` });
    assert.equal(jwk.crv, crv);
    assert.equal(typeof jwk.d, 'string');
    store.add(jwk);
  }
  assert.equal(store.kids().length, 6);
  assert.equal(generateKey().crv, 'X25519');
  assert.notEqual(generateKey().d, generateKey().d);
});

test('SecretsStore.export and SecretsStore.import carry an identity across a restart', async () => {
  const id = createPeerDID();
  const saved = JSON.stringify(new SecretsStore(id.secrets).export());
  const restored = SecretsStore.import(saved);
  assert.deepEqual(restored.kids(), id.secrets.map((s) => s.kid).sort());
  assert.deepEqual(SecretsStore.import(JSON.parse(saved)).export(), JSON.parse(saved));
  await exchangeWithAlice(new DIDComm({ didResolver: exampleResolver, secretsResolver: restored }), id.did);
  assert.throws(() => SecretsStore.import('{not json'), isDIDCommError('ERR_MALFORMED', /not JSON/));
  assert.throws(() => SecretsStore.import('{}'), isDIDCommError('ERR_ILLEGAL_ARGUMENT', /array/));
});

test('a document in every verification-method shape works for pack and unpack', async () => {
  const id = createPeerDID();
  const [x, ed] = id.secrets; // key-1: X25519 agreement, key-2: Ed25519 authentication
  const raw = (jwk) => base58Encode(Buffer.from(jwk.x, 'base64url'));
  const mb = (n) => id.document.verificationMethod[n].publicKeyMultibase;
  const pub = ({ kty, crv, x: px }) => ({ kty, crv, x: px });
  const shapes = {
    JsonWebKey2020: [{ type: 'JsonWebKey2020', publicKeyJwk: pub(x) }, { type: 'JsonWebKey2020', publicKeyJwk: pub(ed) }],
    Multikey: [{ type: 'Multikey', publicKeyMultibase: mb(0) }, { type: 'Multikey', publicKeyMultibase: mb(1) }],
    '2019/2018 base58': [{ type: 'X25519KeyAgreementKey2019', publicKeyBase58: raw(x) }, { type: 'Ed25519VerificationKey2018', publicKeyBase58: raw(ed) }],
    '2020 multibase': [{ type: 'X25519KeyAgreementKey2020', publicKeyMultibase: mb(0) }, { type: 'Ed25519VerificationKey2020', publicKeyMultibase: mb(1) }],
  };
  for (const [name, [agreement, auth]] of Object.entries(shapes)) {
    const did = `did:example:${name.replace(/[^a-z0-9]/gi, '').toLowerCase()}`;
    // Embedded in one relationship, by reference in the other; relative ids.
    docs[did] = { id: did, verificationMethod: [{ id: '#auth', ...auth }], authentication: ['#auth'], keyAgreement: [{ id: '#ka', ...agreement }] };
    const me = agent([{ ...x, kid: `${did}#ka` }, { ...ed, kid: `${did}#auth` }]);
    await exchangeWithAlice(me, did);
  }
});

test('builtinMethods: [] hands did:peer and did:key to the caller\'s resolver', async () => {
  const id = createKeyDID();
  const asked = [];
  const own = new DIDComm({ didResolver: { resolve: (did) => { asked.push(did); return null; } }, builtinMethods: [] });
  await assert.rejects(own.resolveDID(id.did), isDIDCommError('ERR_DID_NOT_FOUND', /did:key/));
  assert.deepEqual(asked, [id.did]);
  const builtin = new DIDComm({ didResolver: { resolve: (did) => { asked.push(did); return null; } } });
  assert.equal((await builtin.resolveDID(id.did)).id, id.did);
  assert.equal(asked.length, 1, 'the built-in answered without the caller');
});

// --- errors ---

test('malformed DIDs give a DIDCommError with a clear code', async () => {
  const ed31 = `z${base58Encode(Buffer.from([0xed, 0x01, ...new Array(31).fill(7)]))}`;
  const longForm = read('peer/peer4-long-spec.json').did;
  const tampered = `${longForm.slice(0, -1)}${longForm.endsWith('1') ? '2' : '1'}`;
  for (const [did, code, needle] of [
    ['did:key:z6MkBAD0', 'ERR_MALFORMED', /base58/], // '0' is not base58
    ['did:key:m6MkpTHR8', 'ERR_UNSUPPORTED', /multibase/],
    ['did:key:zQmNotAKey111111111111111111111111111111111', 'ERR_UNSUPPORTED', /multicodec/],
    [`did:key:${ed31}`, 'ERR_MALFORMED', /32 bytes/],
    [`did:peer:2.E${ed31}`, 'ERR_MALFORMED'],
    ['did:peer:2.Xz6Mkpw', 'ERR_MALFORMED', /purpose/],
    ['did:peer:2.Sinvalid*base64', 'ERR_MALFORMED', /base64/],
    ['did:peer:2.SbnVsbA', 'ERR_MALFORMED'],
    ['did:peer:9abc', 'ERR_UNSUPPORTED', /numalgo/],
    [tampered, 'ERR_MALFORMED', /hash|document/],
    ['did:peer:4zQmUnknownShortForm1111111111111111111111111', 'ERR_DID_NOT_FOUND'],
    ['did:web:ex ample.com', 'ERR_MALFORMED', /host/],
    ['did:example:nobody', 'ERR_DID_NOT_FOUND', /did:example:nobody/],
  ]) {
    await assert.rejects(resolveDID(did), isDIDCommError(code, needle), did);
  }
  for (const bad of [42, 'not a did', 'did:example:alice#key-1']) {
    await assert.rejects(resolveDID(bad), isDIDCommError('ERR_ILLEGAL_ARGUMENT'), String(bad));
  }
  // A message to a malformed DID fails the same way, and the module keeps working.
  await assert.rejects(alice.packEncrypted(message('did:example:alice', 'did:key:z6MkBAD0'), { to: 'did:key:z6MkBAD0' }), isDIDCommError('ERR_MALFORMED'));
  assert.equal((await resolveDID(createKeyDID().did)).verificationMethod.length, 2);
});

test('createPeerDID, createKeyDID and generateKey reject bad arguments', () => {
  for (const [fn, code, needle] of [
    [() => createPeerDID(5), 'ERR_ILLEGAL_ARGUMENT', /options/],
    [() => createPeerDID({ agreement: ['Ed25519'] }), 'ERR_ILLEGAL_ARGUMENT', /key-agreement/],
    [() => createPeerDID({ authentication: ['X25519'] }), 'ERR_ILLEGAL_ARGUMENT', /authentication/],
    [() => createPeerDID({ agreement: [], authentication: [] }), 'ERR_ILLEGAL_ARGUMENT', /at least one key/],
    [() => createPeerDID({ agreement: 'X25519' }), 'ERR_ILLEGAL_ARGUMENT', /array/],
    [() => createPeerDID({ agreement: ['P-192'] }), 'ERR_UNSUPPORTED', /P-192/],
    [() => createPeerDID({ numalgo: 3 }), 'ERR_ILLEGAL_ARGUMENT', /numalgo/],
    [() => createPeerDID({ services: 'https://x' }), 'ERR_ILLEGAL_ARGUMENT', /services/],
    [() => createPeerDID({ services: [{ accept: [] }] }), 'ERR_MALFORMED', /uri/],
    [() => createKeyDID('P-192'), 'ERR_UNSUPPORTED', /P-192/],
    [() => createKeyDID(5), 'ERR_ILLEGAL_ARGUMENT', /curve/],
    [() => generateKey('Ed448'), 'ERR_UNSUPPORTED', /Ed448/],
    [() => generateKey('X25519', { kid: 5 }), 'ERR_ILLEGAL_ARGUMENT', /kid/],
  ]) {
    assert.throws(fn, isDIDCommError(code, needle));
  }
});
