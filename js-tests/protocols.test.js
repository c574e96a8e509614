// The protocol messages (js/protocols): every message of every protocol is built, packed
// (authcrypt between the spec's Alice and Bob), unpacked and parsed back to what was built;
// messages as other implementations send them parse; bad input fails with its code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DIDComm, SecretsStore, threading, attachments, trustPing, discoverFeatures, FeatureRegistry, outOfBand,
  problemReport, basicMessage, empty, mediation, pickup,
} from 'didcomm-wasm';
import { isDIDCommError, json } from './fixtures.js';

const ALICE = 'did:example:alice';
const BOB = 'did:example:bob';
const docs = { [ALICE]: json('diddoc-alice.json'), [BOB]: json('diddoc-bob.json') };
const didResolver = { resolve: (did) => docs[did] ?? null };
const agents = {
  [ALICE]: new DIDComm({ didResolver, secretsResolver: new SecretsStore(json('secrets-alice.json')) }),
  [BOB]: new DIDComm({ didResolver, secretsResolver: new SecretsStore(json('secrets-bob.json')) }),
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const malformed = (needle) => isDIDCommError('ERR_MALFORMED', needle);
const illegal = (needle) => isDIDCommError('ERR_ILLEGAL_ARGUMENT', needle);

/** Authcrypts `msg` from its `from` to its `to`, unpacks it, and returns what arrived (checked equal). */
async function sendAndReceive(msg) {
  const from = msg.from;
  const to = msg.to[0];
  const { packed } = await agents[from].packEncrypted(msg, { to, from, forward: false });
  const { message, metadata } = await agents[to].unpack(packed);
  assert.equal(metadata.encryptedFromKid.startsWith(`${from}#`), true);
  const { typ, ...got } = message;
  assert.equal(typ, 'application/didcomm-plain+json');
  assert.deepEqual(got, msg);
  return got;
}

/** Built → packed → unpacked → parsed equals the builder's own message parsed, and `want`. */
async function roundTrip(ns, msg, want) {
  assert.match(msg.id, UUID);
  const got = await sendAndReceive(msg);
  const parsed = ns.parse(got);
  assert.deepEqual(parsed, ns.parse(msg));
  assert.deepEqual(parsed, { id: msg.id, ...want });
  return got;
}

// --- threading and attachments ---

test('threading: reply takes thid from the parent (or its id), copies pthid, answers its from', () => {
  const first = basicMessage.basicMessage({ from: ALICE, to: BOB, content: 'hi' });
  const r = threading.reply(first, 'https://didcomm.org/basicmessage/2.0/message', { content: 'hey' }, { from: BOB });
  assert.equal(r.thid, first.id);
  assert.deepEqual(r.to, [ALICE]);
  assert.equal(r.from, BOB);
  assert.equal('pthid' in r, false);
  const deeper = threading.reply({ ...r, pthid: 'parent-thread' }, 'https://example.org/x/1.0/y', {});
  assert.equal(deeper.thid, first.id);
  assert.equal(deeper.pthid, 'parent-thread');
  assert.deepEqual(deeper.to, [BOB]);
  assert.equal('from' in deeper, false);
  const anonymous = threading.reply({ id: 'a1' }, 'https://example.org/x/1.0/y');
  assert.equal('to' in anonymous, false);
  assert.deepEqual(anonymous.body, {});
});

test('threading: oobReply sets pthid to the invitation id and no thid', () => {
  const inv = outOfBand.invitation({ from: ALICE });
  const r = threading.oobReply(inv, trustPing.PING, { response_requested: true }, { from: BOB });
  assert.equal(r.pthid, inv.id);
  assert.equal('thid' in r, false);
  assert.deepEqual(r.to, [ALICE]);
});

test('threading: pleaseAck, ack and returnRoute return updated copies; bad values are refused', () => {
  const m = empty.empty({ from: ALICE, to: [BOB] });
  const asked = threading.pleaseAck(m);
  assert.deepEqual(asked.please_ack, [m.id]);
  assert.equal('please_ack' in m, false);
  assert.deepEqual(threading.ack(m, 'x').ack, ['x']);
  assert.deepEqual(threading.ack(m, ['x', 'y']).ack, ['x', 'y']);
  for (const v of ['none', 'all', 'thread']) assert.equal(threading.returnRoute(m, v).return_route, v);
  assert.throws(() => threading.returnRoute(m, 'some'), illegal(/return_route/));
  assert.throws(() => threading.ack(m, []), illegal(/messageIds/));
  assert.throws(() => threading.reply({}, 't', {}), illegal(/no id/));
  assert.throws(() => threading.reply(m, '', {}), illegal(/type/));
});

test('attachments: base64 (emitted base64url), json, links; bytes decodes every base64 form', () => {
  const data = new Uint8Array([0xfb, 0xff, 0xfe, 1, 2]);
  const a = attachments.base64(data, { id: 'a1', mediaType: 'application/octet-stream', filename: 'f.bin', description: 'd' });
  assert.deepEqual(a, {
    id: 'a1', description: 'd', filename: 'f.bin', media_type: 'application/octet-stream', byte_count: 5,
    data: { base64: '-__-AQI' },
  });
  assert.deepEqual(attachments.bytes(a), data);
  for (const text of ['-__-AQI', '+//+AQI', '+//+AQI=', '-__-AQI=']) {
    assert.deepEqual(attachments.bytes({ data: { base64: text } }), data, text);
  }
  assert.deepEqual(attachments.bytes(attachments.base64('héllo')), new TextEncoder().encode('héllo'));
  assert.deepEqual(attachments.json({ a: [1] }, { id: 'j' }), { id: 'j', data: { json: { a: [1] } } });
  assert.deepEqual(attachments.links(['https://x.example/f'], 'zQmHash'), { data: { links: ['https://x.example/f'], hash: 'zQmHash' } });
  assert.throws(() => attachments.links(['https://x.example/f']), illegal(/hash/));
  assert.throws(() => attachments.links([], 'h'), illegal(/urls/));
  assert.throws(() => attachments.base64(42), illegal(/Uint8Array/));
  assert.throws(() => attachments.bytes({ data: { json: 1 } }), malformed(/base64 is absent/));
  for (const bad of ['a', 'ab=c', '-_+/', 'abc==='. slice(0, 6), '!!!!']) {
    assert.throws(() => attachments.bytes({ data: { base64: bad } }), malformed(/not base64/), bad);
  }
});

// --- trust ping ---

test('trust ping: ping and ping-response round trip', async () => {
  const p = trustPing.ping({ from: ALICE, to: BOB });
  assert.deepEqual(p.body, { response_requested: true });
  const got = await roundTrip(trustPing, p, { kind: 'ping', responseRequested: true });
  const r = trustPing.pingResponse(got, { from: BOB });
  assert.equal(r.thid, p.id);
  assert.deepEqual(r.to, [ALICE]);
  await roundTrip(trustPing, r, { kind: 'ping-response', thid: p.id });
  // A ping inside another thread: the response still threads on the ping itself.
  const inThread = trustPing.pingResponse({ ...p, thid: 'other', pthid: 'parent' });
  assert.deepEqual([inThread.thid, inThread.pthid], [p.id, 'parent']);
  assert.throws(() => trustPing.pingResponse(r), illegal(/not a trust-ping ping/));
  const quiet = trustPing.ping({ from: ALICE, to: [BOB], responseRequested: false });
  await roundTrip(trustPing, quiet, { kind: 'ping', responseRequested: false });
});

test('trust ping: as peers send it (http, 2.1, no body), and bad input', () => {
  assert.deepEqual(trustPing.parse({ id: '1', type: 'http://didcomm.org/trust-ping/2.1/ping' }),
    { kind: 'ping', id: '1', responseRequested: true });
  assert.deepEqual(trustPing.parse({ id: '1', type: 'https://didcomm.org/trust-ping/2.0/ping', body: { response_requested: null } }).responseRequested, true);
  assert.equal(trustPing.parse({ id: '1', type: 'https://didcomm.org/trust-ping/1.0/ping' }), null);
  assert.equal(trustPing.parse({ id: '1', type: 'https://didcomm.org/basicmessage/2.0/message', body: { content: '' } }), null);
  assert.throws(() => trustPing.parse({ id: '1', type: trustPing.PING, body: { response_requested: 'yes' } }), malformed(/response_requested/));
  assert.throws(() => trustPing.parse({ id: '1', type: trustPing.PING_RESPONSE }), malformed(/thid/));
  // A name the protocol does not define is not a trust-ping message (as the Rust parsers say).
  assert.equal(trustPing.parse({ id: '1', type: 'https://didcomm.org/trust-ping/2.0/pong' }), null);
  assert.throws(() => trustPing.parse({ type: trustPing.PING }), malformed(/id/));
  assert.throws(() => trustPing.parse('ping'), malformed(/JSON object/));
  assert.throws(() => trustPing.ping({ responseRequested: 'yes' }), illegal(/responseRequested/));
  assert.throws(() => trustPing.ping({ from: 42 }), illegal(/from/));
  assert.throws(() => trustPing.ping({ to: [] }), illegal(/to/));
});

// --- discover features ---

const registry = new FeatureRegistry({
  protocols: [
    { id: 'https://didcomm.org/trust-ping/2.0', roles: ['sender', 'receiver'] },
    { id: 'https://didcomm.org/discover-features/2.0' },
    'https://didcomm.org/coordinate-mediation/3.0',
  ],
  goalCodes: ['org.didcomm.mediate', 'aries.vc.issue'],
  headers: ['return_route'],
});

test('discover features: queries and disclose round trip; disclose answers from the registry', async () => {
  const q = discoverFeatures.queries({
    from: ALICE, to: BOB,
    queries: [
      { featureType: 'protocol', match: 'https://didcomm.org/trust-ping/2.*' },
      { featureType: 'goal-code', match: 'org.didcomm.*' },
      { featureType: 'header', match: '*' },
    ],
  });
  assert.deepEqual(q.body.queries[0], { 'feature-type': 'protocol', match: 'https://didcomm.org/trust-ping/2.*' });
  const got = await roundTrip(discoverFeatures, q, {
    kind: 'queries',
    queries: [
      { featureType: 'protocol', match: 'https://didcomm.org/trust-ping/2.*' },
      { featureType: 'goal-code', match: 'org.didcomm.*' },
      { featureType: 'header', match: '*' },
    ],
  });
  const d = discoverFeatures.disclose(got, registry, { from: BOB });
  assert.equal(d.thid, q.id);
  assert.deepEqual(d.body.disclosures, [
    { 'feature-type': 'protocol', id: 'https://didcomm.org/trust-ping/2.0', roles: ['sender', 'receiver'] },
    { 'feature-type': 'goal-code', id: 'org.didcomm.mediate' },
    { 'feature-type': 'header', id: 'return_route' },
  ]);
  await roundTrip(discoverFeatures, d, {
    kind: 'disclose', thid: q.id,
    disclosures: [
      { featureType: 'protocol', id: 'https://didcomm.org/trust-ping/2.0', roles: ['sender', 'receiver'] },
      { featureType: 'goal-code', id: 'org.didcomm.mediate' },
      { featureType: 'header', id: 'return_route' },
    ],
  });
});

test('discover features: * is a glob, other characters literal; unknown feature types ignored', () => {
  const ids = (featureType, match) => registry.matches({ featureType, match }).map((d) => d.id);
  assert.deepEqual(ids('protocol', '*'), registry.protocols.map((p) => p.id));
  assert.deepEqual(ids('protocol', 'https://didcomm.org/*/3.0'), ['https://didcomm.org/coordinate-mediation/3.0']);
  assert.deepEqual(ids('protocol', 'https://didcomm.org/trust-ping/2.0'), ['https://didcomm.org/trust-ping/2.0']);
  assert.deepEqual(ids('protocol', 'https://didcomm.org/trust-ping/2?0'), []);
  assert.deepEqual(ids('protocol', 'https://didcomm.org/trust-ping/2.'), []);
  assert.deepEqual(ids('protocol', 'https://didcomm.org/trust.ping/2.0'), [], '. is literal');
  assert.deepEqual(ids('goal-code', '*.vc.*'), ['aries.vc.issue']);
  assert.deepEqual(ids('attachment-format', '*'), []);
  // A peer's query with an unknown feature type: answered with what is known only.
  const peer = {
    id: 'q1', from: ALICE, type: 'http://didcomm.org/discover-features/2.1/queries',
    body: { queries: [{ 'feature-type': 'attachment-format', match: '*' }, { 'feature-type': 'header', match: 'return_*' }] },
  };
  const d = discoverFeatures.disclose(peer, registry);
  assert.deepEqual(d.body.disclosures, [{ 'feature-type': 'header', id: 'return_route' }]);
  assert.equal(d.thid, 'q1');
  // Overlapping queries disclose each feature once.
  const twice = { ...peer, body: { queries: [{ 'feature-type': 'header', match: '*' }, { 'feature-type': 'header', match: 'return_route' }] } };
  assert.equal(discoverFeatures.disclose(twice, registry).body.disclosures.length, 1);
});

test('discover features: bad input', () => {
  const type = discoverFeatures.QUERIES;
  assert.throws(() => discoverFeatures.parse({ id: '1', type, body: {} }), malformed(/body.queries/));
  assert.throws(() => discoverFeatures.parse({ id: '1', type, body: { queries: [{ feature_type: 'protocol', match: '*' }] } }), malformed(/feature-type/));
  assert.throws(() => discoverFeatures.parse({ id: '1', type, body: { queries: [{ 'feature-type': 'protocol' }] } }), malformed(/match/));
  assert.throws(() => discoverFeatures.parse({ id: '1', type: discoverFeatures.DISCLOSE, body: { disclosures: [{ 'feature-type': 'protocol' }] } }), malformed(/\.id/));
  assert.throws(() => discoverFeatures.queries({ queries: [] }), illegal(/queries/));
  assert.throws(() => discoverFeatures.queries({ queries: [{ featureType: 'protocols', match: '*' }] }), illegal(/featureType/));
  assert.throws(() => discoverFeatures.disclose(trustPing.ping(), registry), illegal(/queries/));
  assert.throws(() => new FeatureRegistry({ protocols: [{}] }), illegal(/protocols\[0\]/));
});

// --- out of band ---

test('out of band: invitation round trip, URL and back; the reply carries pthid', async () => {
  const att = attachments.json({ hello: 'world' }, { id: 'request-0', mediaType: 'application/json' });
  const inv = outOfBand.invitation({ from: ALICE, goalCode: 'org.didcomm.mediate', goal: 'Mediate', attachments: [att] });
  assert.deepEqual(inv.body, { goal_code: 'org.didcomm.mediate', goal: 'Mediate', accept: ['didcomm/v2'] });
  // An invitation has no to; send it to Bob in an envelope anyway, as a transport check.
  const got = await sendAndReceive({ ...inv, to: [BOB] });
  const want = { kind: 'invitation', id: inv.id, from: ALICE, goalCode: 'org.didcomm.mediate', goal: 'Mediate', accept: ['didcomm/v2'], attachments: [att] };
  assert.deepEqual(outOfBand.parse(got), want);
  const url = outOfBand.invitationUrl(inv, 'https://alice.example/invite?lang=en&_oob=old');
  const parsedUrl = new URL(url);
  assert.equal(parsedUrl.searchParams.get('lang'), 'en');
  assert.match(parsedUrl.searchParams.get('_oob'), /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(outOfBand.invitationFromUrl(url), inv);
  const r = threading.oobReply(outOfBand.invitationFromUrl(url), trustPing.PING, { response_requested: true }, { from: BOB });
  assert.equal(r.pthid, inv.id);
  assert.deepEqual(r.to, [ALICE]);
  await sendAndReceive(r);
  const minimal = outOfBand.invitation({ from: ALICE, accept: ['didcomm/v2', 'didcomm/aip2;env=rfc587'] });
  assert.deepEqual(outOfBand.parse(minimal), { kind: 'invitation', id: minimal.id, from: ALICE, accept: ['didcomm/v2', 'didcomm/aip2;env=rfc587'], attachments: [] });
});

test('out of band: URLs as other implementations write them (_oob padded base64, oob, unescaped +)', () => {
  // The spec's example invitation.
  const inv = {
    type: 'https://didcomm.org/out-of-band/2.0/invitation', id: '69212a3a-d068-4f9d-a2dd-4741bca89af3',
    from: 'did:example:alice', body: { goal_code: '', goal: 'Grüße ~~~ ??? >>> ~~~~ ???? ✓' },
    attachments: [{ id: 'request-0', media_type: 'application/json', data: { json: '<json of protocol message>' } }],
  };
  // Pretty-printed JSON (as some agents encode it), padded until the base64 has '+' or '/' and '='.
  let text = JSON.stringify(inv, null, 2);
  const b64 = (t) => btoa(String.fromCharCode(...new TextEncoder().encode(t)));
  while (!b64(text).endsWith('=')) text += ' ';
  const padded = b64(text);
  assert.match(padded, /[+/].*=$/);
  const forms = [
    `https://example.com/path?_oob=${encodeURIComponent(padded)}`,
    `https://example.com/path?_oob=${padded}`, // '+' and '=' unescaped
    `https://example.com/path?oob=${padded.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`,
    `didcomm://invite?_oob=${padded.replace(/=+$/, '')}`,
  ];
  for (const url of forms) assert.deepEqual(outOfBand.invitationFromUrl(url), inv, url);
  const parsed = outOfBand.parse(inv);
  assert.equal(parsed.goalCode, '');
  assert.deepEqual(parsed.accept, []);
  assert.equal(outOfBand.parse({ ...inv, type: 'http://didcomm.org/out-of-band/2.1/invitation' }).id, inv.id);
});

test('out of band: bad invitations and URLs', () => {
  const inv = outOfBand.invitation({ from: ALICE });
  const { from: _f, ...noFrom } = inv;
  assert.throws(() => outOfBand.parse(noFrom), malformed(/from is required/));
  assert.throws(() => outOfBand.parse({ ...inv, body: { accept: 'didcomm/v2' } }), malformed(/accept/));
  assert.throws(() => outOfBand.parse({ ...inv, body: { goal_code: 7 } }), malformed(/goal_code/));
  assert.throws(() => outOfBand.invitation({}), illegal(/from/));
  assert.throws(() => outOfBand.invitation({ from: ALICE, accept: 'didcomm/v2' }), illegal(/accept/));
  assert.throws(() => outOfBand.invitationUrl(inv, 'not a url'), illegal(/baseUrl/));
  assert.throws(() => outOfBand.invitationUrl(trustPing.ping(), 'https://x.example'), illegal(/invitation/));
  assert.throws(() => outOfBand.invitationFromUrl('https://x.example/?c_i=abc'), malformed(/_oob/));
  assert.throws(() => outOfBand.invitationFromUrl('https://x.example/?_oob=%%%'), malformed(/./));
  assert.throws(() => outOfBand.invitationFromUrl('https://x.example/?_oob=!!!!'), malformed(/not base64/));
  assert.throws(() => outOfBand.invitationFromUrl(`https://x.example/?_oob=${btoa('not json')}`), malformed(/JSON/));
  assert.throws(() => outOfBand.invitationFromUrl(`https://x.example/?_oob=${btoa('\xff\xfe{}')}`), malformed(/UTF-8/));
  assert.throws(() => outOfBand.invitationFromUrl(`https://x.example/?_oob=${btoa(JSON.stringify(trustPing.ping()))}`), malformed(/not an out-of-band invitation/));
  assert.throws(() => outOfBand.invitationFromUrl('nope'), malformed(/URL/));
});

// --- problem reports ---

test('problem report: round trip with code, comment, args, escalate_to, pthid, ack', async () => {
  const m = problemReport.problemReport({
    from: BOB, to: ALICE, pthid: 'thread-1', ack: 'msg-1', code: 'e.p.xfer.cant-use-endpoint',
    comment: 'Unable to use the {1} endpoint for {2}.', args: ['https://agents.r.us/inbox', 'did:sov:C805sNYhMrjHiqZDTUASHg'],
    escalateTo: 'mailto:admin@foo.org',
  });
  assert.deepEqual(m.ack, ['msg-1']);
  assert.equal(m.pthid, 'thread-1');
  assert.deepEqual(m.body, {
    code: 'e.p.xfer.cant-use-endpoint', comment: 'Unable to use the {1} endpoint for {2}.',
    args: ['https://agents.r.us/inbox', 'did:sov:C805sNYhMrjHiqZDTUASHg'], escalate_to: 'mailto:admin@foo.org',
  });
  const got = await roundTrip(problemReport, m, {
    kind: 'problem-report',
    code: { sorter: 'error', scope: 'p', descriptors: ['xfer', 'cant-use-endpoint'], raw: 'e.p.xfer.cant-use-endpoint' },
    comment: 'Unable to use the {1} endpoint for {2}.', args: ['https://agents.r.us/inbox', 'did:sov:C805sNYhMrjHiqZDTUASHg'],
    escalateTo: 'mailto:admin@foo.org', pthid: 'thread-1', ack: ['msg-1'],
  });
  const parsed = problemReport.parse(got);
  assert.equal(problemReport.commentText(parsed.comment, parsed.args),
    'Unable to use the https://agents.r.us/inbox endpoint for did:sov:C805sNYhMrjHiqZDTUASHg.');
  const warning = problemReport.problemReport({ from: ALICE, to: BOB, pthid: 't', code: 'w.get-pay-details.req.time' });
  await roundTrip(problemReport, warning, {
    kind: 'problem-report', code: { sorter: 'warning', scope: 'get-pay-details', descriptors: ['req', 'time'], raw: 'w.get-pay-details.req.time' },
    args: [], pthid: 't',
  });
});

test('problem report: comment placeholders, missing and extra args', () => {
  const { commentText } = problemReport;
  assert.equal(commentText('Unable to use {1}', ['x']), 'Unable to use x');
  assert.equal(commentText('{2} before {1}', ['a', 'b']), 'b before a');
  assert.equal(commentText('Need {1} and {2}', ['a']), 'Need a and ?');
  assert.equal(commentText('Need {1} and {2}'), 'Need ? and ?');
  assert.equal(commentText('Failed {1}', ['a', 'b', 'c']), 'Failed a, b, c');
  assert.equal(commentText('Failed', ['a', 'b']), 'Failed, a, b');
  assert.equal(commentText(undefined, ['a', 'b']), 'a, b');
  assert.equal(commentText('{1}{1}', ['x']), 'xx');
  assert.equal(commentText('no {placeholder} {0}', []), 'no {placeholder} ?');
  assert.equal(commentText('Only {2}', ['a', 'b', 'c']), 'Only b, c');
});

test('problem report: codes, and bad reports', () => {
  assert.deepEqual(problemReport.parseCode('e.m.live-mode-not-supported'),
    { sorter: 'error', scope: 'm', descriptors: ['live-mode-not-supported'], raw: 'e.m.live-mode-not-supported' });
  assert.deepEqual(problemReport.parseCode('w.p.me.res.storage').descriptors, ['me', 'res', 'storage']);
  for (const bad of ['e.p', 'x.p.trust', 'e..trust', 'E.p.trust', 'e.p.trust.', 'e.p.Trust', 'e.p.tr ust', '']) {
    assert.throws(() => problemReport.parseCode(bad), malformed(/problem code/), bad);
    assert.throws(() => problemReport.problemReport({ pthid: 't', code: bad }), illegal(/code/), bad);
  }
  const type = problemReport.PROBLEM_REPORT;
  assert.throws(() => problemReport.parse({ id: '1', type, body: { code: 'e.p.trust' } }), malformed(/pthid/));
  assert.throws(() => problemReport.parse({ id: '1', type, pthid: 't', body: {} }), malformed(/body.code is required/));
  assert.throws(() => problemReport.parse({ id: '1', type, pthid: 't', body: { code: 'e.x' } }), malformed(/body.code/));
  assert.throws(() => problemReport.parse({ id: '1', type, pthid: 't', body: { code: 'e.p.x', args: 'a' } }), malformed(/args/));
  assert.throws(() => problemReport.parse({ id: '1', type, pthid: 't', body: { code: 'e.p.x', args: [{}] } }), malformed(/args\[0\]/));
  assert.deepEqual(problemReport.parse({ id: '1', type: 'http://didcomm.org/report-problem/2.1/problem-report', pthid: 't', body: { code: 'e.p.x', args: [404, true] } }).args, ['404', 'true']);
  assert.throws(() => problemReport.problemReport({ code: 'e.p.trust' }), illegal(/pthid/));
  assert.throws(() => problemReport.problemReport({ pthid: 't', code: 'e.p.trust', args: [1] }), illegal(/args/));
});

// --- basic message, empty ---

test('basic message: round trip with lang and created_time', async () => {
  const before = Math.floor(Date.now() / 1000);
  const m = basicMessage.basicMessage({ from: ALICE, to: BOB, content: 'Your hovercraft is full of eels.', lang: 'en' });
  assert.ok(m.created_time >= before && m.created_time <= before + 2);
  assert.equal(m.lang, 'en');
  assert.deepEqual(m.body, { content: 'Your hovercraft is full of eels.' });
  await roundTrip(basicMessage, m, { kind: 'message', content: 'Your hovercraft is full of eels.', lang: 'en', createdTime: m.created_time });
  const plain = basicMessage.basicMessage({ from: BOB, to: ALICE, content: '' });
  await roundTrip(basicMessage, plain, { kind: 'message', content: '', createdTime: plain.created_time });
  // Peers that put lang in the body.
  assert.equal(basicMessage.parse({ id: '1', type: 'http://didcomm.org/basicmessage/2.0/message', body: { content: 'x', lang: 'de' } }).lang, 'de');
  assert.throws(() => basicMessage.parse({ id: '1', type: basicMessage.MESSAGE, body: {} }), malformed(/content/));
  assert.throws(() => basicMessage.parse({ id: '1', type: basicMessage.MESSAGE, body: { content: 5 } }), malformed(/content/));
  assert.throws(() => basicMessage.parse({ id: '1', type: basicMessage.MESSAGE, body: [] }), malformed(/body/));
  assert.throws(() => basicMessage.basicMessage({}), illegal(/content/));
});

test('empty: round trip; parse checks the type', async () => {
  const m = empty.empty({ from: ALICE, to: BOB });
  assert.deepEqual(m.body, {});
  await roundTrip(empty, m, { kind: 'empty' });
  assert.deepEqual(empty.parse({ id: '1', type: 'http://didcomm.org/empty/1.0/empty' }), { kind: 'empty', id: '1' });
  assert.equal(empty.parse({ id: '1', type: 'https://didcomm.org/empty/2.0/empty' }), null);
  assert.equal(empty.parse({ id: '1', type: 'https://didcomm.org/empty/1.0/full' }), null);
});

// --- coordinate mediation ---

for (const version of [2, 3]) {
  test(`coordinate mediation ${version}.0: every message round trips`, async () => {
    const names = version === 2
      ? ['keylist-update', 'keylist-update-response', 'keylist-query', 'keylist']
      : ['recipient-update', 'recipient-update-response', 'recipient-query', 'recipient'];
    const req = mediation.mediateRequest({ from: ALICE, to: BOB, version });
    assert.equal(req.type, `https://didcomm.org/coordinate-mediation/${version}.0/mediate-request`);
    const gotReq = await roundTrip(mediation, req, { kind: 'mediate-request', version });
    const grant = mediation.mediateGrant(gotReq, { from: BOB, routingDid: 'did:peer:2.mediator' });
    assert.deepEqual(grant.body.routing_did, version === 2 ? 'did:peer:2.mediator' : ['did:peer:2.mediator']);
    assert.equal(grant.thid, req.id);
    await roundTrip(mediation, grant, { kind: 'mediate-grant', version, thid: req.id, routingDid: ['did:peer:2.mediator'] });
    const deny = mediation.mediateDeny(gotReq, { from: BOB });
    await roundTrip(mediation, deny, { kind: 'mediate-deny', version, thid: req.id });

    const updates = [{ recipientDid: 'did:key:z6Mk1', action: 'add' }, { recipientDid: 'did:key:z6Mk2', action: 'remove' }];
    const up = (version === 2 ? mediation.keylistUpdate : mediation.recipientUpdate)({ from: ALICE, to: BOB, updates });
    assert.equal(up.type.endsWith(`/${version}.0/${names[0]}`), true);
    assert.deepEqual(up.body.updates, [{ recipient_did: 'did:key:z6Mk1', action: 'add' }, { recipient_did: 'did:key:z6Mk2', action: 'remove' }]);
    const gotUp = await roundTrip(mediation, up, { kind: names[0], version, updates });
    const updated = [{ ...updates[0], result: 'success' }, { ...updates[1], result: 'no_change' }];
    const upr = mediation.keylistUpdateResponse(gotUp, { from: BOB, updated });
    assert.equal(upr.type.endsWith(`/${names[1]}`), true);
    await roundTrip(mediation, upr, { kind: names[1], version, thid: up.id, updated });

    const q = mediation.keylistQuery({ from: ALICE, to: BOB, version, paginate: { limit: 30, offset: 0 } });
    const gotQ = await roundTrip(mediation, q, { kind: names[2], version, paginate: { limit: 30, offset: 0 } });
    const list = version === 2
      ? mediation.keylist(gotQ, { from: BOB, keys: [{ recipientDid: 'did:key:z6Mk1' }], pagination: { count: 1, offset: 0, remaining: 0 } })
      : mediation.recipient(gotQ, { from: BOB, dids: [{ recipientDid: 'did:key:z6Mk1' }], pagination: { count: 1, offset: 0, remaining: 0 } });
    assert.deepEqual(list.body[version === 2 ? 'keys' : 'dids'], [{ recipient_did: 'did:key:z6Mk1' }]);
    await roundTrip(mediation, list, {
      kind: names[3], version, thid: q.id, [version === 2 ? 'keys' : 'dids']: [{ recipientDid: 'did:key:z6Mk1' }],
      pagination: { count: 1, offset: 0, remaining: 0 },
    });
    const bare = mediation.recipientQuery({ from: ALICE, to: BOB, version });
    await roundTrip(mediation, bare, { kind: names[2], version });
  });
}

test('coordinate mediation: routing_did as a string or an array in either version', () => {
  const grant = (v, rd) => ({ id: 'g', type: `https://didcomm.org/coordinate-mediation/${v}.0/mediate-grant`, thid: 'r', body: { routing_did: rd } });
  assert.deepEqual(mediation.parse(grant(2, 'did:peer:2.a')).routingDid, ['did:peer:2.a']);
  assert.deepEqual(mediation.parse(grant(2, ['did:peer:2.a', 'did:peer:2.b'])).routingDid, ['did:peer:2.a', 'did:peer:2.b']);
  assert.deepEqual(mediation.parse(grant(3, ['did:peer:2.a'])).routingDid, ['did:peer:2.a']);
  assert.deepEqual(mediation.parse(grant(3, 'did:peer:2.a')).routingDid, ['did:peer:2.a']);
  assert.deepEqual(mediation.parse({ ...grant(3, []), type: 'http://didcomm.org/coordinate-mediation/3.1/mediate-grant' }),
    { kind: 'mediate-grant', version: 3, id: 'g', thid: 'r', routingDid: [] });
  for (const bad of [undefined, 7, [7], '', { did: 'x' }]) {
    assert.throws(() => mediation.parse(grant(3, bad)), malformed(/routing_did/), JSON.stringify(bad));
  }
  // Builders: a version-2 grant is one DID; a version-3 grant takes one or more.
  const req3 = mediation.mediateRequest({ version: 3 });
  assert.deepEqual(mediation.mediateGrant(req3, { routingDid: ['did:a', 'did:b'] }).body.routing_did, ['did:a', 'did:b']);
  assert.deepEqual(mediation.mediateGrant(req3, { routingDid: 'did:a', version: 2 }).body.routing_did, 'did:a');
  assert.throws(() => mediation.mediateGrant(mediation.mediateRequest(), { routingDid: ['did:a', 'did:b'] }), illegal(/one DID/));
});

test('coordinate mediation: the version comes from the option or the message replied to', () => {
  assert.equal(mediation.mediateRequest().type, 'https://didcomm.org/coordinate-mediation/2.0/mediate-request');
  assert.equal(mediation.recipientUpdate({ updates: [] }).type, 'https://didcomm.org/coordinate-mediation/3.0/recipient-update');
  assert.equal(mediation.keylistUpdate({ updates: [], version: 3 }).type, 'https://didcomm.org/coordinate-mediation/3.0/recipient-update');
  const q3 = mediation.recipientQuery();
  assert.equal(mediation.keylist(q3, { keys: [] }).type, 'https://didcomm.org/coordinate-mediation/3.0/recipient');
  assert.deepEqual(mediation.keylist(q3, { keys: ['did:a'] }).body, { dids: [{ recipient_did: 'did:a' }] });
  assert.throws(() => mediation.mediateGrant({ id: 'x', type: 'https://example.org/p/1.0/m' }, { routingDid: 'did:a' }), illegal(/pass version/));
  assert.throws(() => mediation.mediateRequest({ version: 1 }), illegal(/version must be 2 or 3/));
});

test('coordinate mediation: bad messages', () => {
  const t = (v, name) => `https://didcomm.org/coordinate-mediation/${v}.0/${name}`;
  const cases = [
    [{ type: t(2, 'keylist-update'), body: { updates: [{ recipient_did: 'did:a', action: 'replace' }] } }, /action/],
    [{ type: t(3, 'recipient-update'), body: { updates: [{ action: 'add' }] } }, /recipient_did/],
    [{ type: t(3, 'recipient-update'), body: {} }, /body.updates/],
    [{ type: t(2, 'keylist-update-response'), body: { updated: [{ recipient_did: 'did:a', action: 'add', result: 'ok' }] } }, /result/],
    [{ type: t(2, 'keylist'), body: { dids: [] } }, /body.keys/],
    [{ type: t(3, 'recipient'), body: { dids: [{ recipient_did: 'did:a' }], pagination: { count: 'one' } } }, /pagination.count/],
    [{ type: t(2, 'keylist-query'), body: { paginate: { limit: -1 } } }, /paginate.limit/],
  ];
  for (const [m, needle] of cases) assert.throws(() => mediation.parse({ id: '1', ...m }), malformed(needle), m.type);
  assert.equal(mediation.parse({ id: '1', type: t(1, 'mediate-request') }), null);
  // A name of the other version is no message of this one.
  assert.equal(mediation.parse({ id: '1', type: t(3, 'keylist-update'), body: { updates: [] } }), null);
  assert.equal(mediation.parse({ id: '1', type: t(2, 'recipient'), body: { dids: [] } }), null);
  assert.throws(() => mediation.keylistUpdate({ updates: [{ recipientDid: 'did:a', action: 'replace' }] }), illegal(/updates\[0\].action/));
  assert.throws(() => mediation.keylistUpdateResponse(mediation.keylistUpdate({ updates: [] }), { updated: [{ recipientDid: 'did:a', action: 'add', result: 'fine' }] }), illegal(/result/));
  assert.throws(() => mediation.keylistQuery({ paginate: { limit: 1.5 } }), illegal(/paginate.limit/));
});

// --- message pickup ---

test('message pickup 3.0: every message round trips; delivery carries packed messages', async () => {
  const sr = pickup.statusRequest({ from: ALICE, to: BOB, recipientDid: 'did:key:z6Mk1' });
  const gotSr = await roundTrip(pickup, sr, { kind: 'status-request', recipientDid: 'did:key:z6Mk1' });
  const st = pickup.status(gotSr, {
    from: BOB, messageCount: 2, recipientDid: 'did:key:z6Mk1', longestWaitedSeconds: 3600, newestReceivedTime: 1700000100,
    oldestReceivedTime: 1700000000, totalBytes: 8096, liveDelivery: false,
  });
  assert.deepEqual(st.body, {
    message_count: 2, recipient_did: 'did:key:z6Mk1', longest_waited_seconds: 3600, newest_received_time: 1700000100,
    oldest_received_time: 1700000000, total_bytes: 8096, live_delivery: false,
  });
  await roundTrip(pickup, st, {
    kind: 'status', thid: sr.id, messageCount: 2, recipientDid: 'did:key:z6Mk1', longestWaitedSeconds: 3600,
    newestReceivedTime: 1700000100, oldestReceivedTime: 1700000000, totalBytes: 8096, liveDelivery: false,
  });
  const dr = pickup.deliveryRequest({ from: ALICE, to: BOB, limit: 10 });
  const gotDr = await roundTrip(pickup, dr, { kind: 'delivery-request', limit: 10 });

  // Two messages for Alice waiting at the mediator, packed for her.
  const waiting = [basicMessage.basicMessage({ from: BOB, to: ALICE, content: 'one' }), trustPing.ping({ from: BOB, to: ALICE })];
  const packed = await Promise.all(waiting.map(async (m) => (await agents[BOB].packEncrypted(m, { to: ALICE, from: BOB })).packed));
  const del = pickup.delivery(gotDr, { from: BOB, messages: waiting.map((m, i) => [m.id, packed[i]]) });
  assert.deepEqual(del.attachments.map((a) => a.id), waiting.map((m) => m.id));
  const got = await roundTrip(pickup, del, {
    kind: 'delivery', thid: dr.id,
    messages: waiting.map((m, i) => ({ id: m.id, packed: packed[i], message: JSON.parse(packed[i]) })),
  });
  const parsed = pickup.parse(got);
  for (const [i, d] of parsed.messages.entries()) {
    const { message } = await agents[ALICE].unpack(d.packed);
    assert.equal(message.id, waiting[i].id);
  }
  const rec = pickup.messagesReceived(got, { from: ALICE, messageIdList: parsed.messages.map((d) => d.id) });
  assert.equal(rec.thid, dr.id, 'the delivery thread');
  await roundTrip(pickup, rec, { kind: 'messages-received', thid: dr.id, messageIdList: waiting.map((m) => m.id) });
  const live = pickup.liveDeliveryChange({ from: ALICE, to: BOB, liveDelivery: true });
  const gotLive = await roundTrip(pickup, live, { kind: 'live-delivery-change', liveDelivery: true });
  const none = pickup.status(gotLive, { from: BOB, messageCount: 0, liveDelivery: true });
  await roundTrip(pickup, none, { kind: 'status', thid: live.id, messageCount: 0, liveDelivery: true });
  // Not a reply: an unsolicited status to a given DID.
  const pushed = pickup.status(null, { from: BOB, to: ALICE, messageCount: 1 });
  assert.equal('thid' in pushed, false);
  await roundTrip(pickup, pushed, { kind: 'status', messageCount: 1 });
});

test('message pickup: deliveries as mediators send them (standard base64, json data), bad messages', () => {
  const inner = { protected: 'eyJ0', iv: 'a', ciphertext: 'b', tag: 'c', recipients: [] };
  const text = JSON.stringify(inner);
  const del = (attachments) => ({ id: 'd', type: 'http://didcomm.org/messagepickup/3.0/delivery', thid: 'dr', body: {}, attachments });
  for (const data of [{ base64: btoa(text) }, { base64: btoa(text).replace(/=+$/, '') }, { json: inner }]) {
    assert.deepEqual(pickup.parse(del([{ id: 'm1', data }])).messages, [{ id: 'm1', packed: text, message: inner }]);
  }
  const t = (name) => `https://didcomm.org/messagepickup/3.0/${name}`;
  const cases = [
    [del([{ data: { base64: btoa(text) } }]), /attachments\[0\]\.id/],
    [del([{ id: 'm', data: { base64: '!!' } }]), /base64/],
    [del([{ id: 'm', data: { base64: btoa('nope') } }]), /not JSON/],
    [del([{ id: 'm', data: { links: ['x'], hash: 'h' } }]), /base64 is required/],
    [{ id: '1', type: t('status'), body: {} }, /message_count is required/],
    [{ id: '1', type: t('status'), body: { message_count: '3' } }, /message_count/],
    [{ id: '1', type: t('status'), body: { message_count: 3, live_delivery: 'yes' } }, /live_delivery/],
    [{ id: '1', type: t('delivery-request'), body: {} }, /limit is required/],
    [{ id: '1', type: t('messages-received'), body: { message_id_list: 'a' } }, /message_id_list/],
    [{ id: '1', type: t('live-delivery-change'), body: {} }, /live_delivery is required/],
  ];
  for (const [m, needle] of cases) assert.throws(() => pickup.parse(m), malformed(needle), JSON.stringify(m));
  assert.equal(pickup.parse({ id: '1', type: 'https://didcomm.org/messagepickup/2.0/status-request' }), null);
  assert.equal(pickup.parse({ id: '1', type: t('batch-pickup'), body: {} }), null);
  assert.deepEqual(pickup.parse({ id: '1', type: 'https://didcomm.org/messagepickup/3.2/status', body: { message_count: 0 } }), { kind: 'status', id: '1', messageCount: 0 });
  assert.throws(() => pickup.deliveryRequest({ limit: 0 }), illegal(/limit/));
  assert.throws(() => pickup.status(null, { messageCount: -1 }), illegal(/messageCount/));
  assert.throws(() => pickup.status(pickup.statusRequest({ from: ALICE }), { messageCount: 1, to: ALICE }), illegal(/pass no to/));
  assert.throws(() => pickup.delivery(null, { messages: [] }), illegal(/messages/));
  assert.throws(() => pickup.delivery(null, { messages: [['id', 5]] }), illegal(/packed/));
  assert.throws(() => pickup.messagesReceived(null, { messageIdList: [1] }), illegal(/messageIdList/));
  assert.throws(() => pickup.liveDeliveryChange({}), illegal(/liveDelivery/));
});

test('parsers return null for every other protocol', () => {
  const namespaces = [trustPing, discoverFeatures, outOfBand, problemReport, basicMessage, empty, mediation, pickup];
  const samples = [
    trustPing.ping(), discoverFeatures.queries({ queries: [{ featureType: 'header', match: '*' }] }),
    outOfBand.invitation({ from: ALICE }), problemReport.problemReport({ pthid: 't', code: 'e.p.x' }),
    basicMessage.basicMessage({ content: 'x' }), empty.empty(), mediation.mediateRequest(), pickup.statusRequest(),
  ];
  for (const [i, ns] of namespaces.entries()) {
    for (const [j, m] of samples.entries()) {
      if (i === j) assert.notEqual(ns.parse(m), null);
      else assert.equal(ns.parse(m), null, `${i} on ${m.type}`);
    }
  }
  assert.equal(trustPing.parse({ id: '1', type: 'https://didcomm.org.evil/trust-ping/2.0/ping' }), null);
  assert.equal(trustPing.parse({ id: '1' }), null);
});

test('README Protocols example runs as written', async () => {
  const { readFileSync } = await import('node:fs');
  const { root } = await import('./fixtures.js');
  const api = await import('didcomm-wasm');
  const section = readFileSync(`${root}/README.md`, 'utf8').split('### Protocols')[1].split('\n### ')[0];
  const code = /```js\n([\s\S]*?)```/.exec(section)[1].replace(/^import .*$/gm, '');
  const names = Object.keys(api);
  const run = new Function(...names, `${code}\nreturn { incoming, pong, ping, url, request, received, parsed, messages, done, problem, invitation };`);
  const r = run(...names.map((n) => api[n]));
  assert.deepEqual(r.incoming, { kind: 'ping', id: r.ping.id, responseRequested: true });
  assert.equal(r.pong.thid, r.ping.id);
  assert.deepEqual(r.received, r.invitation);
  assert.equal(r.request.pthid, r.invitation.id);
  assert.deepEqual(r.parsed.routingDid, ['did:peer:2.mediator']);
  assert.equal(r.parsed.version, 3);
  assert.deepEqual(r.done.body.message_id_list, ['msg-1']);
  assert.equal(api.problemReport.commentText(r.problem.comment, r.problem.args), 'Cannot use wss://x');
});
