// Compiled with `tsc --strict --noEmit` by types.test.js: correct uses must type-check and
// each @ts-expect-error line must be an error, so the declarations are neither too loose
// nor too strict.
import { Resolver } from 'did-resolver';
import {
  DIDComm, DIDCommError, SecretsStore, wasmMemoryBytes, createPeerDID, createKeyDID, generateKey, resolveDID, parseForward,
  type CreatedIdentity, type DIDCommErrorCode, type DIDDocument, type FetchLike, type JWK, type Message,
  type MessagingService, type PrivateJWK, type UnpackMetadata, type FromPriorClaims, type PackFromPriorResult,
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
}
void run;
