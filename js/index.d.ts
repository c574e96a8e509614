// didcomm-wasm: DIDComm Messaging v2.1 for browsers and Node.

/** Stable error codes: one per core error kind, and two of the Agent's. */
export type DIDCommErrorCode =
  | 'ERR_MALFORMED'
  | 'ERR_INCONSISTENT'
  | 'ERR_DID_NOT_FOUND'
  | 'ERR_KID_NOT_FOUND'
  | 'ERR_SECRET_NOT_FOUND'
  | 'ERR_UNSUPPORTED'
  | 'ERR_ILLEGAL_ARGUMENT'
  | 'ERR_VERIFICATION_FAILED'
  | 'ERR_DECRYPTION_FAILED'
  | 'ERR_NO_COMPATIBLE_KEYS'
  | 'ERR_RESOLVER'
  | 'ERR_TRANSPORT'
  /** Input is over one of the `Limits` (size, JSON nesting, counts); the message names which. */
  | 'ERR_LIMIT_EXCEEDED'
  /** Agent: the peer answered with a problem report (`problem` holds it). */
  | 'ERR_PROBLEM_REPORT'
  /** Agent: the mediator denied mediation, or would not add our DID. */
  | 'ERR_MEDIATION_DENIED'
  | 'ERR_INTERNAL';

/**
 * Every rejection of this package. `cause` holds what a resolver threw, when one did, or
 * what fetch or the WebSocket threw.
 */
export class DIDCommError extends Error {
  constructor(code: DIDCommErrorCode, message: string, options?: { cause?: unknown });
  readonly name: 'DIDCommError';
  readonly code: DIDCommErrorCode;
  /** `httpPost` answered with an HTTP error status (ERR_TRANSPORT): the status. */
  readonly status?: number;
  /** `httpPost` answered with an HTTP error status: the response body, its first 4 KB. */
  readonly body?: string;
  /** ERR_PROBLEM_REPORT: the report the peer sent. */
  readonly problem?: problemReport.ProblemReport;
}

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Attachment data: at least one of base64, json, links (with hash). */
export interface AttachmentData {
  /** base64url or standard base64, padded or not. */
  base64?: string;
  json?: Json;
  links?: string[];
  /** Multihash of the content; required with `links`. */
  hash?: string;
  /** A detached JWS over the content. */
  jws?: { [key: string]: Json };
  [key: string]: unknown;
}

export interface Attachment {
  id?: string;
  description?: string;
  filename?: string;
  media_type?: string;
  format?: string;
  lastmod_time?: number;
  byte_count?: number;
  data: AttachmentData;
  [key: string]: unknown;
}

/** A plaintext DIDComm message in its wire shape. Unknown headers are kept. */
export interface Message {
  id: string;
  type: string;
  /** Set to 'application/didcomm-plain+json' on output. */
  typ?: string;
  /** A DID, without fragment. */
  from?: string;
  /** DIDs, without fragments. */
  to?: string[];
  thid?: string;
  pthid?: string;
  /** Seconds since the epoch. */
  created_time?: number;
  expires_time?: number;
  body?: { [key: string]: Json };
  attachments?: Attachment[];
  from_prior?: string;
  please_ack?: string[];
  ack?: string[];
  [header: string]: unknown;
}

/** A JSON Web Key. Private keys carry `d`; secrets carry `kid`. */
export interface JWK {
  kty: 'OKP' | 'EC';
  crv: 'X25519' | 'Ed25519' | 'P-256' | 'P-384' | 'P-521' | 'secp256k1';
  x: string;
  y?: string;
  d?: string;
  kid?: string;
  [key: string]: unknown;
}

export interface VerificationMethod {
  id: string;
  type: string;
  controller?: string;
  publicKeyJwk?: JWK;
  publicKeyMultibase?: string;
  publicKeyBase58?: string;
  [key: string]: unknown;
}

export interface Service {
  id: string;
  type: string | string[];
  serviceEndpoint: Json;
  [key: string]: unknown;
}

/** A DID document. Relationships hold kids (absolute or `#relative`) or embedded methods. */
export interface DIDDocument {
  id: string;
  '@context'?: Json;
  alsoKnownAs?: string[];
  controller?: string | string[];
  verificationMethod?: VerificationMethod[];
  authentication?: (string | VerificationMethod)[];
  keyAgreement?: (string | VerificationMethod)[];
  assertionMethod?: (string | VerificationMethod)[];
  service?: Service[];
  [key: string]: unknown;
}

/** What `did-resolver`'s `Resolver.resolve` returns; accepted as is. */
export interface DIDResolutionResult {
  didDocument: { id: string; [key: string]: unknown } | null;
  didResolutionMetadata: { error?: string; [key: string]: unknown };
  didDocumentMetadata?: { [key: string]: unknown };
}

type MaybePromise<T> = T | Promise<T>;

/** Any object with `resolve(did)`: a document, null when unknown, or a did-resolver result. */
export interface DIDResolver {
  resolve(did: string): MaybePromise<DIDDocument | DIDResolutionResult | null | undefined>;
}

/** Any object that finds private JWKs by kid. */
export interface SecretsResolver {
  getSecret(kid: string): MaybePromise<JWK | null | undefined>;
  /** Which of `kids` are held. */
  findSecrets(kids: string[]): MaybePromise<string[]>;
}

/** A private JWK as this package emits it: `d` and `kid` present. */
export interface PrivateJWK extends JWK {
  d: string;
  kid: string;
}

/** An in-memory secrets store; keys stay inside wasm unless exported. */
export class SecretsStore {
  constructor(jwks?: JWK[]);
  /** A store from what `export()` returned, or that as JSON text. */
  static import(data: string | JWK[]): SecretsStore;
  /**
   * Adds or replaces a private JWK with `kid`, checked for form now. Its x/y must match its d:
   * checked on the key's first use, which fails with ERR_MALFORMED naming the kid if not.
   */
  add(jwk: JWK): this;
  remove(kid: string): boolean;
  has(kid: string): boolean;
  /** The kids held, sorted. */
  kids(): string[];
  /** Every secret as a private JWK with its kid, sorted by kid: for persisting the store. */
  export(): PrivateJWK[];
}

/** The DID methods answered inside the package. */
export type BuiltinMethod = 'key' | 'peer' | 'web';

/** What did:web needs of `fetch`; `globalThis.fetch` fits. */
export type FetchLike = (
  url: string,
  init: { headers: Record<string, string> },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export interface DIDCommOptions {
  /** For the DIDs the built-in methods do not answer (and all of them when `builtinMethods` is []). */
  didResolver?: DIDResolver;
  /** Default: an empty `SecretsStore` (enough for anoncrypt packing and verifying). */
  secretsResolver?: SecretsResolver | SecretsStore;
  /** Methods resolved by the package before `didResolver` is asked. Default: all three. */
  builtinMethods?: BuiltinMethod[];
  /** The fetch did:web uses. Default: `globalThis.fetch`. */
  fetch?: FetchLike;
  /**
   * Bounds on what `unpack` and DID resolution accept; any left out keeps its default
   * (`DEFAULT_LIMITS`). Each is a positive integer. Exceeding one rejects with
   * ERR_LIMIT_EXCEEDED naming the limit.
   */
  limits?: Partial<Limits>;
}

/** Bounds on input, so that no message can make a call do unbounded work. */
export interface Limits {
  /** Bytes (UTF-8) of a packed message given to `unpack`. Default 10 485 760 (10 MiB). */
  maxPackedBytes: number;
  /**
   * Nesting of arrays and objects in a packed message, in each payload inside it, and in a
   * resolved DID document. Default 64; at most 128, the JSON parser's own bound.
   */
  maxJsonDepth: number;
  /** Recipients of one JWE, and signatures of one JWS. Default 256. */
  maxRecipients: number;
  /** Attachments of one plaintext message. Default 256. */
  maxAttachments: number;
  /** Forwards addressed to ourselves inside one another that `unwrapReWrappingForward` opens. Default 8. */
  maxForwardNesting: number;
  /** Bytes of a DID document as the `didResolver` (or did:web) returns it, as JSON. Default 262 144 (256 KiB). */
  maxDidDocumentBytes: number;
}

/** The limits of a `DIDComm` made without `options.limits`. */
export const DEFAULT_LIMITS: Readonly<Limits>;

/** A curve name as in JWK `crv`. */
export type Curve = JWK['crv'];
/** Curves of key-agreement keys (JWE). */
export type AgreementCurve = 'X25519' | 'P-256' | 'P-384' | 'P-521';
/** Curves of authentication keys (JWS). */
export type AuthenticationCurve = 'Ed25519' | 'P-256' | 'secp256k1';

/** A DIDCommMessaging endpoint. */
export interface ServiceEndpoint {
  /** An http(s) or ws(s) URL, or a mediator's DID. */
  uri: string;
  /** e.g. ['didcomm/v2']. */
  accept?: string[];
  /** Mediator kids or DIDs. */
  routingKeys?: string[];
}

export interface CreatePeerDIDOptions {
  /** 2 (default) or 4. */
  numalgo?: 2 | 4;
  /** Default ['X25519']. */
  agreement?: AgreementCurve[];
  /** Default ['Ed25519']. */
  authentication?: AuthenticationCurve[];
  /** DIDCommMessaging endpoints. Default none. */
  services?: ServiceEndpoint[];
}

/** A new identity: its DID, the document it resolves to, and its secrets (kids match the document). */
export interface CreatedIdentity {
  did: string;
  /** The short form, for a did:peer:4 (`did` is the long form). */
  shortDid?: string;
  document: DIDDocument;
  secrets: PrivateJWK[];
}

/** A new did:peer:2 (default) or did:peer:4 with fresh keys. Keys are `#key-1`, `#key-2`, … agreement first. */
export function createPeerDID(options?: CreatePeerDIDOptions): CreatedIdentity;
/** A new did:key (default Ed25519, which also holds its derived X25519 key-agreement key). */
export function createKeyDID(curve?: Curve): CreatedIdentity;
/** A fresh private JWK on `curve` (default X25519), with `kid` when given. */
export function generateKey(curve?: Curve, options?: { kid?: string }): JWK & { d: string };
/** Resolves a DID with the built-in methods, and `options.didResolver` for the rest. */
export function resolveDID(did: string, options?: Omit<DIDCommOptions, 'secretsResolver'>): Promise<DIDDocument>;

export type SignAlg = 'EdDSA' | 'ES256' | 'ES256K';
export type AnoncryptEnc = 'A256CBC-HS512' | 'A256GCM' | 'XC20P';

export interface PackSignedOptions {
  /** A DID (its first authentication key with a held secret) or a kid. Must be the message's `from`. */
  signBy: string;
}

export interface PackSignedMetadata {
  signByKid: string;
  signAlg: SignAlg;
}

export interface PackEncryptedOptions {
  /** A DID (all its keyAgreement keys on the chosen curve) or one kid. */
  to: string;
  /** Authcrypt from this DID or kid; anoncrypt when absent. Must be the message's `from`. */
  from?: string;
  /** Sign with this DID or kid first. */
  signBy?: string;
  /** Wrap the authcrypted message in anoncrypt, hiding the sender from mediators. */
  protectSender?: boolean;
  /** Content encryption of anoncrypt. Default 'A256CBC-HS512'. */
  encAlgAnon?: AnoncryptEnc;
  /** Wrap in forward messages for the mediators of the recipient's DIDCommMessaging service. Default true. */
  forward?: boolean;
  /** Headers put on every forward message (e.g. `expires_time`). */
  forwardHeaders?: { [header: string]: Json };
  /** The recipient's service to use, by id (`did#service-1`). Default: the first that takes didcomm/v2. */
  messagingService?: string;
}

/** Where to send a packed message. */
export interface MessagingService {
  /** The recipient's service entry. */
  id: string;
  /** The transport URI (http(s) or ws(s)); a mediator's, when the service routes through a mediator DID. */
  uri: string;
  /** The routing hops the message was wrapped for, first hop first. */
  routingKeys: string[];
}

export interface PackEncryptedMetadata {
  fromKid?: string;
  toKids: string[];
  signByKid?: string;
  /** Present when the recipient has a DIDCommMessaging service: send `packed` to its `uri`. */
  messagingService?: MessagingService;
}

export interface WrapInForwardOptions {
  /** The DID or kid the packed message is for. */
  next: string;
  /** Kids or DIDs, first hop first; the message is wrapped for the last one first. */
  routingKeys: string[];
  /** Headers put on every forward message. */
  headers?: { [header: string]: Json };
  /** Content encryption of the forwards. Default 'A256CBC-HS512'. */
  encAlgAnon?: AnoncryptEnc;
}

/** A parsed forward message. */
export interface Forward {
  /** The DID or kid to pass the message on to. */
  next: string;
  /** The attached packed message, as JSON. */
  forwarded: { [key: string]: Json };
}

/** `{ next, forwarded }` of a forward message, or null for any other message. */
export function parseForward(message: Message): Forward | null;
/** The claims of a from_prior JWT (DID rotation). */
export interface FromPriorClaims {
  /** The prior DID. */
  iss: string;
  /** The new DID: the `from` of the message that carries the JWT. */
  sub: string;
  /** The rotation time, seconds since the epoch. */
  iat: number;
  /** Carried as they are; not interpreted. */
  aud?: string;
  exp?: number;
  nbf?: number;
  jti?: string;
}

export interface PackFromPriorOptions {
  /** A kid in the `authentication` of `iss`. Default: the first one whose secret is held. */
  issuerKid?: string;
}

export interface PackFromPriorResult {
  /** The compact JWS, for the message's `from_prior`. */
  jwt: string;
  /** The key of the prior DID that signed it. */
  issuerKid: string;
}

export interface UnpackOptions {
  /** Fail unless every held recipient key decrypts. Default false. */
  expectDecryptByAllKeys?: boolean;
  /** When the message is a forward to one of our own keys, unpack what it carries. Default false. */
  unwrapReWrappingForward?: boolean;
}

export interface UnpackMetadata {
  encrypted: boolean;
  /** Authcrypt or signed: the sender is proven. */
  authenticated: boolean;
  /** Signed. */
  nonRepudiation: boolean;
  /** The outer encryption was anoncrypt. */
  anonymousSender: boolean;
  encryptedFromKid?: string;
  encryptedToKids?: string[];
  signFrom?: string;
  signAlg?: SignAlg;
  encAlgAuth?: 'A256CBC-HS512';
  encAlgAnon?: AnoncryptEnc;
  /** The JWS as received, for non-repudiation. */
  signedMessage?: string;
  /** The message came inside forwards to ourselves (see `unwrapReWrappingForward`). */
  reWrappedInForward: boolean;
  /** DID rotation: the verified claims of the message's `from_prior` (`sub` is the message's `from`). */
  fromPrior?: FromPriorClaims;
  /** The key of the prior DID that signed `from_prior`. */
  fromPriorIssuerKid?: string;
}

export class DIDComm {
  constructor(options?: DIDCommOptions);
  /** The DID document of `did` as this instance resolves it; rejects with ERR_DID_NOT_FOUND when unknown. */
  resolveDID(did: string): Promise<DIDDocument>;
  packPlaintext(message: Message): Promise<string>;
  packSigned(message: Message, options: PackSignedOptions): Promise<{ packed: string; metadata: PackSignedMetadata }>;
  packEncrypted(message: Message, options: PackEncryptedOptions): Promise<{ packed: string; metadata: PackEncryptedMetadata }>;
  unpack(packed: string | object, options?: UnpackOptions): Promise<{ message: Message; metadata: UnpackMetadata }>;
  /** Wraps a packed message in anoncrypted forwards, one per routing key. */
  wrapInForward(packed: string | object, options: WrapInForwardOptions): Promise<string>;
  /** DID rotation: a from_prior JWT, signed by the prior DID `iss`. `iat` defaults to now (seconds). */
  packFromPrior(
    claims: Omit<FromPriorClaims, 'iat'> & { iat?: number },
    options?: PackFromPriorOptions,
  ): Promise<PackFromPriorResult>;
}

/** Bytes of wasm linear memory, for leak checks. */
export function wasmMemoryBytes(): number;

/**
 * Which implementation serves the cryptographic primitives: `'platform'` (the default: in
 * Node, node:crypto for X25519, P-256/384/521, Ed25519 signing, ES256, AES and SHA-256;
 * in browsers, WebCrypto for large payloads; the Rust crates for the rest) or `'rust'`
 * (the Rust crates alone). Returns the previous choice. Both give the same results.
 */
export function useCrypto(which: 'platform' | 'rust' | CryptoBackend): 'platform' | 'rust' | CryptoBackend;

/**
 * A crypto backend object: `serves` lists, per primitive, the curve or `enc` names (or
 * `true`) it takes; each method returns its result (or a promise of it), `undefined` to
 * decline, or `false` for a failed authentication. See js/crypto/node.js for the contract.
 */
export interface CryptoBackend {
  serves: Partial<Record<'generate' | 'agree' | 'sign' | 'verify' | 'encrypt' | 'decrypt', string[]>>
    & Partial<Record<'wrap' | 'unwrap' | 'sha256', boolean>>;
  [method: string]: unknown;
}

/** This runtime's crypto backend (node:crypto in Node, WebCrypto in browsers), or null. */
export const platformCrypto: CryptoBackend | null;

// --- Transports ---

/** The request `httpPost` makes of its fetch. */
export interface HttpPostRequest {
  method: 'POST';
  headers: { 'content-type': string };
  body: string;
  signal: AbortSignal;
  redirect: 'manual' | 'follow';
}

/** What `httpPost` reads of the response its fetch gives; a `Response` fits. */
export interface HttpPostFetchResponse {
  status: number;
  /** 'opaqueredirect' for a redirect a browser hides. */
  type: string;
  url: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** What `httpPost` needs of `fetch`; `globalThis.fetch` fits. Called with `this` = globalThis. */
export type HttpPostFetch = (url: string, init: HttpPostRequest) => Promise<HttpPostFetchResponse>;

export interface HttpPostOptions {
  /** Rejects with ERR_TRANSPORT when no response (and body) came in this time. Default 30 000 ms. */
  timeoutMs?: number;
  /** Default: `globalThis.fetch`. */
  fetch?: HttpPostFetch;
}

/** A 2xx answer. */
export interface HttpPostResponse {
  status: number;
  /** The content-type header, or null. */
  contentType: string | null;
  body: string;
  /** The final URL, after redirects. */
  url: string;
}

/**
 * POSTs `body` (e.g. a packed message, as 'application/didcomm-encrypted+json'). Follows
 * 307 and 308 redirects (5 at most; the DIDComm spec follows 307 only). Any other redirect,
 * an HTTP status outside 2xx (the error has `status` and `body`), a network failure
 * (`cause`: what fetch threw) or the timeout rejects with ERR_TRANSPORT.
 */
export function httpPost(url: string, body: string, contentType: string, options?: HttpPostOptions): Promise<HttpPostResponse>;

/** How a socket closed. */
export interface SocketCloseInfo {
  code: number;
  reason: string;
  /** When the next attempt starts; null when the socket is closed for good. */
  reconnectInMs: number | null;
}

/** Called with `this` = the handlers object; what they throw is ignored. */
export interface SocketHandlers {
  /** The socket (re)connected. */
  onOpen?(): void;
  /** A frame: text frames as they are, binary frames decoded as UTF-8. */
  onMessage(text: string): void;
  /** The socket closed (or an attempt failed); `reconnectInMs` says what comes next. */
  onClose?(info: SocketCloseInfo): void;
}

/** A constructor with the WebSocket API the socket uses: `new (url)`, `onopen`, `onmessage`, `onclose`, `onerror`, `binaryType`, `readyState`, `send`, `close`. */
export type WebSocketConstructor = new (url: string) => object;

export interface SocketOptions {
  /** Default `globalThis.WebSocket`; in Node < 22 pass one, e.g. the `ws` package's `WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** Reconnect after the socket closes, until `close()`. Default true. */
  reconnect?: boolean;
  /** The first delay: each attempt doubles it, up to `maxDelayMs`, with jitter (50-100 %). Default 250. */
  initialDelayMs?: number;
  /** Default 30 000. */
  maxDelayMs?: number;
}

/** 'waiting': between attempts. */
export type SocketState = 'connecting' | 'open' | 'waiting' | 'closed';

/**
 * A WebSocket that reconnects with exponential backoff until `close()`. The constructor
 * throws ERR_TRANSPORT when there is no WebSocket implementation. Keep a reference while
 * you use it: a collected socket stops.
 */
export class Socket {
  constructor(url: string, handlers: SocketHandlers, options?: SocketOptions);
  /** Sends a text frame; throws ERR_TRANSPORT when the socket is not open. */
  send(text: string): void;
  /**
   * Closes for good (code 1000 unless given; 3000-4999 are the application's): no more
   * attempts, a pending one cancelled. `onClose` follows with `reconnectInMs: null` (at once
   * when between attempts). Idempotent.
   */
  close(code?: number, reason?: string): void;
  readonly state: SocketState;
  readonly url: string;
}

// --- Protocols (js/protocols): plain JS builders and parsers, no wasm ---

/** A DID, or DIDs: builders emit `to` as an array. */
export type DIDs = string | string[];

/** `from`/`to` of a new message. */
export interface Addressing {
  from?: string;
  to?: DIDs;
}

/** The sender of a reply (`to` is the sender of the message replied to). */
export interface ReplyOptions {
  from?: string;
}

/** A builder's message: like `Message`, with its body always present. */
export type BuiltMessage<B extends { [key: string]: Json } = { [key: string]: Json }> = Message & { body: B };

export namespace threading {
  /** thid = the parent's thid or id; pthid copied; to = [parent.from] when it has one. */
  function reply<B extends { [key: string]: Json }>(parent: Message, type: string, body?: B, options?: ReplyOptions): BuiltMessage<B> & { thid: string };
  /** pthid = the invitation's id, no thid; to = [invitation.from]. */
  function oobReply<B extends { [key: string]: Json }>(invitation: Message, type: string, body?: B, options?: ReplyOptions): BuiltMessage<B> & { pthid: string };
  /** A copy with please_ack = [message.id]. */
  function pleaseAck<M extends Message>(message: M): M & { please_ack: string[] };
  /** A copy with ack = the ids. */
  function ack<M extends Message>(message: M, messageIds: string | string[]): M & { ack: string[] };
  /** A copy with the return_route header. */
  function returnRoute<M extends Message>(message: M, value: 'none' | 'all' | 'thread'): M & { return_route: 'none' | 'all' | 'thread' };
}

export interface AttachmentOptions {
  id?: string;
  mediaType?: string;
  filename?: string;
  description?: string;
  format?: string;
  /** Seconds since the epoch. */
  lastmodTime?: number;
}

export namespace attachments {
  /** Bytes (or a string, as UTF-8) as base64url without padding; sets byte_count. */
  function base64(data: Uint8Array | string, options?: AttachmentOptions): Attachment & { data: { base64: string } };
  function json(value: Json, options?: AttachmentOptions): Attachment & { data: { json: Json } };
  /** `hash` (a multihash) is required with links. */
  function links(urls: string[], hash: string, options?: AttachmentOptions): Attachment & { data: { links: string[]; hash: string } };
  /** The decoded `data.base64` (url-safe or standard, padded or not); ERR_MALFORMED otherwise. */
  function bytes(attachment: Attachment): Uint8Array;
}

export namespace trustPing {
  const PING: 'https://didcomm.org/trust-ping/2.0/ping';
  const PING_RESPONSE: 'https://didcomm.org/trust-ping/2.0/ping-response';
  interface Ping { kind: 'ping'; id: string; responseRequested: boolean }
  interface PingResponse { kind: 'ping-response'; id: string; thid: string }
  type Parsed = Ping | PingResponse;
  function ping(options?: Addressing & { responseRequested?: boolean }): BuiltMessage<{ response_requested: boolean }>;
  function pingResponse(ping: Message, options?: ReplyOptions): BuiltMessage<{}> & { thid: string };
  function parse(message: Message): Parsed | null;
}

export type FeatureType = 'protocol' | 'goal-code' | 'header';

export namespace discoverFeatures {
  const QUERIES: 'https://didcomm.org/discover-features/2.0/queries';
  const DISCLOSE: 'https://didcomm.org/discover-features/2.0/disclose';
  /** `match` may hold `*` (any run of characters). */
  interface Query { featureType: FeatureType; match: string }
  interface Disclosure { featureType: FeatureType; id: string; roles?: string[] }
  interface Queries {
    kind: 'queries';
    id: string;
    /** As received: feature types outside the three known ones are kept. */
    queries: { featureType: FeatureType | (string & {}); match: string }[];
  }
  interface Disclose {
    kind: 'disclose';
    id: string;
    thid?: string;
    disclosures: { featureType: FeatureType | (string & {}); id: string; roles?: string[] }[];
  }
  type Parsed = Queries | Disclose;
  function queries(options: Addressing & { queries: Query[] }): BuiltMessage<{ queries: { 'feature-type': FeatureType; match: string }[] }>;
  /** The reply (thid) with what `registry` matches; unknown feature types are ignored. */
  function disclose(queries: Message, registry: FeatureRegistryInstance, options?: ReplyOptions): BuiltMessage<{
    disclosures: { 'feature-type': FeatureType; id: string; roles?: string[] }[];
  }> & { thid: string };
  function parse(message: Message): Parsed | null;
  /** The same class as the top-level `FeatureRegistry`. */
  const FeatureRegistry: FeatureRegistryClass;
  type FeatureRegistry = FeatureRegistryInstance;
}
type FeatureRegistryClass = typeof FeatureRegistry;
type FeatureRegistryInstance = FeatureRegistry;

/** What we support, for answering discover-features queries. */
export class FeatureRegistry {
  constructor(features?: {
    /** Protocol URIs (e.g. 'https://didcomm.org/trust-ping/2.0'), with roles when given. */
    protocols?: ({ id: string; roles?: string[] } | string)[];
    goalCodes?: string[];
    headers?: string[];
  });
  readonly protocols: { id: string; roles?: string[] }[];
  readonly goalCodes: string[];
  readonly headers: string[];
  /** The disclosures for one query; [] for an unknown feature type. */
  matches(query: { featureType: string; match: string }): discoverFeatures.Disclosure[];
}

export namespace outOfBand {
  const INVITATION: 'https://didcomm.org/out-of-band/2.0/invitation';
  interface Invitation {
    kind: 'invitation';
    id: string;
    from: string;
    goalCode?: string;
    goal?: string;
    /** [] when the invitation does not say. */
    accept: string[];
    attachments: Attachment[];
  }
  interface InvitationOptions {
    /** The inviter's DID: required. */
    from: string;
    goalCode?: string;
    goal?: string;
    /** Default ['didcomm/v2']. */
    accept?: string[];
    attachments?: Attachment[];
  }
  function invitation(options: InvitationOptions): BuiltMessage<{ goal_code?: string; goal?: string; accept: string[] }> & { from: string };
  /** `baseUrl` with `_oob` = base64url(JSON); other query parameters kept. */
  function invitationUrl(invitation: Message, baseUrl: string): string;
  /** The invitation message of a URL (`_oob` or `oob`; base64url or base64, padded or not). */
  function invitationFromUrl(url: string): Message & { from: string };
  function parse(message: Message): Invitation | null;
}

export namespace problemReport {
  const PROBLEM_REPORT: 'https://didcomm.org/report-problem/2.0/problem-report';
  interface Code {
    sorter: 'error' | 'warning';
    /** 'p' (protocol), 'm' (message) or a state name. */
    scope: string;
    descriptors: string[];
    raw: string;
  }
  interface ProblemReport {
    kind: 'problem-report';
    id: string;
    code: Code;
    comment?: string;
    args: string[];
    escalateTo?: string;
    pthid: string;
    ack?: string[];
  }
  interface ProblemReportOptions extends Addressing {
    /** The thread with the problem: required. */
    pthid: string;
    /** The message(s) that caused it. */
    ack?: string | string[];
    /** sorter.scope.descriptor[.descriptor…], e.g. 'e.p.xfer.cant-use-endpoint'. */
    code: string;
    /** May hold {1}, {2}… filled from args. */
    comment?: string;
    args?: string[];
    escalateTo?: string;
  }
  function problemReport(options: ProblemReportOptions): BuiltMessage<{
    code: string; comment?: string; args?: string[]; escalate_to?: string;
  }> & { pthid: string };
  /** ERR_MALFORMED when `code` breaks the grammar. */
  function parseCode(code: string): Code;
  /** {N} → args[N-1] ('?' when missing); args beyond the highest placeholder appended, ', ' separated. */
  function commentText(comment: string | undefined, args?: string[]): string;
  function parse(message: Message): ProblemReport | null;
}

export namespace basicMessage {
  const MESSAGE: 'https://didcomm.org/basicmessage/2.0/message';
  interface BasicMessage { kind: 'message'; id: string; content: string; lang?: string; createdTime?: number }
  /** created_time = now; `lang` becomes the lang header. */
  function basicMessage(options: Addressing & { content: string; lang?: string }): BuiltMessage<{ content: string }> & { created_time: number; lang?: string };
  function parse(message: Message): BasicMessage | null;
}

export namespace empty {
  const EMPTY: 'https://didcomm.org/empty/1.0/empty';
  interface Empty { kind: 'empty'; id: string }
  function empty(options?: Addressing): BuiltMessage<{}>;
  function parse(message: Message): Empty | null;
}

export namespace mediation {
  type Version = 2 | 3;
  type Action = 'add' | 'remove';
  type Result = 'success' | 'no_change' | 'client_error' | 'server_error';
  interface Update { recipientDid: string; action: Action }
  interface Updated extends Update { result: Result }
  interface RecipientDid { recipientDid: string }
  type Paginate = { limit?: number; offset?: number };
  type Pagination = { count?: number; offset?: number; remaining?: number };
  /** Reply builders default to the version of the message they answer. */
  interface VersionOption { version?: Version }

  interface MediateRequest { kind: 'mediate-request'; version: Version; id: string }
  /** routing_did normalized to a list (2.0 sends a string, 3.0 an array). */
  interface MediateGrant { kind: 'mediate-grant'; version: Version; id: string; thid?: string; routingDid: string[] }
  interface MediateDeny { kind: 'mediate-deny'; version: Version; id: string; thid?: string }
  interface KeylistUpdate { kind: 'keylist-update'; version: 2; id: string; updates: Update[] }
  interface RecipientUpdate { kind: 'recipient-update'; version: 3; id: string; updates: Update[] }
  interface KeylistUpdateResponse { kind: 'keylist-update-response'; version: 2; id: string; thid?: string; updated: Updated[] }
  interface RecipientUpdateResponse { kind: 'recipient-update-response'; version: 3; id: string; thid?: string; updated: Updated[] }
  interface KeylistQuery { kind: 'keylist-query'; version: 2; id: string; paginate?: Paginate }
  interface RecipientQuery { kind: 'recipient-query'; version: 3; id: string; paginate?: Paginate }
  interface Keylist { kind: 'keylist'; version: 2; id: string; thid?: string; keys: RecipientDid[]; pagination?: Pagination }
  interface Recipient { kind: 'recipient'; version: 3; id: string; thid?: string; dids: RecipientDid[]; pagination?: Pagination }
  type Parsed =
    | MediateRequest | MediateGrant | MediateDeny
    | KeylistUpdate | RecipientUpdate | KeylistUpdateResponse | RecipientUpdateResponse
    | KeylistQuery | RecipientQuery | Keylist | Recipient;

  /** Default version 2. */
  function mediateRequest(options?: Addressing & VersionOption): BuiltMessage<{}>;
  /** routingDid: one DID in 2.0 (sent as a string), one or more in 3.0 (sent as an array). */
  function mediateGrant(request: Message, options: ReplyOptions & VersionOption & { routingDid: string | string[] }): BuiltMessage<{ routing_did: string | string[] }> & { thid: string };
  function mediateDeny(request: Message, options?: ReplyOptions & VersionOption): BuiltMessage<{}> & { thid: string };
  /** keylist-update (2.0) or recipient-update (3.0); default version 2. */
  function keylistUpdate(options: Addressing & VersionOption & { updates: Update[] }): BuiltMessage<{ updates: { recipient_did: string; action: Action }[] }>;
  /** recipient-update (3.0) or keylist-update (2.0); default version 3. */
  function recipientUpdate(options: Addressing & VersionOption & { updates: Update[] }): BuiltMessage<{ updates: { recipient_did: string; action: Action }[] }>;
  function keylistUpdateResponse(update: Message, options: ReplyOptions & VersionOption & { updated: Updated[] }): BuiltMessage<{
    updated: { recipient_did: string; action: Action; result: Result }[];
  }> & { thid: string };
  function recipientUpdateResponse(update: Message, options: ReplyOptions & VersionOption & { updated: Updated[] }): BuiltMessage<{
    updated: { recipient_did: string; action: Action; result: Result }[];
  }> & { thid: string };
  /** Default version 2. */
  function keylistQuery(options?: Addressing & VersionOption & { paginate?: Paginate }): BuiltMessage<{ paginate?: Paginate }>;
  /** Default version 3. */
  function recipientQuery(options?: Addressing & VersionOption & { paginate?: Paginate }): BuiltMessage<{ paginate?: Paginate }>;
  /** keylist (2.0, body.keys) or recipient (3.0, body.dids), replying to the query. */
  function keylist(query: Message, options: ReplyOptions & VersionOption & { keys: (RecipientDid | string)[]; pagination?: Pagination }): BuiltMessage & { thid: string };
  function recipient(query: Message, options: ReplyOptions & VersionOption & { dids: (RecipientDid | string)[]; pagination?: Pagination }): BuiltMessage & { thid: string };
  /** The type URI of a message name in a version. */
  function typeOf(name: string, version: Version): string;
  function parse(message: Message): Parsed | null;
}

export namespace pickup {
  interface StatusFields {
    recipientDid?: string;
    longestWaitedSeconds?: number;
    newestReceivedTime?: number;
    oldestReceivedTime?: number;
    totalBytes?: number;
    liveDelivery?: boolean;
  }
  interface StatusRequest { kind: 'status-request'; id: string; recipientDid?: string }
  interface Status extends StatusFields { kind: 'status'; id: string; thid?: string; messageCount: number }
  interface DeliveryRequest { kind: 'delivery-request'; id: string; limit: number; recipientDid?: string }
  interface DeliveredMessage {
    /** The attachment id: the message id to list in messages-received. */
    id: string;
    /** The packed message as JSON text, for `unpack`. */
    packed: string;
    /** The same, parsed. */
    message: { [key: string]: Json };
  }
  interface Delivery { kind: 'delivery'; id: string; thid?: string; recipientDid?: string; messages: DeliveredMessage[] }
  interface MessagesReceived { kind: 'messages-received'; id: string; thid?: string; messageIdList: string[] }
  interface LiveDeliveryChange { kind: 'live-delivery-change'; id: string; liveDelivery: boolean }
  type Parsed = StatusRequest | Status | DeliveryRequest | Delivery | MessagesReceived | LiveDeliveryChange;

  /**
   * Status, delivery and messages-received reply (thid) to `request` when it is a message;
   * with null they are new messages to `options.to`.
   */
  type Answer<O> = ((request: Message, options: O & ReplyOptions) => BuiltMessage & { thid: string })
    & ((request: null, options: O & Addressing) => BuiltMessage);

  function statusRequest(options?: Addressing & { recipientDid?: string }): BuiltMessage<{ recipient_did?: string }>;
  const status: Answer<StatusFields & { messageCount: number }>;
  function deliveryRequest(options: Addressing & { limit: number; recipientDid?: string }): BuiltMessage<{ limit: number; recipient_did?: string }>;
  /** `messages`: [id, packed] pairs (packed: the JSON text or its object). */
  const delivery: Answer<{ messages: [string, string | object][]; recipientDid?: string }>;
  const messagesReceived: Answer<{ messageIdList: string[] }>;
  function liveDeliveryChange(options: Addressing & { liveDelivery: boolean }): BuiltMessage<{ live_delivery: boolean }>;
  function typeOf(name: string): string;
  function parse(message: Message): Parsed | null;
}

// --- Agent (js/agent.js): a client of any mediator, over fetch and WebSocket ---

/** What `agent.state()` returns: the identity (private keys included) and its route. Store it safely. */
export interface AgentState {
  version: 1;
  /** The DID others send to, routed through the mediator. */
  did: string | null;
  /** The DID that holds the mediation (requests mediation, picks up). */
  controlDid: string | null;
  mediatorDid: string | null;
  routingDid: string | null;
  secrets: PrivateJWK[];
  /** Recently delivered ids, so a restarted agent does not hand a message over twice. */
  seen: string[];
}

export interface AgentOptions {
  /** From an earlier `agent.state()`: come back as the same agent. */
  state?: AgentState;
  didResolver?: DIDResolver;
  fetch?: FetchLike;
  WebSocket?: WebSocketConstructor;
  /** 'auto' (default): live delivery over WebSocket when the mediator offers it, else polling. */
  transport?: 'auto' | 'websocket' | 'polling';
  /** Coordinate-mediation versions, preferred first. Default [3, 2]. */
  mediationVersions?: (2 | 3)[];
  /** How long to wait for a reply, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Polling interval when there is no live delivery, in ms. Default 2 000. */
  pollIntervalMs?: number;
  /**
   * As `DIDCommOptions.limits`. `maxPackedBytes` defaults to 4 × `DEFAULT_LIMITS.maxPackedBytes`:
   * a mediator's delivery wraps each message in base64 and encryption again (about 1.8× its size).
   */
  limits?: Partial<Limits>;
}

export interface MediatorInfo {
  did: string;
  /** The mediator's http(s) and ws(s) endpoints (null when it has none). */
  http: string | null;
  ws: string | null;
  /** The coordinate-mediation version in use. */
  version: 2 | 3;
  /** The DID our DID's service routes through (from the grant). */
  routingDid: string;
  transport: 'websocket' | 'polling';
}

/** One message handed to the application. */
export interface IncomingMessage {
  message: Message;
  metadata: UnpackMetadata;
  /** The envelope as received. */
  packed: string;
}

export type AgentStatus = 'idle' | 'connecting' | 'live' | 'polling' | 'reconnecting' | 'closed';

export class Agent implements AsyncIterable<IncomingMessage> {
  constructor(options?: AgentOptions);
  /** Null until the first `connect` (or from `options.state`). */
  readonly did: string | null;
  readonly mediator: MediatorInfo | null;
  readonly status: AgentStatus;
  /** The DIDComm instance holding this agent's secrets. */
  readonly didcomm: DIDComm;
  state(): AgentState;
  /** An out-of-band URL, an invitation message or the mediator's DID. */
  connect(target: string | Message): Promise<MediatorInfo>;
  /** Packs for `to` (authcrypt from this agent), wraps for its mediators and delivers. */
  send(message: Message, options: Omit<PackEncryptedOptions, 'to'> & { to: string }): Promise<{ id: string; packed: string; metadata: PackEncryptedMetadata }>;
  /**
   * DID rotation: a new DID (routed through the same mediator) replaces `did`; each of
   * `notify` gets an empty message from it with `from_prior`. The prior DID keeps receiving.
   */
  rotate(options?: { notify?: string[] }): Promise<{ prior: string; did: string }>;
  /** Trust ping; resolves to the round trip in ms. */
  ping(to: string, options?: { timeoutMs?: number }): Promise<number>;
  discover(to: string, queries?: discoverFeatures.Query[], options?: { timeoutMs?: number }): Promise<discoverFeatures.Disclosure[]>;
  on(event: 'message', listener: (event: IncomingMessage) => unknown): this;
  on(event: 'error', listener: (error: DIDCommError) => void): this;
  on(event: 'state', listener: (status: AgentStatus) => void): this;
  off(event: 'message' | 'error' | 'state', listener: (...args: any[]) => unknown): this;
  messages(): AsyncIterableIterator<IncomingMessage>;
  [Symbol.asyncIterator](): AsyncIterator<IncomingMessage>;
  close(): Promise<void>;
}
