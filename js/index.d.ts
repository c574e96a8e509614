// didcomm-wasm: DIDComm Messaging v2.1 for browsers and Node.

/** Stable error codes, one per core error kind. */
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
  | 'ERR_INTERNAL';

/** Every rejection of this package. `cause` holds what a resolver threw, when one did. */
export class DIDCommError extends Error {
  constructor(code: DIDCommErrorCode, message: string, options?: { cause?: unknown });
  readonly name: 'DIDCommError';
  readonly code: DIDCommErrorCode;
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
  /** Adds or replaces a private JWK with `kid`; its x/y must match its d. */
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
}

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
