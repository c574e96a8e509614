// did:web against a real HTTP server on 127.0.0.1, in Node and in headless Chromium. The
// package asks for https URLs (host, port and path rules); the injected fetch sends them
// to the local plain-http server instead.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { DIDComm, SecretsStore, generateKey } from 'didcomm-wasm';
import { isDIDCommError, json, root } from './fixtures.js';
import { launchChromium, serveStatic } from './chromium.js';

const JSON_TYPE = 'application/did+json';
const routes = {};
let server;
let host; // "127.0.0.1%3A<port>"
const requested = [];
const localFetch = (url, init) => {
  requested.push(url);
  return fetch(url.replace(/^https:/, 'http:'), init);
};

/** A published did:web identity: its document (JWK keys) and secrets. */
function identity(did) {
  const x = generateKey('X25519', { kid: `${did}#key-x25519` });
  const ed = generateKey('Ed25519', { kid: `${did}#key-ed25519` });
  const pub = ({ kty, crv, x: px }) => ({ kty, crv, x: px });
  const document = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id: did,
    verificationMethod: [
      { id: '#key-x25519', type: 'JsonWebKey2020', controller: did, publicKeyJwk: pub(x) },
      { id: '#key-ed25519', type: 'JsonWebKey2020', controller: did, publicKeyJwk: pub(ed) },
    ],
    keyAgreement: ['#key-x25519'],
    authentication: ['#key-ed25519'],
    service: [{ id: '#didcomm', type: 'DIDCommMessaging', serviceEndpoint: { uri: 'https://example.com/didcomm', accept: ['didcomm/v2'] } }],
  };
  return { did, document, secrets: [x, ed] };
}

const publish = (path, body, { status = 200, type = JSON_TYPE } = {}) => {
  routes[path] = { status, type, body: typeof body === 'string' ? body : JSON.stringify(body) };
};

let atHost;
let atPath;
before(async () => {
  server = await serveStatic(root, { routes });
  host = server.url.replace('http://', '').replace(':', '%3A');
  atHost = identity(`did:web:${host}`);
  atPath = identity(`did:web:${host}:users:alice`);
  publish('/.well-known/did.json', atHost.document);
  publish('/users/alice/did.json', atPath.document);
  publish('/broken/did.json', '{"id": "did:web:x", ');
  publish('/array/did.json', '[1, 2]');
  publish('/wrongid/did.json', { ...atPath.document, id: 'did:web:elsewhere.example' });
  publish('/badkeys/did.json', { id: `did:web:${host}:badkeys`, verificationMethod: 5 });
  publish('/down/did.json', 'upstream failed', { status: 500, type: 'text/plain' });
  publish('/gone/did.json', 'gone', { status: 410, type: 'text/plain' });
});

after(() => server?.close());

const docs = { 'did:example:alice': json('diddoc-alice.json') };
const exampleResolver = { resolve: (did) => docs[did] ?? null };
const agent = (secrets, extra = {}) => new DIDComm({
  didResolver: exampleResolver, secretsResolver: new SecretsStore(secrets), fetch: localFetch, ...extra,
});

describe('did:web in Node', () => {
  test('resolves the host form and the path form at the URLs the method defines', async () => {
    requested.length = 0;
    const bob = agent([]);
    const rootDoc = await bob.resolveDID(atHost.did);
    assert.equal(rootDoc.id, atHost.did);
    assert.deepEqual(rootDoc.keyAgreement, [`${atHost.did}#key-x25519`]);
    assert.equal((await bob.resolveDID(atPath.did)).id, atPath.did);
    const port = host.split('%3A')[1];
    assert.deepEqual(requested, [
      `https://127.0.0.1:${port}/.well-known/did.json`,
      `https://127.0.0.1:${port}/users/alice/did.json`,
    ]);
  });

  test('a did:web identity exchanges messages with a did:example one', async () => {
    const alice = agent(json('secrets-alice.json'));
    const me = agent(atPath.secrets);
    const msg = { id: 'w1', type: 'https://didcomm.org/basicmessage/2.0/message', from: 'did:example:alice', to: [atPath.did], body: { content: 'hi' } };
    const { packed } = await alice.packEncrypted(msg, { to: atPath.did, from: 'did:example:alice', signBy: 'did:example:alice' });
    const got = await me.unpack(packed);
    assert.deepEqual(got.metadata.encryptedToKids, [`${atPath.did}#key-x25519`]);
    const back = { ...msg, id: 'w2', from: atPath.did, to: ['did:example:alice'] };
    const reply = await me.packEncrypted(back, { to: 'did:example:alice', from: atPath.did, signBy: atPath.did });
    const mine = await alice.unpack(reply.packed);
    assert.equal(mine.metadata.signFrom, `${atPath.did}#key-ed25519`);
    assert.equal(mine.metadata.encryptedFromKid, `${atPath.did}#key-x25519`);
  });

  test('not found, server errors, bad documents and network failures give clear codes', async () => {
    const bob = agent([]);
    const did = (path) => `did:web:${host}:${path}`;
    for (const [path, code, needle] of [
      ['missing', 'ERR_DID_NOT_FOUND', /missing/],
      ['gone', 'ERR_DID_NOT_FOUND', /gone/],
      ['down', 'ERR_RESOLVER', /HTTP 500/],
      ['broken', 'ERR_MALFORMED', /not JSON/],
      ['array', 'ERR_MALFORMED', /not a JSON object/],
      ['wrongid', 'ERR_INCONSISTENT', /did:web:elsewhere\.example/],
      ['badkeys', 'ERR_MALFORMED', /verificationMethod/],
    ]) {
      await assert.rejects(bob.resolveDID(did(path)), isDIDCommError(code, needle), path);
    }
    // A message to a did:web that is not there fails the same way.
    await assert.rejects(
      bob.packEncrypted({ id: '1', type: 't', body: {} }, { to: did('missing') }),
      isDIDCommError('ERR_DID_NOT_FOUND', /missing/),
    );
    // Nothing listens on a port that was just freed: fetch rejects, and the cause is kept.
    const closed = await new Promise((ok) => {
      const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
    });
    await assert.rejects(bob.resolveDID(`did:web:127.0.0.1%3A${closed}`), (e) => {
      isDIDCommError('ERR_RESOLVER', /GET https:\/\/127\.0\.0\.1:\d+\/\.well-known\/did\.json failed/)(e);
      assert.ok(e.cause instanceof Error, 'the fetch failure is the cause');
      return true;
    });
    await assert.rejects(bob.resolveDID('did:web:a.example:..'), isDIDCommError('ERR_MALFORMED', /relative/));
  });

  test('without the did:web built-in, the caller\'s resolver answers did:web', async () => {
    const asked = [];
    const own = new DIDComm({
      didResolver: { resolve: (d) => { asked.push(d); return d === atPath.did ? atPath.document : null; } },
      builtinMethods: ['key', 'peer'],
      fetch: () => { throw new Error('fetch must not be called'); },
    });
    assert.equal((await own.resolveDID(atPath.did)).id, atPath.did);
    assert.deepEqual(asked, [atPath.did]);
  });
});

// The same in the browser: the web build, the page's own fetch, a same-origin server.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module">
import * as api from '/js/web.js';
window.exchange = async ({ did, secrets, alice, aliceSecrets }) => {
  const toHttp = (url, init) => fetch(url.replace(/^https:/, 'http:'), init);
  const didResolver = { resolve: (d) => (d === alice.id ? alice : null) };
  const me = new api.DIDComm({ didResolver, secretsResolver: new api.SecretsStore(secrets), fetch: toHttp });
  const them = new api.DIDComm({ didResolver, secretsResolver: new api.SecretsStore(aliceSecrets), fetch: toHttp });
  const doc = await me.resolveDID(did);
  const msg = { id: 'b1', type: 'https://didcomm.org/basicmessage/2.0/message', from: alice.id, to: [did], body: {} };
  const { packed } = await them.packEncrypted(msg, { to: did, from: alice.id });
  const got = await me.unpack(packed);
  let missing;
  try { await me.resolveDID(did + ':missing'); } catch (e) { missing = e.code; }
  return { id: doc.id, unpacked: got.message.id, toKids: got.metadata.encryptedToKids, missing };
};
window.ready = true;
</script>
`;

describe('did:web in headless Chromium', () => {
  let browser;
  before(async () => {
    routes['/js-tests/didweb.html'] = { type: 'text/html; charset=utf-8', body: PAGE };
    browser = await launchChromium();
  });
  after(() => browser?.close());

  test('resolves over the page\'s fetch and unpacks a message to the did:web', async () => {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/js-tests/didweb.html`);
    await page.waitForFunction(() => window.ready === true, null, { timeout: 30_000 }).catch((e) => {
      throw new Error(`${e.message}\n${errors.join('\n')}`);
    });
    const result = await page.evaluate((args) => window.exchange(args), {
      did: atPath.did, secrets: atPath.secrets, alice: docs['did:example:alice'], aliceSecrets: json('secrets-alice.json'),
    });
    assert.deepEqual(result, { id: atPath.did, unpacked: 'b1', toKids: [`${atPath.did}#key-x25519`], missing: 'ERR_DID_NOT_FOUND' });
  });
});
