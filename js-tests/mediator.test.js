// The mediator end to end over real loopback HTTP and WebSocket: mediation 2.0 and 3.0,
// keylists, forwards queued and picked up, live delivery, trust ping and return_route, the
// problem reports, and who may see which messages.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import WebSocket from 'ws';
import {
  DIDComm, mediation, pickup, trustPing, discoverFeatures, problemReport, outOfBand, basicMessage,
} from 'didcomm-wasm';
import { testMediator, Client, forwardFor, post, ENCRYPTED, SIGNED } from './mediator-client.js';

const PROBLEM = 'https://didcomm.org/report-problem/2.0/problem-report';

/** Grants `client` mediation (version 2 or 3) and enrols `dids` (default its own DID). */
async function enrol(m, client, version = 3, dids = [client.did]) {
  const { reply } = await client.request(m, mediation.mediateRequest({ from: client.did, to: m.did, version }));
  assert.equal(mediation.parse(reply).kind, 'mediate-grant');
  const update = mediation.keylistUpdate({ from: client.did, to: m.did, version, updates: dids.map((d) => ({ recipientDid: d, action: 'add' })) });
  const res = await client.request(m, update);
  assert.deepEqual(mediation.parse(res.reply).updated.map((u) => u.result), dids.map(() => 'success'));
}

const statusOf = async (m, client, options = {}) => {
  const { reply } = await client.request(m, pickup.statusRequest({ from: client.did, to: m.did, ...options }));
  return pickup.parse(reply);
};

/** The problem report in an HTTP response body (signed, or encrypted to `client`). */
async function problemIn(res, client) {
  const unpacker = client?.didcomm ?? new DIDComm();
  const { message } = await unpacker.unpack(res.body);
  assert.equal(message.type, PROBLEM, res.body);
  return problemReport.parse(message);
}

describe('mediator over loopback', () => {
  let m;
  before(async () => { m = await testMediator(); });
  after(() => m.close());

  test('GET /oob and /oob_url: an OOB 2.0 invitation from the mediator DID, goal request-mediate', async () => {
    const res = await fetch(`${m.url}oob`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const invitation = outOfBand.parse(await res.json());
    assert.equal(invitation.from, m.did);
    assert.equal(invitation.goalCode, 'request-mediate');
    const url = await (await fetch(`${m.url}oob_url`)).text();
    assert.deepEqual(outOfBand.parse(outOfBand.invitationFromUrl(url)), invitation);
    // The DID names both endpoints.
    const doc = await new DIDComm().resolveDID(m.did);
    const uris = doc.service.map((s) => s.serviceEndpoint.uri);
    assert.deepEqual(uris, [m.url, m.wsUrl]);
    assert.ok(doc.keyAgreement.length === 1 && doc.authentication.length === 1);
  });

  test('CORS preflight is answered for any origin', async () => {
    const res = await fetch(m.url, { method: 'OPTIONS', headers: { origin: 'http://elsewhere.test', 'access-control-request-method': 'POST' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-allow-headers'), /content-type/);
  });

  for (const version of [2, 3]) {
    test(`coordinate-mediation ${version}.0: grant, keylist add / no_change / remove, query with pagination`, async () => {
      const c = Client.create();
      const req = mediation.mediateRequest({ from: c.did, to: m.did, version });
      const { status, reply, metadata } = await c.request(m, req);
      assert.equal(status, 200);
      assert.equal(metadata.authenticated, true);
      assert.equal(metadata.encryptedFromKid.split('#')[0], m.did);
      assert.equal(reply.type, `https://didcomm.org/coordinate-mediation/${version}.0/mediate-grant`);
      assert.equal(reply.thid, req.id);
      // 2.0: routing_did a string; 3.0: an array.
      assert.deepEqual(reply.body.routing_did, version === 2 ? m.did : [m.did]);

      const [r1, r2, r3] = ['r1', 'r2', 'r3'].map((r) => `did:example:v${version}-${r}`);
      const dids = [r1, r2, r3];
      const update = (updates) => c.request(m, mediation.keylistUpdate({ from: c.did, to: m.did, version, updates }));
      let res = await update(dids.map((d) => ({ recipientDid: d, action: 'add' })));
      assert.equal(res.reply.type.split('/').pop(), version === 2 ? 'keylist-update-response' : 'recipient-update-response');
      assert.deepEqual(mediation.parse(res.reply).updated.map((u) => u.result), ['success', 'success', 'success']);
      res = await update([{ recipientDid: r1, action: 'add' }, { recipientDid: 'did:example:none', action: 'remove' }]);
      assert.deepEqual(mediation.parse(res.reply).updated.map((u) => u.result), ['no_change', 'no_change']);
      res = await update([{ recipientDid: r2, action: 'remove' }, { recipientDid: 'not-a-did', action: 'add' }]);
      assert.deepEqual(mediation.parse(res.reply).updated.map((u) => u.result), ['success', 'client_error']);

      const query = (paginate) => c.request(m, mediation.keylistQuery({ from: c.did, to: m.did, version, paginate }));
      res = await query();
      const key = version === 2 ? 'keys' : 'dids';
      assert.deepEqual(mediation.parse(res.reply)[key].map((k) => k.recipientDid), [r1, r3]);
      res = await query({ limit: 1, offset: 1 });
      const page = mediation.parse(res.reply);
      assert.deepEqual(page[key].map((k) => k.recipientDid), [r3]);
      assert.deepEqual(page.pagination, { count: 1, offset: 1, remaining: 0 });
      res = await query({ limit: 1 });
      assert.deepEqual(mediation.parse(res.reply).pagination, { count: 1, offset: 0, remaining: 1 });
    });
  }

  test('a DID in one client\'s keylist cannot be added by another (client_error)', async () => {
    const [a, b] = [Client.create(), Client.create()];
    await enrol(m, a, 3, ['did:example:shared']);
    await b.request(m, mediation.mediateRequest({ from: b.did, to: m.did, version: 3 }));
    const res = await b.request(m, mediation.recipientUpdate({ from: b.did, to: m.did, updates: [{ recipientDid: 'did:example:shared', action: 'add' }] }));
    assert.equal(mediation.parse(res.reply).updated[0].result, 'client_error');
  });

  test('a forward from a third party is queued, counted, delivered, removed by messages-received', async () => {
    const bob = Client.create({ mediatorDid: m.did });
    await enrol(m, bob);
    assert.equal((await statusOf(m, bob)).messageCount, 0);
    const sent = [];
    for (let i = 0; i < 3; i += 1) {
      const f = await forwardFor(bob.did);
      assert.equal(f.url, m.url);
      const res = await post(f.url, f.packed);
      assert.equal(res.status, 202);
      assert.equal(res.body, '');
      sent.push(f.id);
    }
    const status = await statusOf(m, bob);
    assert.equal(status.messageCount, 3);
    assert.ok(status.totalBytes > 0);
    assert.ok(status.oldestReceivedTime <= status.newestReceivedTime);
    assert.equal((await statusOf(m, bob, { recipientDid: bob.did })).messageCount, 3);

    const { reply } = await bob.request(m, pickup.deliveryRequest({ from: bob.did, to: m.did, limit: 2 }));
    const delivery = pickup.parse(reply);
    assert.equal(delivery.kind, 'delivery');
    assert.equal(delivery.messages.length, 2);
    const inner = await Promise.all(delivery.messages.map((d) => bob.unpack(d.packed)));
    assert.deepEqual(inner.map((u) => u.message.id), sent.slice(0, 2));
    assert.ok(inner.every((u) => basicMessage.parse(u.message).content === 'hello'));
    // Delivery alone deletes nothing.
    assert.equal((await statusOf(m, bob)).messageCount, 3);

    const received = pickup.messagesReceived(reply, { from: bob.did, messageIdList: delivery.messages.map((d) => d.id) });
    const after1 = pickup.parse((await bob.request(m, received)).reply);
    assert.equal(after1.kind, 'status');
    assert.equal(after1.messageCount, 1);
    const rest = pickup.parse((await bob.request(m, pickup.deliveryRequest({ from: bob.did, to: m.did, limit: 10 }))).reply);
    assert.equal(rest.messages.length, 1);
    assert.equal((await bob.unpack(rest.messages[0].packed)).message.id, sent[2]);
    await bob.request(m, pickup.messagesReceived(null, { from: bob.did, to: m.did, messageIdList: [rest.messages[0].id] }));
    assert.equal((await statusOf(m, bob)).messageCount, 0);
    // An empty queue answers a delivery-request with a status.
    const none = pickup.parse((await bob.request(m, pickup.deliveryRequest({ from: bob.did, to: m.did, limit: 10 }))).reply);
    assert.equal(none.kind, 'status');
    assert.equal(none.messageCount, 0);
  });

  test('forward next as a kid of an enrolled DID is queued for that DID', async () => {
    const bob = Client.create({ mediatorDid: m.did });
    await enrol(m, bob);
    const doc = await bob.didcomm.resolveDID(bob.did);
    const kid = doc.keyAgreement[0];
    const msg = basicMessage.basicMessage({ to: bob.did, content: 'by kid' });
    const { packed } = await new DIDComm().packEncrypted(msg, { to: kid, forward: false });
    const wrapped = await new DIDComm().wrapInForward(packed, { next: kid, routingKeys: [m.did] });
    assert.equal((await post(m.url, wrapped)).status, 202);
    assert.equal((await statusOf(m, bob)).messageCount, 1);
  });

  test('live delivery: a forward reaches a live socket within 100 ms, and stays queued until messages-received', async () => {
    const bob = Client.create({ mediatorDid: m.did });
    await enrol(m, bob);
    const ws = await bob.socket(m);
    try {
      const on = await ws.request(pickup.liveDeliveryChange({ from: bob.did, to: m.did, liveDelivery: true }));
      const st = pickup.parse(on.message);
      assert.equal(st.kind, 'status');
      assert.equal(st.liveDelivery, true);
      const latencies = [];
      for (let i = 0; i < 5; i += 1) {
        const f = await forwardFor(bob.did);
        const t0 = performance.now();
        assert.equal((await post(f.url, f.packed)).status, 202);
        const frame = await ws.next((x) => x.message?.type === pickup.typeOf('delivery'));
        latencies.push(frame.at - t0);
        const d = pickup.parse(frame.message);
        assert.equal((await bob.unpack(d.messages[0].packed)).message.id, f.id);
        assert.equal(frame.metadata.encryptedFromKid.split('#')[0], m.did);
        // Queued until acknowledged.
        assert.equal((await statusOf(m, bob)).messageCount, 1);
        const ack = await ws.request(pickup.messagesReceived(null, { from: bob.did, to: m.did, messageIdList: [d.messages[0].id] }));
        assert.equal(pickup.parse(ack.message).messageCount, 0);
      }
      assert.ok(Math.max(...latencies) < 100, `live delivery took ${latencies.map((l) => l.toFixed(1)).join(', ')} ms`);
    } finally {
      ws.close();
    }
  });

  test('live delivery turned on pushes what was queued; a new socket gets unacknowledged messages again', async () => {
    const bob = Client.create({ mediatorDid: m.did });
    await enrol(m, bob);
    const queued = [];
    for (let i = 0; i < 3; i += 1) {
      const f = await forwardFor(bob.did);
      await post(f.url, f.packed);
      queued.push(f.id);
    }
    const live = async () => {
      const ws = await bob.socket(m);
      await ws.request(pickup.liveDeliveryChange({ from: bob.did, to: m.did, liveDelivery: true }));
      const frame = await ws.next((x) => x.message?.type === pickup.typeOf('delivery'));
      return { ws, delivery: pickup.parse(frame.message) };
    };
    const first = await live();
    const ids = await Promise.all(first.delivery.messages.map(async (d) => (await bob.unpack(d.packed)).message.id));
    assert.deepEqual(ids, queued);
    first.ws.close(); // dropped before acknowledging
    await once(first.ws.ws, 'close');
    const second = await live();
    assert.deepEqual(second.delivery.messages.map((d) => d.id), first.delivery.messages.map((d) => d.id));
    await second.ws.request(pickup.messagesReceived(null, { from: bob.did, to: m.did, messageIdList: second.delivery.messages.map((d) => d.id) }));
    assert.equal((await statusOf(m, bob)).messageCount, 0);
    second.ws.close();
  });

  test('live-delivery-change over HTTP is e.m.live-mode-not-supported', async () => {
    const bob = Client.create();
    await enrol(m, bob);
    const res = await bob.request(m, pickup.liveDeliveryChange({ from: bob.did, to: m.did, liveDelivery: true }));
    assert.equal(res.status, 400);
    assert.equal(problemReport.parse(res.reply).code.raw, 'e.m.live-mode-not-supported');
  });

  test('trust ping: return_route all answers in the body; none gives 202 and answers at the sender\'s endpoint', async () => {
    const inbox = [];
    const endpoint = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { inbox.push({ type: req.headers['content-type'], body }); res.writeHead(202).end(); });
    });
    endpoint.listen(0, '127.0.0.1');
    await once(endpoint, 'listening');
    try {
      const alice = Client.create({ endpoint: `http://127.0.0.1:${endpoint.address().port}/inbox` });
      const ping = trustPing.ping({ from: alice.did, to: m.did });
      const all = await alice.request(m, ping, { returnRoute: 'all' });
      assert.equal(all.status, 200);
      assert.equal(all.raw.type, ENCRYPTED);
      assert.equal(trustPing.parse(all.reply).kind, 'ping-response');
      assert.equal(all.reply.thid, ping.id);

      const ping2 = trustPing.ping({ from: alice.did, to: m.did });
      const none = await alice.request(m, ping2, { returnRoute: 'none' });
      assert.equal(none.status, 202);
      assert.equal(none.raw.body, '');
      for (let i = 0; i < 100 && inbox.length === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
      assert.equal(inbox.length, 1);
      assert.equal(inbox[0].type, ENCRYPTED);
      const { message } = await alice.unpack(inbox[0].body);
      assert.equal(message.thid, ping2.id);

      // No response requested: nothing comes back.
      const quiet = await alice.request(m, trustPing.ping({ from: alice.did, to: m.did, responseRequested: false }));
      assert.equal(quiet.status, 202);
      assert.equal(quiet.reply, null);
    } finally {
      endpoint.close();
    }
  });

  test('a reply without return_route to a client routed through this mediator is queued for it', async () => {
    const bob = Client.create({ mediatorDid: m.did });
    await enrol(m, bob);
    const ping = trustPing.ping({ from: bob.did, to: m.did });
    assert.equal((await bob.request(m, ping, { returnRoute: 'none' })).status, 202);
    let status;
    for (let i = 0; i < 50; i += 1) {
      status = await statusOf(m, bob);
      if (status.messageCount > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status.messageCount, 1);
    const d = pickup.parse((await bob.request(m, pickup.deliveryRequest({ from: bob.did, to: m.did, limit: 1 }))).reply);
    const { message } = await bob.unpack(d.messages[0].packed);
    assert.equal(message.type, trustPing.PING_RESPONSE);
    assert.equal(message.thid, ping.id);
  });

  test('discover-features discloses the protocols of a mediator', async () => {
    const c = Client.create();
    const q = discoverFeatures.queries({ from: c.did, to: m.did, queries: [{ featureType: 'protocol', match: 'https://didcomm.org/*' }] });
    const { reply } = await c.request(m, q);
    const ids = discoverFeatures.parse(reply).disclosures.map((d) => d.id);
    for (const p of ['trust-ping/2.0', 'discover-features/2.0', 'routing/2.0', 'coordinate-mediation/2.0', 'coordinate-mediation/3.0', 'messagepickup/3.0']) {
      assert.ok(ids.includes(`https://didcomm.org/${p}`), `${p} in ${ids}`);
    }
  });

  test('WebSocket: replies go back on the socket; a forward asking for an ack gets a signed one', async () => {
    const bob = Client.create({ mediatorDid: m.did });
    await enrol(m, bob);
    const carol = Client.create();
    const ws = await carol.socket(m);
    try {
      const ping = trustPing.ping({ from: carol.did, to: m.did });
      const pong = await ws.request(ping);
      assert.equal(trustPing.parse(pong.message).kind, 'ping-response');
      const f = await forwardFor(bob.did, { headers: { please_ack: ['yes'] } });
      ws.ws.send(f.packed);
      const ack = await ws.next((x) => Array.isArray(x.message?.ack));
      assert.equal(ack.metadata.nonRepudiation, true);
      assert.equal(ack.metadata.signFrom.split('#')[0], m.did);
    } finally {
      ws.close();
    }
  });

  describe('problem reports', () => {
    test('a repeated message id is e.p.crypto.message.dejavu (and is not queued twice)', async () => {
      const bob = Client.create({ mediatorDid: m.did });
      await enrol(m, bob);
      const ping = trustPing.ping({ from: bob.did, to: m.did });
      assert.equal((await bob.request(m, ping)).status, 200);
      const again = await bob.request(m, ping);
      assert.equal(again.status, 409);
      assert.equal(problemReport.parse(again.reply).code.raw, 'e.p.crypto.message.dejavu');
      assert.deepEqual(again.reply.ack, [ping.id]);

      const f = await forwardFor(bob.did);
      assert.equal((await post(m.url, f.packed)).status, 202);
      const dup = await post(m.url, f.packed);
      assert.equal(dup.status, 409);
      assert.equal((await problemIn(dup)).code.raw, 'e.p.crypto.message.dejavu');
      assert.equal(dup.type, SIGNED); // the sender of a forward is anonymous
      assert.equal((await statusOf(m, bob)).messageCount, 1);
    });

    test('an unknown protocol or version is e.p.msg.unsupported', async () => {
      const c = Client.create();
      for (const type of ['https://didcomm.org/unknown/1.0/thing', 'https://didcomm.org/trust-ping/3.0/ping', 'https://didcomm.org/messagepickup/2.0/status-request']) {
        const res = await c.request(m, { id: crypto.randomUUID(), type, to: [m.did], body: {} });
        assert.equal(res.status, 400);
        const report = problemReport.parse(res.reply);
        assert.equal(report.code.raw, 'e.p.msg.unsupported');
        assert.match(problemReport.commentText(report.comment, report.args), new RegExp(type.replaceAll('.', '\\.')));
      }
    });

    test('pickup or keylist changes before mediation, and a forward to a DID not enrolled, are e.p.req.not_enroll', async () => {
      const c = Client.create();
      for (const msg of [
        pickup.statusRequest({ from: c.did, to: m.did }),
        pickup.deliveryRequest({ from: c.did, to: m.did, limit: 1 }),
        mediation.recipientUpdate({ from: c.did, to: m.did, updates: [{ recipientDid: c.did, action: 'add' }] }),
      ]) {
        const res = await c.request(m, msg);
        assert.equal(res.status, 403);
        assert.equal(problemReport.parse(res.reply).code.raw, 'e.p.req.not_enroll');
      }
      const stranger = Client.create({ mediatorDid: m.did });
      const f = await forwardFor(stranger.did);
      const res = await post(m.url, f.packed);
      assert.equal(res.status, 403);
      const report = await problemIn(res);
      assert.equal(report.code.raw, 'e.p.req.not_enroll');
      assert.ok(report.args.includes(stranger.did));
    });

    test('malformed input gets an e.p.msg code, over HTTP and WebSocket', async () => {
      for (const body of ['not json', '{"protected":"x","ciphertext":"y"}', '[]', '{"id":"x","type":"https://didcomm.org/routing/2.0/forward","body":{}}']) {
        const res = await post(m.url, body);
        assert.equal(res.status, 400, body);
        const report = await problemIn(res);
        assert.match(report.code.raw, /^e\.p\.msg\./, body);
      }
      const c = Client.create();
      const bad = await c.request(m, { id: crypto.randomUUID(), type: pickup.typeOf('delivery-request'), to: [m.did], body: { limit: 'ten' } });
      assert.equal(problemReport.parse(bad.reply).code.raw, 'e.p.msg.malformed');
      const ws = await c.socket(m);
      try {
        ws.ws.send('{"garbage":');
        const frame = await ws.next();
        assert.equal(problemReport.parse(frame.message).code.raw, 'e.p.msg.malformed');
        // The socket still works.
        const pong = await ws.request(trustPing.ping({ from: c.did, to: m.did }));
        assert.equal(trustPing.parse(pong.message).kind, 'ping-response');
      } finally {
        ws.close();
      }
    });

    test('a wrong content type is 415; GET of an unknown path 404', async () => {
      const res = await post(m.url, '{}', 'text/plain');
      assert.equal(res.status, 415);
      assert.equal((await fetch(`${m.url}nothing`)).status, 404);
    });

    test('mediation requests must be authcrypted from their DID: anoncrypt is e.p.trust.unauthenticated', async () => {
      const c = Client.create();
      const res = await c.request(m, mediation.mediateRequest({ from: c.did, to: m.did, version: 3 }), { anoncrypt: true });
      assert.equal(res.status, 401);
      assert.equal(problemReport.parse(res.reply).code.raw, 'e.p.trust.unauthenticated');
    });
  });

  describe('authorization: only the mediated DID sees its messages', () => {
    test('another client cannot pick up, count or delete them', async () => {
      const bob = Client.create({ mediatorDid: m.did });
      const eve = Client.create();
      await enrol(m, bob);
      await enrol(m, eve);
      const f = await forwardFor(bob.did);
      await post(f.url, f.packed);
      // Eve names Bob's DID: refused.
      for (const msg of [
        pickup.statusRequest({ from: eve.did, to: m.did, recipientDid: bob.did }),
        pickup.deliveryRequest({ from: eve.did, to: m.did, limit: 10, recipientDid: bob.did }),
      ]) {
        const res = await eve.request(m, msg);
        assert.equal(res.status, 403);
        assert.equal(problemReport.parse(res.reply).code.raw, 'e.p.req.not_enroll');
      }
      // Eve's own queue does not hold Bob's message.
      const mine = pickup.parse((await eve.request(m, pickup.deliveryRequest({ from: eve.did, to: m.did, limit: 10 }))).reply);
      assert.equal(mine.kind, 'status');
      assert.equal(mine.messageCount, 0);
      // Eve learns Bob's queue ids (say, on the wire) and acknowledges them: nothing is deleted.
      const d = pickup.parse((await bob.request(m, pickup.deliveryRequest({ from: bob.did, to: m.did, limit: 10 }))).reply);
      await eve.request(m, pickup.messagesReceived(null, { from: eve.did, to: m.did, messageIdList: d.messages.map((x) => x.id) }));
      assert.equal((await statusOf(m, bob)).messageCount, 1);
    });

    test('a message claiming a from it cannot prove is refused', async () => {
      const bob = Client.create({ mediatorDid: m.did });
      await enrol(m, bob);
      const eve = Client.create();
      // Anoncrypt with Bob's DID in from: unauthenticated, so no pickup.
      const msg = { ...pickup.deliveryRequest({ to: m.did, limit: 10 }), from: bob.did, return_route: 'all' };
      const { packed } = await eve.didcomm.packEncrypted(msg, { to: m.did, forward: false });
      const res = await post(m.url, packed);
      assert.equal(res.status, 401);
      // The report is encrypted to Bob (the claimed from), so Eve cannot read it either.
      await assert.rejects(eve.unpack(res.body));
      assert.equal(problemReport.parse((await bob.unpack(res.body)).message).code.raw, 'e.p.trust.unauthenticated');
    });
  });

  test('one structured log line per request, without contents or secrets', async () => {
    const before = m.logs.length;
    const bob = Client.create({ mediatorDid: m.did });
    await enrol(m, bob);
    const f = await forwardFor(bob.did);
    await post(f.url, f.packed);
    const lines = m.logs.slice(before).filter((l) => l.transport === 'http');
    assert.equal(lines.length, 3);
    for (const line of lines) {
      assert.equal(typeof line.time, 'string');
      assert.equal(typeof line.status, 'number');
      assert.equal(typeof line.ms, 'number');
      const text = JSON.stringify(line);
      assert.doesNotMatch(text, /hello|"d":|ciphertext|did:peer/);
    }
  });
});

describe('mediator configuration', () => {
  test('offering only coordinate-mediation 3.0: a 2.0 request is e.p.msg.unsupported, discover-features shows 3.0 only', async () => {
    const m = await testMediator({ mediationVersions: [3] });
    try {
      const c = Client.create();
      const res = await c.request(m, mediation.mediateRequest({ from: c.did, to: m.did, version: 2 }));
      assert.equal(problemReport.parse(res.reply).code.raw, 'e.p.msg.unsupported');
      const q = discoverFeatures.queries({ from: c.did, to: m.did, queries: [{ featureType: 'protocol', match: '*coordinate-mediation*' }] });
      const ids = discoverFeatures.parse((await c.request(m, q)).reply).disclosures.map((d) => d.id);
      assert.deepEqual(ids, ['https://didcomm.org/coordinate-mediation/3.0']);
      const ok = await c.request(m, mediation.mediateRequest({ from: c.did, to: m.did, version: 3 }));
      assert.equal(mediation.parse(ok.reply).kind, 'mediate-grant');
    } finally {
      await m.close();
    }
  });

  test('without WebSocket: the DID names the HTTP endpoint only, and upgrades are refused', async () => {
    const m = await testMediator({ websocket: false });
    try {
      assert.equal(m.wsUrl, null);
      const doc = await new DIDComm().resolveDID(m.did);
      assert.deepEqual(doc.service.map((s) => s.serviceEndpoint.uri), [m.url]);
      const ws = new WebSocket(m.url.replace('http', 'ws'));
      const [error] = await once(ws, 'error');
      assert.match(error.message, /404/);
    } finally {
      await m.close();
    }
  });

  test('grant none denies mediation', async () => {
    const m = await testMediator({ grant: 'none' });
    try {
      const c = Client.create();
      const res = await c.request(m, mediation.mediateRequest({ from: c.did, to: m.did, version: 2 }));
      assert.equal(mediation.parse(res.reply).kind, 'mediate-deny');
      const later = await c.request(m, pickup.statusRequest({ from: c.did, to: m.did }));
      assert.equal(problemReport.parse(later.reply).code.raw, 'e.p.req.not_enroll');
    } finally {
      await m.close();
    }
  });

  test('over-size messages: HTTP 413, and e.p.me.res.storage.message_too_big on a socket', async () => {
    const m = await testMediator({ maxMessageBytes: 4096 });
    try {
      const big = `{"pad":"${'x'.repeat(5000)}"}`;
      const res = await post(m.url, big);
      assert.equal(res.status, 413);
      assert.equal((await problemIn(res)).code.raw, 'e.p.me.res.storage.message_too_big');
      // Chunked (no content-length): refused as it streams in.
      const chunked = await fetch(m.url, {
        method: 'POST', headers: { 'content-type': ENCRYPTED }, duplex: 'half',
        body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close(); } }),
      });
      assert.equal(chunked.status, 413);
      const ws = new WebSocket(m.wsUrl);
      await once(ws, 'open');
      ws.send(big);
      const [frame] = await once(ws, 'message');
      const { message } = await new DIDComm().unpack(frame.toString());
      assert.equal(problemReport.parse(message).code.raw, 'e.p.me.res.storage.message_too_big');
      ws.close();
    } finally {
      await m.close();
    }
  });

  test('a restart keeps the DID, the grants, the keylists and the queued messages', async () => {
    const first = await testMediator();
    const { dataDir } = first.logs.find((l) => l.event === 'started');
    const bob = Client.create({ mediatorDid: first.did });
    await enrol(first, bob);
    const f = await forwardFor(bob.did);
    assert.equal((await post(f.url, f.packed)).status, 202);
    await first.close();
    const second = await testMediator({ port: first.port, dataDir });
    try {
      assert.equal(second.did, first.did);
      assert.equal(second.logs.find((l) => l.event === 'started').newIdentity, false);
      const d = pickup.parse((await bob.request(second, pickup.deliveryRequest({ from: bob.did, to: second.did, limit: 10 }))).reply);
      assert.equal(d.messages.length, 1);
      assert.equal((await bob.unpack(d.messages[0].packed)).message.id, f.id);
    } finally {
      await second.close();
    }
  });

  test('new public URLs give a new DID; forwards wrapped for the old DID still unpack', async () => {
    const first = await testMediator();
    const { dataDir } = first.logs.find((l) => l.event === 'started');
    const bob = Client.create({ mediatorDid: first.did });
    await enrol(first, bob);
    const f = await forwardFor(bob.did); // wrapped for the first DID's key
    await first.close();
    const second = await testMediator({ dataDir });
    try {
      assert.notEqual(second.did, first.did);
      assert.equal(second.logs.find((l) => l.event === 'started').newIdentity, true);
      assert.equal((await post(second.url, f.packed)).status, 202);
    } finally {
      await second.close();
    }
  });
});
