// Runtime-agnostic cases: the spec vectors and a round trip for every algorithm
// combination. node --test runs them (vectors.test.js), and so does headless Chromium
// against the web build (browser.test.js). Only the package API and Web Crypto are used.

export const VECTORS = [
  'signed-eddsa.json', 'signed-es256.json', 'signed-es256k.json',
  'anoncrypt-x25519-xc20p.json', 'anoncrypt-p384-a256cbc.json', 'anoncrypt-p521-a256gcm.json',
  'authcrypt-x25519-a256cbc.json', 'signed-authcrypt-p256-a256cbc.json',
  'signed-authcrypt-anoncrypt-p521-xc20p.json',
];
export const FIXTURE_FILES = [
  ...VECTORS, 'plaintext.json', 'diddoc-alice.json', 'diddoc-bob.json', 'secrets-alice.json', 'secrets-bob.json',
];

// --- assertions (no node:assert in the browser) ---

function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).filter((k) => v[k] !== undefined).sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function assertEqual(actual, expected, what) {
  const a = canonical(actual);
  const e = canonical(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

export function assert(condition, what) {
  if (!condition) throw new Error(`assertion failed: ${what}`);
}

// --- fixtures ---

/** A P-384 identity from Web Crypto: the spec's Alice has no P-384 key agreement key. */
async function carolP384() {
  const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-384' }, true, ['deriveBits']);
  const { kty, crv, x, y, d } = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const kid = 'did:example:carol#key-p384-1';
  const doc = {
    id: 'did:example:carol',
    keyAgreement: [{ id: kid, type: 'JsonWebKey2020', controller: 'did:example:carol', publicKeyJwk: { kty, crv, x, y } }],
  };
  return { doc, secret: { kid, kty, crv, x, y, d } };
}

/**
 * @param {object} api the package's exports
 * @param {Record<string, string>} files FIXTURE_FILES by name, as text
 */
export async function makeFixtures(api, files) {
  const json = (name) => JSON.parse(files[name]);
  const carol = await carolP384();
  const docs = {
    'did:example:alice': json('diddoc-alice.json'),
    'did:example:bob': json('diddoc-bob.json'),
    'did:example:carol': carol.doc,
  };
  const didResolver = { resolve: (did) => docs[did] ?? null };
  const agent = (jwks) => new api.DIDComm({ didResolver, secretsResolver: new api.SecretsStore(jwks) });
  return {
    files,
    docs,
    didResolver,
    plaintext: json('plaintext.json'),
    alice: agent(json('secrets-alice.json')),
    bob: agent(json('secrets-bob.json')),
    carol: agent([carol.secret]),
    aliceSecrets: json('secrets-alice.json'),
    bobSecrets: json('secrets-bob.json'),
  };
}

const typeModuloScheme = (t) => t.replace(/^https?:\/\//, '');

function expectSpecPlaintext(got, fx, name) {
  assertEqual(typeModuloScheme(got.type), typeModuloScheme(fx.plaintext.type), `${name}: type`);
  const { typ, type, ...rest } = got;
  const { type: _t, ...want } = fx.plaintext;
  assertEqual(rest, want, `${name}: message`);
  assertEqual(typ, 'application/didcomm-plain+json', `${name}: typ`);
}

// --- cases ---

const BOB_X25519 = ['did:example:bob#key-x25519-1', 'did:example:bob#key-x25519-2', 'did:example:bob#key-x25519-3'];
const VECTOR_META = {
  'signed-eddsa.json': { signAlg: 'EdDSA', signFrom: 'did:example:alice#key-1' },
  'signed-es256.json': { signAlg: 'ES256', signFrom: 'did:example:alice#key-2' },
  'signed-es256k.json': { signAlg: 'ES256K', signFrom: 'did:example:alice#key-3' },
  'anoncrypt-x25519-xc20p.json': { encAlgAnon: 'XC20P', encryptedToKids: BOB_X25519 },
  'anoncrypt-p384-a256cbc.json': { encAlgAnon: 'A256CBC-HS512' },
  'anoncrypt-p521-a256gcm.json': { encAlgAnon: 'A256GCM' },
  'authcrypt-x25519-a256cbc.json': { encAlgAuth: 'A256CBC-HS512', encryptedFromKid: 'did:example:alice#key-x25519-1' },
  'signed-authcrypt-p256-a256cbc.json': { encAlgAuth: 'A256CBC-HS512', encryptedFromKid: 'did:example:alice#key-p256-1', signAlg: 'EdDSA' },
  'signed-authcrypt-anoncrypt-p521-xc20p.json': {
    encAlgAnon: 'XC20P', encAlgAuth: 'A256CBC-HS512', encryptedFromKid: 'did:example:alice#key-p521-1', signAlg: 'EdDSA',
  },
};

export function vectorCases(fx) {
  return VECTORS.map((name) => ({
    name: `spec vector ${name} unpacks`,
    fn: async () => {
      for (const expectDecryptByAllKeys of [false, true]) {
        const { message, metadata } = await fx.bob.unpack(fx.files[name], { expectDecryptByAllKeys });
        expectSpecPlaintext(message, fx, name);
        const want = VECTOR_META[name];
        for (const [k, v] of Object.entries(want)) assertEqual(metadata[k], v, `${name}: metadata.${k}`);
        assertEqual(metadata.encrypted, Boolean(want.encAlgAnon || want.encAlgAuth), `${name}: encrypted`);
        assertEqual(metadata.nonRepudiation, Boolean(want.signAlg), `${name}: nonRepudiation`);
        assertEqual(metadata.anonymousSender, Boolean(want.encAlgAnon), `${name}: anonymousSender`);
        assertEqual(metadata.authenticated, Boolean(want.encAlgAuth || want.signAlg), `${name}: authenticated`);
      }
      // unpack also takes the parsed object.
      const { message } = await fx.bob.unpack(JSON.parse(fx.files[name]));
      expectSpecPlaintext(message, fx, `${name} (object)`);
    },
  }));
}

function message(from, to) {
  return {
    id: crypto.randomUUID(),
    type: 'https://didcomm.org/basicmessage/2.0/message',
    from,
    to: [to],
    created_time: 1700000000,
    thid: 'thread-1',
    return_route: 'all',
    body: { content: 'Hello from the suite', lang: 'en' },
    attachments: [{ id: 'a1', media_type: 'application/json', data: { json: { n: [1, 2, { x: null }] } } }],
  };
}

async function roundTrip(sender, receiver, msg, options, unpackOptions = { expectDecryptByAllKeys: true }) {
  const { packed, metadata: packMeta } = await sender.packEncrypted(msg, options);
  assert(typeof packed === 'string', 'packed is a JSON string');
  const { message: got, metadata } = await receiver.unpack(packed, unpackOptions);
  assertEqual(got, { ...msg, typ: 'application/didcomm-plain+json' }, 'unpacked message');
  return { packMeta, metadata, packed };
}

const CURVE_KIDS = { X25519: 'x25519', 'P-256': 'p256', 'P-384': 'p384', 'P-521': 'p521' };

export function roundTripCases(fx) {
  const cases = [];
  const alice = 'did:example:alice';
  const bob = 'did:example:bob';
  for (const [curve, tag] of Object.entries(CURVE_KIDS)) {
    for (const enc of ['A256CBC-HS512', 'A256GCM', 'XC20P']) {
      cases.push({
        name: `anoncrypt ${enc} on ${curve}`,
        fn: async () => {
          const to = `${bob}#key-${tag}-1`;
          const { packMeta, metadata } = await roundTrip(fx.alice, fx.bob, message(alice, bob), { to, encAlgAnon: enc });
          assertEqual(packMeta.toKids, [to], 'toKids');
          assertEqual(packMeta.fromKid, undefined, 'fromKid');
          assertEqual([metadata.encAlgAnon, metadata.anonymousSender, metadata.authenticated], [enc, true, false], 'metadata');
        },
      });
    }
    cases.push({
      name: `authcrypt on ${curve}`,
      fn: async () => {
        const sender = curve === 'P-384' ? 'did:example:carol' : alice;
        const senderAgent = curve === 'P-384' ? fx.carol : fx.alice;
        const from = `${sender}#key-${tag}-1`;
        const { packMeta, metadata } = await roundTrip(senderAgent, fx.bob, message(sender, bob), { to: bob, from });
        assertEqual(packMeta.fromKid, from, 'fromKid');
        assert(packMeta.toKids.length >= 2 && packMeta.toKids.every((k) => k.includes(`#key-${tag}-`)), 'all Bob keys on the curve');
        assertEqual([metadata.encryptedFromKid, metadata.encAlgAuth, metadata.authenticated, metadata.anonymousSender],
          [from, 'A256CBC-HS512', true, false], 'metadata');
      },
    });
  }
  for (const [kid, alg] of [['key-1', 'EdDSA'], ['key-2', 'ES256'], ['key-3', 'ES256K']]) {
    cases.push({
      name: `signed ${alg}`,
      fn: async () => {
        const msg = message(alice, bob);
        const { packed, metadata: packMeta } = await fx.alice.packSigned(msg, { signBy: `${alice}#${kid}` });
        assertEqual(packMeta, { signByKid: `${alice}#${kid}`, signAlg: alg }, 'pack metadata');
        const { message: got, metadata } = await fx.bob.unpack(packed);
        assertEqual(got, { ...msg, typ: 'application/didcomm-plain+json' }, 'message');
        assertEqual([metadata.signAlg, metadata.signFrom, metadata.nonRepudiation, metadata.signedMessage],
          [alg, `${alice}#${kid}`, true, packed], 'metadata');
      },
    });
  }
  cases.push({
    name: 'packPlaintext: wire form as JSON.stringify wrote it, other forms normalized, errors as before',
    fn: async () => {
      const typ = 'application/didcomm-plain+json';
      const wire = { id: '1', type: 't', from: alice, to: [bob], created_time: 5, body: { b: [1, null] }, z: null, a: 1 };
      assert(await fx.alice.packPlaintext({ ...wire, typ }) === JSON.stringify({ ...wire, typ }), 'with typ: the same text');
      assert(await fx.alice.packPlaintext(wire) === `{"typ":"${typ}",${JSON.stringify(wire).slice(1)}`, 'typ added in front');
      const loose = { type: 't', id: '1', to: bob, from: null, created_time: 5.0 };
      assert(await fx.alice.packPlaintext(loose)
        === `{"body":{},"created_time":5,"id":"1","to":["${bob}"],"typ":"${typ}","type":"t"}`, 'normalized, in key order');
      for (const [bad, needle] of [
        [{ id: '', type: 't', body: {} }, "'id' must not be empty"],
        [{ id: '1', type: 't', body: {}, from: 'alice' }, "'from' must be a DID"],
        [{ id: '1', type: 't', body: [] }, "'body' must be an object"],
        [{ id: '1', type: 't', body: {}, typ: 'application/json' }, "'typ'"],
        [{ id: '1', type: 't', body: {}, from_prior: 'a.b.c' }, 'from_prior'],
      ]) {
        let error;
        try {
          await fx.alice.packPlaintext(bad);
        } catch (e) {
          error = e;
        }
        assert(error?.code === 'ERR_MALFORMED' || error?.code === 'ERR_ILLEGAL_ARGUMENT', `${JSON.stringify(bad)} refused`);
        assert(error.message.includes(needle), `${error.message} names ${needle}`);
      }
    },
  });
  cases.push({
    // Long ASCII text leaves the wasm through the platform's decoder where it has one (Node).
    name: 'long texts out of the wasm, ASCII and not, come back exact',
    fn: async () => {
      // Into the wasm, text up to 64 Ki units is copied in one round, longer text in two.
      for (const content of ['x'.repeat(5000), `${'x'.repeat(3000)}é😀\u0000"`, '\u007f'.repeat(2000),
        `${'é'.repeat(40000)}😀${'x'.repeat(30000)}`]) {
        const msg = { ...message(alice, bob), body: { content } };
        const { packed } = await fx.alice.packEncrypted(msg, { to: bob, from: alice, forward: false });
        const { message: got } = await fx.bob.unpack(packed);
        assert(got.body.content === content, `content of ${content.length} units`);
        const normalized = await fx.alice.packPlaintext({ ...msg, attachments: [] });
        assert(JSON.parse(normalized).body.content === content, 'normalized plaintext');
      }
    },
  });
  cases.push({
    name: 'plaintext',
    fn: async () => {
      const msg = message(alice, bob);
      const packed = await fx.alice.packPlaintext(msg);
      const { message: got, metadata } = await fx.bob.unpack(packed);
      assertEqual(got, { ...msg, typ: 'application/didcomm-plain+json' }, 'message');
      assertEqual([metadata.encrypted, metadata.authenticated], [false, false], 'metadata');
    },
  });
  cases.push({
    name: 'sign then authcrypt',
    fn: async () => {
      const { packMeta, metadata } = await roundTrip(fx.alice, fx.bob, message(alice, bob), { to: bob, from: alice, signBy: alice });
      assertEqual(packMeta.signByKid, `${alice}#key-1`, 'signByKid');
      assertEqual([metadata.nonRepudiation, metadata.authenticated, metadata.encrypted, metadata.signFrom],
        [true, true, true, `${alice}#key-1`], 'metadata');
    },
  });
  for (const enc of ['A256CBC-HS512', 'A256GCM', 'XC20P']) {
    cases.push({
      name: `protectSender with ${enc}`,
      fn: async () => {
        const { metadata, packed } = await roundTrip(fx.alice, fx.bob, message(alice, bob),
          { to: bob, from: alice, protectSender: true, encAlgAnon: enc });
        const outer = JSON.parse(atob(JSON.parse(packed).protected.replace(/-/g, '+').replace(/_/g, '/')));
        assert(outer.alg === 'ECDH-ES+A256KW' && !('skid' in outer), 'outer layer hides the sender');
        assertEqual([metadata.anonymousSender, metadata.authenticated, metadata.encAlgAnon, metadata.encAlgAuth],
          [true, true, enc, 'A256CBC-HS512'], 'metadata');
      },
    });
  }
  cases.push({
    name: 'several recipients: each key alone decrypts',
    fn: async () => {
      const { packed, metadata } = await fx.alice.packEncrypted(message(alice, bob), { to: bob, from: alice });
      assertEqual(metadata.toKids, BOB_X25519, 'all three X25519 keys');
      for (const kid of BOB_X25519) {
        const only = fx.bobSecrets.filter((s) => s.kid === kid);
        const one = new fx.api.DIDComm({ didResolver: fx.didResolver, secretsResolver: new fx.api.SecretsStore(only) });
        const { metadata: m } = await one.unpack(packed);
        assertEqual(m.encryptedToKids, BOB_X25519, `${kid}: encryptedToKids`);
      }
    },
  });
  return cases;
}

/** Created identities (did:peer:2, did:peer:4, did:key) resolve and exchange messages. */
export function identityCases(fx) {
  const { api } = fx;
  const alice = 'did:example:alice';
  const agentOf = (id) => new api.DIDComm({ didResolver: fx.didResolver, secretsResolver: new api.SecretsStore(id.secrets) });
  const exchange = async (id, did) => {
    const me = agentOf(id);
    const { metadata } = await roundTrip(fx.alice, me, message(alice, did), { to: did, from: alice, signBy: alice });
    assert(metadata.encryptedToKids.every((k) => k.startsWith(`${did}#`)), 'addressed to the created DID');
    const back = await roundTrip(me, fx.alice, message(did, alice), { to: alice, from: did, signBy: did });
    assert(back.metadata.signFrom.startsWith(`${did}#`), 'signed by the created DID');
  };
  return [
    {
      name: 'created did:peer:2 resolves and exchanges messages',
      fn: async () => {
        const id = api.createPeerDID({ services: [{ uri: 'https://example.com/didcomm', accept: ['didcomm/v2'], routingKeys: [] }] });
        assertEqual(await api.resolveDID(id.did), id.document, 'resolved document');
        await exchange(id, id.did);
      },
    },
    {
      name: 'created did:peer:4 works by its long and short forms',
      fn: async () => {
        const id = api.createPeerDID({ numalgo: 4, agreement: ['P-256'], authentication: ['P-256'] });
        assertEqual(await api.resolveDID(id.did), id.document, 'resolved document');
        await exchange(id, id.did);
        await exchange(id, id.shortDid);
      },
    },
    {
      name: 'a message routed through a mediator DID unwraps hop by hop',
      fn: async () => {
        const mediator = api.createPeerDID({ services: [{ uri: 'https://mediator.example/didcomm' }] });
        const bob = api.createPeerDID({ services: [{ uri: mediator.did, accept: ['didcomm/v2'] }] });
        const msg = message(alice, bob.did);
        const { packed, metadata } = await fx.alice.packEncrypted(msg, { to: bob.did, from: alice });
        assertEqual(metadata.messagingService, { id: `${bob.did}#service`, uri: 'https://mediator.example/didcomm', routingKeys: [mediator.did] }, 'service');
        const { message: forward } = await agentOf(mediator).unpack(packed);
        const { next, forwarded } = api.parseForward(forward);
        assertEqual(next, bob.did, 'next');
        const { message: got } = await agentOf(bob).unpack(forwarded);
        assertEqual(got, { ...msg, typ: 'application/didcomm-plain+json' }, 'delivered message');
      },
    },
    {
      name: 'created did:key resolves and exchanges messages; its store exports and imports',
      fn: async () => {
        const id = api.createKeyDID('Ed25519');
        assertEqual(await api.resolveDID(id.did), id.document, 'resolved document');
        const restored = api.SecretsStore.import(JSON.stringify(new api.SecretsStore(id.secrets).export()));
        await exchange({ secrets: restored.export() }, id.did);
      },
    },
  ];
}

/** Protocol messages (pure JS builders and parsers) through real envelopes. */
export function protocolCases(fx) {
  const { api } = fx;
  const alice = 'did:example:alice';
  const bob = 'did:example:bob';
  const agents = { [alice]: fx.alice, [bob]: fx.bob };
  const send = async (msg) => {
    const { packed } = await agents[msg.from].packEncrypted(msg, { to: msg.to[0], from: msg.from, forward: false });
    const { message } = await agents[msg.to[0]].unpack(packed);
    assertEqual(message, { ...msg, typ: 'application/didcomm-plain+json' }, `${msg.type}: unpacked`);
    return message;
  };
  return [
    {
      name: 'protocols: trust ping and its response thread through authcrypt',
      fn: async () => {
        const ping = api.trustPing.ping({ from: alice, to: bob });
        const got = await send(ping);
        assertEqual(api.trustPing.parse(got), { kind: 'ping', id: ping.id, responseRequested: true }, 'ping');
        const response = await send(api.trustPing.pingResponse(got, { from: bob }));
        assertEqual(api.trustPing.parse(response), { kind: 'ping-response', id: response.id, thid: ping.id }, 'ping-response');
      },
    },
    {
      name: 'protocols: out-of-band URL, a coordinate-mediation 3.0 grant and a problem report',
      fn: async () => {
        const inv = api.outOfBand.invitation({ from: alice, goalCode: 'org.didcomm.mediate' });
        const url = api.outOfBand.invitationUrl(inv, 'https://alice.example/?x=1');
        assertEqual(api.outOfBand.invitationFromUrl(url), inv, 'invitation from its URL');
        const request = await send(api.threading.oobReply(inv, api.mediation.typeOf('mediate-request', 3), {}, { from: bob }));
        assertEqual(request.pthid, inv.id, 'pthid');
        const grant = await send(api.mediation.mediateGrant(request, { from: alice, routingDid: ['did:peer:2.m'] }));
        assertEqual(api.mediation.parse(grant), {
          kind: 'mediate-grant', version: 3, id: grant.id, thid: request.id, routingDid: ['did:peer:2.m'],
        }, 'grant');
        const report = await send(api.problemReport.problemReport({
          from: bob, to: alice, pthid: request.id, code: 'e.p.me.res', comment: 'No {1}', args: ['storage', 'today'],
        }));
        const parsed = api.problemReport.parse(report);
        assertEqual(api.problemReport.commentText(parsed.comment, parsed.args), 'No storage, today', 'comment');
      },
    },
    {
      name: 'protocols: a pickup delivery carries a packed message that unpacks',
      fn: async () => {
        const waiting = api.basicMessage.basicMessage({ from: bob, to: alice, content: 'stored', lang: 'en' });
        const { packed } = await fx.bob.packEncrypted(waiting, { to: alice, from: bob });
        const request = await send(api.pickup.deliveryRequest({ from: alice, to: bob, limit: 1 }));
        const delivery = await send(api.pickup.delivery(request, { from: bob, messages: [[waiting.id, packed]] }));
        const parsed = api.pickup.parse(delivery);
        assertEqual([parsed.kind, parsed.thid, parsed.messages.length], ['delivery', request.id, 1], 'delivery');
        const { message } = await fx.alice.unpack(parsed.messages[0].packed);
        assertEqual(api.basicMessage.parse(message).content, 'stored', 'delivered content');
        const received = await send(api.pickup.messagesReceived(delivery, { from: alice, messageIdList: [parsed.messages[0].id] }));
        assertEqual(api.pickup.parse(received).messageIdList, [waiting.id], 'messages-received');
      },
    },
  ];
}

/** Runs `fn` with `which` crypto backend, then restores the previous one. */
async function withCrypto(api, which, fn) {
  const previous = api.useCrypto(which);
  try {
    return await fn();
  } finally {
    api.useCrypto(previous);
  }
}

/**
 * The crypto backend seam: what the platform backend (node:crypto, WebCrypto) packs, the
 * Rust crates unpack, and back; the 64 KiB bodies take WebCrypto's bulk path in browsers.
 * Any byte of Z, KEK, CEK, ciphertext or signature that differed would fail here.
 */
export function backendCases(fx) {
  const { api } = fx;
  const alice = 'did:example:alice';
  const bob = 'did:example:bob';
  const sends = [];
  for (const [curve, tag] of Object.entries(CURVE_KIDS)) {
    for (const enc of ['A256CBC-HS512', 'A256GCM', 'XC20P']) sends.push([`anoncrypt ${enc} ${curve}`, { to: `${bob}#key-${tag}-1`, encAlgAnon: enc }]);
  }
  sends.push(['authcrypt X25519', { to: bob, from: alice }]);
  sends.push(['authcrypt P-256', { to: bob, from: `${alice}#key-p256-1` }]);
  sends.push(['authcrypt P-521', { to: bob, from: `${alice}#key-p521-1` }]);
  for (const signBy of ['key-1', 'key-2', 'key-3']) sends.push([`authcrypt signed ${signBy}`, { to: bob, from: alice, signBy: `${alice}#${signBy}` }]);
  sends.push(['protect_sender', { to: bob, from: alice, protectSender: true }]);
  const bulky = (from, to) => ({ ...message(from, to), body: { content: 'x'.repeat(64 * 1024) } });
  // Fresh keys for each case: a key keeps the static-static agreements it made (ECDH-1PU's
  // Zs), which would otherwise come from an earlier case's backend, not this case's.
  const fresh = (jwks) => new api.DIDComm({ didResolver: fx.didResolver, secretsResolver: new api.SecretsStore(jwks) });
  const cases = [];
  for (const packer of ['platform', 'rust']) {
    for (const unpacker of ['platform', 'rust']) {
      cases.push({
        name: `crypto backends: ${packer} packs, ${unpacker} unpacks`,
        fn: async () => {
          const [sender, receiver] = [fresh(fx.aliceSecrets), fresh(fx.bobSecrets)];
          for (const [what, options] of sends) {
            for (const msg of [message(alice, bob), bulky(alice, bob)]) {
              const { packed } = await withCrypto(api, packer, () => sender.packEncrypted(msg, { ...options, forward: false }));
              const { message: got } = await withCrypto(api, unpacker, () => receiver.unpack(packed));
              assertEqual(got.body, msg.body, `${what}: body`);
            }
          }
          for (const signBy of ['key-1', 'key-2', 'key-3']) {
            const msg = message(alice, bob);
            const { packed } = await withCrypto(api, packer, () => sender.packSigned(msg, { signBy: `${alice}#${signBy}` }));
            const { metadata } = await withCrypto(api, unpacker, () => receiver.unpack(packed));
            assert(metadata.nonRepudiation, `signed ${signBy} verifies`);
          }
        },
      });
    }
  }
  cases.push({
    name: 'crypto backends: static-static agreements are kept, one ECDH per recipient fewer',
    fn: async () => {
      let agreements = 0;
      const platform = api.platformCrypto;
      const counting = {
        ...platform,
        // Counted when answered: `undefined` asks for the key to be handed over first.
        agree: (...args) => {
          const z = platform.agree(...args);
          if (z !== undefined) agreements += 1;
          return z;
        },
      };
      const [sender, receiver] = [fresh(fx.aliceSecrets), fresh(fx.bobSecrets)];
      // Alice's P-256 key to Bob's two P-256 keys: Ze and Zs per recipient, then Ze alone.
      const options = { to: bob, from: `${alice}#key-p256-1`, forward: false };
      const counted = async (fn) => {
        agreements = 0;
        const result = await withCrypto(api, counting, fn);
        return [result, agreements];
      };
      const [first, packedFirst] = await counted(() => sender.packEncrypted(message(alice, bob), options));
      const [second, packedSecond] = await counted(() => sender.packEncrypted(message(alice, bob), options));
      assertEqual([packedFirst, packedSecond], [4, 2], 'ECDH of the first and the second pack');
      const [, unpackedFirst] = await counted(() => receiver.unpack(first.packed));
      const [got, unpackedSecond] = await counted(() => receiver.unpack(second.packed));
      assertEqual([unpackedFirst, unpackedSecond], [2, 1], 'ECDH of the first and the second unpack');
      assert(got.metadata.authenticated, 'the second message unpacks, authenticated');
    },
  });
  cases.push({
    name: 'crypto backends: the platform serves what it lists, and never fails',
    fn: async () => {
      const calls = {};
      const failures = [];
      const platform = api.platformCrypto;
      const wrapped = { serves: platform.serves };
      for (const [name, f] of Object.entries(platform)) {
        if (typeof f !== 'function') continue;
        wrapped[name] = (...args) => {
          const fail = (e) => { failures.push(`${name}: ${e?.stack ?? e}`); throw e; };
          try {
            const r = f(...args);
            if (r !== undefined) calls[name] = (calls[name] ?? 0) + 1;
            return r?.then ? r.then((v) => v, fail) : r;
          } catch (e) {
            return fail(e);
          }
        };
      }
      await withCrypto(api, wrapped, async () => {
        for (const [, options] of sends) {
          for (const msg of [message(alice, bob), bulky(alice, bob)]) {
            const { packed } = await fx.alice.packEncrypted(msg, { ...options, forward: false });
            await fx.bob.unpack(packed);
          }
        }
        const { packed } = await fx.alice.packSigned(message(alice, bob), { signBy: `${alice}#key-2` });
        await fx.bob.unpack(packed);
      });
      assertEqual(failures, [], 'backend failures');
      for (const op of ['generate', 'agree', 'sign', 'verify', 'encrypt', 'decrypt']) {
        if (platform.serves[op]?.length) assert(calls[op] > 0, `${op} served (${JSON.stringify(calls)})`);
      }
    },
  });
  cases.push({
    name: 'crypto backends: spec vectors unpack with the Rust crates alone',
    fn: () => withCrypto(api, 'rust', async () => {
      for (const c of vectorCases(fx)) await c.fn();
    }),
  });
  cases.push({
    name: 'crypto backends: a tampered ciphertext or tag fails alike on both',
    fn: async () => {
      for (const encAlgAnon of ['A256CBC-HS512', 'A256GCM']) {
        for (const msg of [message(alice, bob), bulky(alice, bob)]) {
          const { packed } = await fx.alice.packEncrypted(msg, { to: `${bob}#key-x25519-1`, encAlgAnon, forward: false });
          const jwe = JSON.parse(packed);
          for (const field of ['ciphertext', 'tag']) {
            const bad = { ...jwe, [field]: (jwe[field][0] === 'A' ? 'B' : 'A') + jwe[field].slice(1) };
            for (const which of ['platform', 'rust']) {
              const code = await withCrypto(api, which, () => fx.bob.unpack(bad).then(() => 'none', (e) => e.code));
              assertEqual(code, 'ERR_DECRYPTION_FAILED', `${encAlgAnon} ${field} altered, ${which}`);
            }
          }
        }
      }
    },
  });
  return cases;
}

/** Every case of this file, for one runtime. */
export async function allCases(api, files) {
  const fx = { ...(await makeFixtures(api, files)), api };
  return [...vectorCases(fx), ...roundTripCases(fx), ...identityCases(fx), ...protocolCases(fx), ...backendCases(fx)];
}
