// Compiled with `tsc --strict --noEmit` by types.test.js: correct uses must type-check and
// each @ts-expect-error line must be an error, so the declarations are neither too loose
// nor too strict.
import { Resolver } from 'did-resolver';
import {
  DIDComm, DIDCommError, SecretsStore, wasmMemoryBytes, createPeerDID, createKeyDID, generateKey, resolveDID, parseForward,
  type CreatedIdentity, type DIDCommErrorCode, type DIDDocument, type FetchLike, type JWK, type Message,
  type MessagingService, type PrivateJWK, type UnpackMetadata, type FromPriorClaims, type PackFromPriorResult,
  httpPost, Socket, type HttpPostResponse, type SocketHandlers, type SocketCloseInfo, type SocketState,
  Agent, type AgentState, type IncomingMessage, type MediatorInfo, type AgentStatus,
} from 'didcomm-wasm';

const doc: DIDDocument = {
  id: 'did:example:bob',
  keyAgreement: ['#key-1', { id: '#key-2', type: 'JsonWebKey2020', publicKeyJwk: { kty: 'OKP', crv: 'X25519', x: 'AA' } }],
  service: [{ id: '#didcomm', type: 'DIDCommMessaging', serviceEndpoint: { uri: 'https://example.com' } }],
};
const jwk: JWK = { kid: 'did:example:bob#key-2', kty: 'OKP', crv: 'X25519', x: 'AA', d: 'AA' };

const store = new SecretsStore([jwk]).add(jwk);
const kids: string[] = store.kids();
const removed: boolean = store.remove('did:example:bob#key-2');

const sync = new DIDComm({ didResolver: { resolve: (did) => (did === doc.id ? doc : null) }, secretsResolver: store });
const async = new DIDComm({
  didResolver: new Resolver({}),
  secretsResolver: { getSecret: async () => jwk, findSecrets: async (k) => k },
});

const message: Message = {
  id: '1', type: 'https://didcomm.org/basicmessage/2.0/message', from: 'did:example:alice', to: ['did:example:bob'],
  body: { content: 'hi' }, return_route: 'all',
  attachments: [{ id: 'a', data: { base64: 'aGk' } }, { data: { links: ['https://x'], hash: 'zQm' } }],
};

async function run(): Promise<void> {
  const text: string = await sync.packPlaintext(message);
  const signed = await sync.packSigned(message, { signBy: 'did:example:alice' });
  const alg: 'EdDSA' | 'ES256' | 'ES256K' = signed.metadata.signAlg;
  const enc = await async.packEncrypted(message, { to: 'did:example:bob', from: 'did:example:alice', encAlgAnon: 'XC20P', protectSender: true });
  const toKids: string[] = enc.metadata.toKids;
  const { message: m, metadata } = await sync.unpack(enc.packed, { expectDecryptByAllKeys: true });
  const meta: UnpackMetadata = metadata;
  const from: string | undefined = m.from;
  const anon: boolean = meta.anonymousSender;
  await sync.unpack(JSON.parse(text) as object);
  const bytes: number = wasmMemoryBytes();
  void [alg, toKids, from, anon, bytes, kids, removed];

  try {
    await sync.unpack('x');
  } catch (e) {
    if (e instanceof DIDCommError) {
      const code: DIDCommErrorCode = e.code;
      const err: Error = e;
      void [code, err];
    }
  }

  // DIDs: creation, resolution, did:web fetch, persistence.
  const peer: CreatedIdentity = createPeerDID({
    numalgo: 4, agreement: ['X25519', 'P-384'], authentication: ['Ed25519'],
    services: [{ uri: 'https://mediator.example', accept: ['didcomm/v2'], routingKeys: ['did:example:m#k'] }],
  });
  const short: string | undefined = peer.shortDid;
  const key = createKeyDID('P-256');
  const jwk2: JWK & { d: string } = generateKey('secp256k1', { kid: 'did:example:me#k' });
  const resolved: DIDDocument = await resolveDID(key.did);
  const viaWeb: DIDDocument = await resolveDID('did:web:example.com', { fetch: globalThis.fetch });
  const ownFetch: FetchLike = async () => ({ ok: true, status: 200, text: async () => '{}' });
  const agent = new DIDComm({ secretsResolver: new SecretsStore(peer.secrets), builtinMethods: ['peer', 'web'], fetch: ownFetch });
  const doc2: DIDDocument = await agent.resolveDID(peer.did);
  const saved: PrivateJWK[] = new SecretsStore(key.secrets).export();
  const restored: SecretsStore = SecretsStore.import(JSON.stringify(saved));
  new DIDComm();
  void [short, jwk2, resolved, viaWeb, doc2, restored];

  // Routing.
  const routed = await agent.packEncrypted(message, { to: peer.did, forwardHeaders: { expires_time: 1 }, messagingService: `${peer.did}#service` });
  const where: MessagingService | undefined = routed.metadata.messagingService;
  const hop: string = await agent.wrapInForward(routed.packed, { next: peer.did, routingKeys: ['did:example:m#k'], encAlgAnon: 'XC20P' });
  const { message: fwd, metadata: fwdMeta } = await agent.unpack(hop, { unwrapReWrappingForward: true });
  const rewrapped: boolean = fwdMeta.reWrappedInForward;
  const parsed = parseForward(fwd);
  const next: string | undefined = parsed?.next;
  void [where, rewrapped, next];
  // @ts-expect-error wrapInForward needs routingKeys
  await agent.wrapInForward(hop, { next: peer.did });
  // @ts-expect-error Ed25519 cannot agree keys
  createPeerDID({ agreement: ['Ed25519'] });
  // @ts-expect-error numalgo is 2 or 4
  createPeerDID({ numalgo: 3 });
  // @ts-expect-error builtin methods are key, peer and web
  new DIDComm({ builtinMethods: ['ion'] });
  // @ts-expect-error a service needs a uri
  createPeerDID({ services: [{ accept: ['didcomm/v2'] }] });

  // DID rotation.
  const rotation: PackFromPriorResult = await sync.packFromPrior({ iss: 'did:example:alice', sub: peer.did });
  const pinned = await sync.packFromPrior(
    { iss: 'did:example:alice', sub: peer.did, iat: 1700000000, jti: 'r1' },
    { issuerKid: 'did:example:alice#key-2' },
  );
  await sync.packEncrypted({ ...message, from: peer.did, from_prior: rotation.jwt }, { to: 'did:example:bob', from: peer.did });
  const claims: FromPriorClaims | undefined = meta.fromPrior;
  const prior: string | undefined = claims?.iss;
  const issuer: string | undefined = meta.fromPriorIssuerKid;
  void [pinned.issuerKid, prior, issuer];
  // @ts-expect-error from_prior claims need sub
  await sync.packFromPrior({ iss: 'did:example:alice' });
  // @ts-expect-error iat is a number of seconds
  await sync.packFromPrior({ iss: 'did:example:alice', sub: peer.did, iat: new Date() });

  // @ts-expect-error encAlgAnon is one of three names
  await sync.packEncrypted(message, { to: 'did:example:bob', encAlgAnon: 'A128GCM' });
  // @ts-expect-error packEncrypted needs options with `to`
  await sync.packEncrypted(message, {});
  // @ts-expect-error a message needs an id
  await sync.packPlaintext({ type: 't' });
  // @ts-expect-error packSigned needs signBy
  await sync.packSigned(message, {});
  // @ts-expect-error a DID resolver needs resolve()
  new DIDComm({ didResolver: {}, secretsResolver: store });
  // @ts-expect-error error codes are a closed set
  const bad: DIDCommErrorCode = 'ERR_SOMETHING';
  void bad;

  // Transports.
  const posted: HttpPostResponse = await httpPost('https://example.com/didcomm', enc.packed, 'application/didcomm-encrypted+json', {
    timeoutMs: 5000, fetch: globalThis.fetch,
  });
  const answer: string = posted.body;
  const answerType: string | null = posted.contentType;
  const finalUrl: string = posted.url;
  const httpStatus: number = posted.status;
  await httpPost('https://example.com/didcomm', '{}', 'application/json');
  try {
    await httpPost('https://example.com/didcomm', '{}', 'application/json');
  } catch (e) {
    if (e instanceof DIDCommError && e.code === 'ERR_TRANSPORT') {
      const failed: number | undefined = e.status;
      const body: string | undefined = e.body;
      void [failed, body];
    }
  }
  const handlers: SocketHandlers = {
    onOpen() { socket.send('hello'); },
    onMessage(text: string) { void text; },
    onClose(info: SocketCloseInfo) {
      const next: number | null = info.reconnectInMs;
      void [next, info.code, info.reason];
    },
  };
  class NodeWebSocket { constructor(public url: string) {} }
  const socket = new Socket('wss://example.com/ws', handlers, { WebSocket: NodeWebSocket, reconnect: true, initialDelayMs: 100, maxDelayMs: 10_000 });
  new Socket('wss://example.com/ws', { onMessage: () => {} });
  const state: SocketState = socket.state;
  const socketUrl: string = socket.url;
  socket.close();
  socket.close(4000, 'bye');
  void [answer, answerType, finalUrl, httpStatus, state, socketUrl];
  // @ts-expect-error the body is text
  await httpPost('https://example.com/didcomm', { a: 1 }, 'application/json');
  // @ts-expect-error httpPost needs a content type
  await httpPost('https://example.com/didcomm', '{}');
  // @ts-expect-error a socket needs onMessage
  new Socket('wss://example.com/ws', { onOpen() {} });
  // @ts-expect-error state is one of four names
  const noState: SocketState = 'opening';
  // @ts-expect-error frames are text
  socket.send(new Uint8Array([1]));
  void noState;
}
void run;

// Protocols: builders, parsers with discriminated results.
import {
  threading, attachments, trustPing, discoverFeatures, FeatureRegistry, outOfBand, problemReport, basicMessage, empty,
  mediation, pickup,
} from 'didcomm-wasm';

async function protocols(agent: DIDComm): Promise<void> {
  const ping = trustPing.ping({ from: 'did:example:alice', to: 'did:example:bob', responseRequested: true });
  const rr: boolean = ping.body.response_requested;
  const { packed } = await agent.packEncrypted(ping, { to: 'did:example:bob' });
  const { message: got } = await agent.unpack(packed);
  const parsed = trustPing.parse(got);
  if (parsed?.kind === 'ping') {
    const wants: boolean = parsed.responseRequested;
    const response = trustPing.pingResponse(got, { from: 'did:example:bob' });
    const thid: string = response.thid;
    void [wants, thid];
  } else if (parsed?.kind === 'ping-response') {
    const thid: string = parsed.thid;
    void thid;
  }

  const registry = new FeatureRegistry({ protocols: [{ id: 'https://didcomm.org/trust-ping/2.0', roles: ['sender'] }], goalCodes: ['x'] });
  const sameClass: discoverFeatures.FeatureRegistry = new discoverFeatures.FeatureRegistry();
  const q = discoverFeatures.queries({ queries: [{ featureType: 'protocol', match: 'https://didcomm.org/*' }] });
  const disclosed = discoverFeatures.parse(discoverFeatures.disclose(q, registry));
  if (disclosed?.kind === 'disclose') {
    const roles: string[] | undefined = disclosed.disclosures[0]?.roles;
    void roles;
  }
  const matched: discoverFeatures.Disclosure[] = registry.matches({ featureType: 'header', match: '*' });

  const inv = outOfBand.invitation({ from: 'did:example:alice', goalCode: 'g', attachments: [attachments.json({ a: 1 }, { id: 'r0' })] });
  const url: string = outOfBand.invitationUrl(inv, 'https://example.com/');
  const back = outOfBand.invitationFromUrl(url);
  const inviter: string = back.from;
  const oob = outOfBand.parse(back);
  const accept: string[] | undefined = oob?.accept;
  const first = threading.oobReply(back, trustPing.PING, { response_requested: true });
  const pthid: string = first.pthid;
  const acked = threading.returnRoute(threading.pleaseAck(first), 'all');
  const bytes: Uint8Array = attachments.bytes(attachments.base64(new Uint8Array([1])));

  const report = problemReport.problemReport({ pthid, code: 'e.p.xfer.cant-use-endpoint', comment: '{1}', args: ['x'] });
  const pr = problemReport.parse(report);
  if (pr) {
    const sorter: 'error' | 'warning' = pr.code.sorter;
    const text: string = problemReport.commentText(pr.comment, pr.args);
    void [sorter, text];
  }

  const bm = basicMessage.parse(basicMessage.basicMessage({ content: 'hi', lang: 'en' }));
  const content: string | undefined = bm?.content;
  const e = empty.parse(empty.empty({ to: ['did:example:bob'] }));

  const req = mediation.mediateRequest({ version: 3 });
  const grant = mediation.parse(mediation.mediateGrant(req, { routingDid: ['did:peer:2.x'] }));
  if (grant?.kind === 'mediate-grant') {
    const routing: string[] = grant.routingDid;
    void routing;
  } else if (grant?.kind === 'keylist') {
    const version: 2 = grant.version;
    const keys: string = grant.keys[0].recipientDid;
    void [version, keys];
  }
  mediation.keylistUpdate({ updates: [{ recipientDid: 'did:a', action: 'add' }], version: 2 });
  mediation.recipient(mediation.recipientQuery({ paginate: { limit: 10 } }), { dids: ['did:a'] });

  const status = pickup.status(pickup.statusRequest(), { messageCount: 0, liveDelivery: false });
  const statusThid: string = status.thid;
  pickup.status(null, { to: 'did:example:bob', messageCount: 1 });
  const delivery = pickup.delivery(pickup.deliveryRequest({ limit: 5 }), { messages: [['id-1', packed]] });
  const p = pickup.parse(delivery);
  if (p?.kind === 'delivery') {
    const packedText: string = p.messages[0].packed;
    await agent.unpack(packedText);
  } else if (p?.kind === 'status') {
    const count: number = p.messageCount;
    void count;
  }
  void [rr, sameClass, matched, inviter, accept, acked, bytes, content, e, statusThid];

  // @ts-expect-error responseRequested is a boolean
  trustPing.ping({ responseRequested: 'yes' });
  // @ts-expect-error an invitation needs from
  outOfBand.invitation({ goal: 'x' });
  // @ts-expect-error feature types are protocol, goal-code, header
  discoverFeatures.queries({ queries: [{ featureType: 'protocols', match: '*' }] });
  // @ts-expect-error a problem report needs pthid
  problemReport.problemReport({ code: 'e.p.x' });
  // @ts-expect-error mediation versions are 2 and 3
  mediation.mediateRequest({ version: 1 });
  // @ts-expect-error actions are add and remove
  mediation.keylistUpdate({ updates: [{ recipientDid: 'did:a', action: 'replace' }] });
  // @ts-expect-error return_route is none, all or thread
  threading.returnRoute(first, 'some');
  // @ts-expect-error a status needs messageCount
  pickup.status(null, {});
  if (parsed?.kind === 'ping') {
    // @ts-expect-error a ping has no thid in its parsed form
    void parsed.thid;
  }
  // @ts-expect-error links need a hash
  attachments.links(['https://x']);
}
void protocols;

// The Agent: connect, send, events, the iterator, state.
async function agentUsage(saved: AgentState): Promise<void> {
  const agent = new Agent({ state: saved, transport: 'auto', mediationVersions: [3, 2], timeoutMs: 5000 });
  const info: MediatorInfo = await agent.connect('https://mediator.example/?_oob=e30');
  const version: 2 | 3 = info.version;
  const did: string | null = agent.did;
  const status: AgentStatus = agent.status;
  agent.on('message', ({ message, metadata }: IncomingMessage) => { void message.body; void metadata.authenticated; });
  agent.on('state', (s) => { const st: AgentStatus = s; void st; });
  agent.on('error', (e) => { if (e.code === 'ERR_PROBLEM_REPORT') void e.problem?.code.raw; });
  const sent = await agent.send({ id: '1', type: 'https://didcomm.org/basicmessage/2.0/message', body: { content: 'x' } }, { to: 'did:example:bob' });
  void sent.metadata.messagingService;
  const rtt: number = await agent.ping('did:example:bob');
  for await (const { message } of agent) void message.id;
  const again: AgentState = agent.state();
  await agent.close();
  void [version, did, status, rtt, again];
  // @ts-expect-error transport is auto, websocket or polling
  new Agent({ transport: 'carrier-pigeon' });
  // @ts-expect-error send needs { to }
  await agent.send({ id: '2', type: 't' }, {});
  // @ts-expect-error unknown events
  agent.on('gossip', () => {});
}
void agentUsage;
