// Routing through the package: packEncrypted wraps for the recipient's mediators and says
// where to send; each mediator unpacks a forward and passes its attachment on; wrapInForward
// builds any chain; a forward addressed to the recipient itself unpacks when asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIDComm, SecretsStore, createPeerDID, generateKey, parseForward } from 'didcomm-wasm';
import { isDIDCommError, json } from './fixtures.js';

const docs = { 'did:example:alice': json('diddoc-alice.json'), 'did:example:bob': json('diddoc-bob.json') };
const didResolver = { resolve: (did) => docs[did] ?? null };
const agent = (secrets) => new DIDComm({ didResolver, secretsResolver: new SecretsStore(secrets) });
const alice = agent(json('secrets-alice.json'));
const message = (to) => ({
  id: `r-${Math.random().toString(36).slice(2)}`, type: 'https://didcomm.org/basicmessage/2.0/message',
  from: 'did:example:alice', to: [to], body: { content: 'via mediators' },
});
const FORWARD = 'https://didcomm.org/routing/2.0/forward';

/** Each hop unpacks a forward naming the next hop; returns what the last hop passes on. */
async function throughHops(packed, hops) {
  let current = packed;
  for (const [hop, next] of hops) {
    const { message: forward, metadata } = await agent(hop.secrets).unpack(current);
    assert.equal(forward.type, FORWARD);
    assert.equal(metadata.anonymousSender, true);
    const parsed = parseForward(forward);
    assert.equal(parsed.next, next);
    current = parsed.forwarded;
  }
  return current;
}

test('a message to a DID routed through a mediator DID and a routing key unwraps hop by hop', async () => {
  const key = createPeerDID();
  const keyKid = key.document.keyAgreement[0];
  const mediator = createPeerDID({ services: [{ uri: 'https://mediator.example/didcomm', accept: ['didcomm/v2'] }] });
  const bob = createPeerDID({ services: [{ uri: mediator.did, accept: ['didcomm/v2'], routingKeys: [keyKid] }] });
  const out = message(bob.did);
  const { packed, metadata } = await alice.packEncrypted(out, { to: bob.did, from: 'did:example:alice' });
  assert.deepEqual(metadata.messagingService, {
    id: `${bob.did}#service`, uri: 'https://mediator.example/didcomm', routingKeys: [mediator.did, keyKid],
  });
  const delivered = await throughHops(packed, [[mediator, keyKid], [key, bob.did]]);
  const got = await agent(bob.secrets).unpack(delivered);
  assert.equal(got.message.id, out.id);
  assert.equal(got.metadata.encryptedFromKid, 'did:example:alice#key-x25519-1');
});

test('three hops: the mediator\'s own service has a routing key too', async () => {
  const front = createPeerDID();
  const frontKid = front.document.keyAgreement[0];
  const mediator = createPeerDID({ services: [{ uri: 'wss://mediator.example/ws', routingKeys: [frontKid] }] });
  const key = createPeerDID();
  const bob = createPeerDID({ services: [{ uri: mediator.did, routingKeys: [key.did] }] });
  const out = message(bob.did);
  const { packed, metadata } = await alice.packEncrypted(out, { to: bob.did, from: 'did:example:alice', forwardHeaders: { expires_time: 4102444800 } });
  assert.equal(metadata.messagingService.uri, 'wss://mediator.example/ws');
  const first = await agent(front.secrets).unpack(packed);
  assert.equal(first.message.expires_time, 4102444800, 'forward headers reach the hops');
  const delivered = await throughHops(packed, [[front, mediator.did], [mediator, key.did], [key, bob.did]]);
  assert.equal((await agent(bob.secrets).unpack(delivered)).message.id, out.id);
});

test('forward: false, a chosen service, and wrapInForward for any chain', async () => {
  const k1 = createPeerDID();
  const k2 = createPeerDID();
  const bob = createPeerDID({ services: [{ uri: 'https://first.example', routingKeys: [k1.did] }, { uri: 'https://second.example' }] });
  const me = agent(bob.secrets);
  const out = message(bob.did);
  const direct = await alice.packEncrypted(out, { to: bob.did, forward: false });
  assert.equal(direct.metadata.messagingService, undefined);
  assert.equal((await me.unpack(direct.packed)).message.id, out.id);
  const second = await alice.packEncrypted(out, { to: bob.did, messagingService: `${bob.did}#service-1` });
  assert.equal(second.metadata.messagingService.uri, 'https://second.example');
  assert.equal((await me.unpack(second.packed)).message.id, out.id);
  await assert.rejects(alice.packEncrypted(out, { to: bob.did, messagingService: `${bob.did}#nope` }), isDIDCommError('ERR_ILLEGAL_ARGUMENT', /#nope/));

  // A mediator re-wraps for a chain of its own.
  const wrapped = await alice.wrapInForward(direct.packed, { next: bob.did, routingKeys: [k1.document.keyAgreement[0], k2.did] });
  const delivered = await throughHops(wrapped, [[k1, k2.did], [k2, bob.did]]);
  assert.equal((await me.unpack(delivered)).message.id, out.id);
  for (const [options, needle] of [
    [{ routingKeys: [k1.did] }, /next/],
    [{ next: bob.did }, /routingKeys/],
    [{ next: bob.did, routingKeys: [] }, /routingKeys/],
    [{ next: bob.did, routingKeys: [k1.did], headers: 5 }, /headers/],
    [{ next: 'bob', routingKeys: [k1.did] }, /next/],
  ]) {
    await assert.rejects(alice.wrapInForward(direct.packed, options), isDIDCommError('ERR_ILLEGAL_ARGUMENT', needle));
  }
  await assert.rejects(alice.wrapInForward(42, { next: bob.did, routingKeys: [k1.did] }), isDIDCommError('ERR_ILLEGAL_ARGUMENT'));
});

test('a forward addressed to the recipient itself unpacks with unwrapReWrappingForward', async () => {
  const x = generateKey('X25519', { kid: 'did:example:self#key-1' });
  const { d: _d, kid: _kid, ...pub } = x;
  docs['did:example:self'] = {
    id: 'did:example:self',
    keyAgreement: [{ id: '#key-1', type: 'JsonWebKey2020', publicKeyJwk: pub }],
    service: [{ id: '#service', type: 'DIDCommMessaging', serviceEndpoint: { uri: 'https://self.example', routingKeys: ['did:example:self#key-1'] } }],
  };
  const me = agent([x]);
  const out = message('did:example:self');
  const { packed } = await alice.packEncrypted(out, { to: 'did:example:self', from: 'did:example:alice' });
  const outer = await me.unpack(packed);
  assert.equal(outer.message.type, FORWARD);
  assert.equal(outer.metadata.reWrappedInForward, false);
  const inner = await me.unpack(packed, { unwrapReWrappingForward: true });
  assert.equal(inner.message.id, out.id);
  assert.equal(inner.metadata.reWrappedInForward, true);
  assert.equal(inner.metadata.authenticated, true);
});

test('parseForward reads forwards as other implementations send them, and rejects broken ones', () => {
  const base = { id: 'f', type: FORWARD, body: { next: 'did:example:bob' } };
  assert.deepEqual(parseForward({ ...base, attachments: [{ data: { base64: 'eyJhIjoxfQ' } }] }), { next: 'did:example:bob', forwarded: { a: 1 } });
  assert.deepEqual(parseForward({ ...base, attachments: [{ data: { json: { b: 2 } } }] }).forwarded, { b: 2 });
  assert.equal(parseForward(message('did:example:bob')), null);
  for (const [bad, needle] of [
    [{ ...base, body: {}, attachments: [{ data: { json: {} } }] }, /next/],
    [{ ...base }, /no attachment/],
    [{ ...base, attachments: [{ data: { base64: 'bm9wZQ' } }] }, /not a JSON/],
  ]) {
    assert.throws(() => parseForward(bad), isDIDCommError('ERR_MALFORMED', needle));
  }
  assert.throws(() => parseForward(5), isDIDCommError('ERR_ILLEGAL_ARGUMENT'));
});
