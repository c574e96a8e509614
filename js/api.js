// The public API over one wasm build (web or nodejs). A thin layer: argument checks that
// give DIDCommError instead of wasm glue errors, error conversion, and did:web (a fetch
// is the platform's job; the URL rules are in the core). All DIDComm work happens in the
// Rust core.
import { servesMasks } from './crypto/codes.js';
import { DIDCommError, toDIDCommError } from './error.js';

const illegal = (message) => new DIDCommError('ERR_ILLEGAL_ARGUMENT', message);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const BUILTIN_METHODS = ['key', 'peer', 'web'];

const rethrow = (e) => {
  throw toDIDCommError(e);
};

/**
 * `fn()`'s promise, its value through `read` (which cannot fail: it shapes what the core
 * returned), any failure (a rejection or a throw) as a DIDCommError. One reaction, not two.
 */
function call(fn, read) {
  try {
    return fn().then(read, rethrow);
  } catch (e) {
    return Promise.reject(toDIDCommError(e));
  }
}

function sync(fn) {
  try {
    return fn();
  } catch (e) {
    throw toDIDCommError(e);
  }
}

/**
 * Fetches and checks the document of a did:web. Not found (404, 410) is null; other
 * failures throw, and the core reports them with the DID (codes are kept).
 */
async function resolveWeb(wasm, did, fetchFn) {
  const url = sync(() => wasm.didWebUrl(did));
  if (typeof fetchFn !== 'function') {
    throw new DIDCommError('ERR_UNSUPPORTED', `${did}: did:web needs fetch (pass options.fetch)`);
  }
  let response;
  try {
    response = await fetchFn(url, { headers: { accept: 'application/did+json, application/json' } });
  } catch (e) {
    throw new Error(`GET ${url} failed: ${e?.message ?? e}`, { cause: e });
  }
  if (response.status === 404 || response.status === 410) return null;
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  let doc;
  try {
    doc = JSON.parse(await response.text());
  } catch (e) {
    throw new DIDCommError('ERR_MALFORMED', `the document at ${url} is not JSON`, { cause: e });
  }
  if (!isObject(doc)) throw new DIDCommError('ERR_MALFORMED', `the document at ${url} is not a JSON object`);
  if (doc.id !== did) {
    throw new DIDCommError('ERR_INCONSISTENT', `the document at ${url} has id ${JSON.stringify(doc.id)}, not ${did}`);
  }
  return doc;
}

/**
 * `{ message, metadata }` from what the core's unpack resolves to (`unpack_result` in
 * src/wasm/mod.rs): the message as JSON and the metadata as values, which JS turns into an
 * object faster than it parses one. Members in the order they have always had (sorted),
 * absent ones left out.
 */
function unpacked([text, flags, encAlgAnon, encAlgAuth, encryptedFromKid, encryptedToKids, fromPrior,
  fromPriorIssuerKid, signAlg, signFrom, signedMessage]) {
  const metadata = { anonymousSender: (flags & 8) !== 0, authenticated: (flags & 2) !== 0 };
  if (encAlgAnon !== undefined) metadata.encAlgAnon = encAlgAnon;
  if (encAlgAuth !== undefined) metadata.encAlgAuth = encAlgAuth;
  metadata.encrypted = (flags & 1) !== 0;
  if (encryptedFromKid !== undefined) metadata.encryptedFromKid = encryptedFromKid;
  if (encryptedToKids !== undefined) metadata.encryptedToKids = encryptedToKids;
  if (fromPrior !== undefined) metadata.fromPrior = fromPrior;
  if (fromPriorIssuerKid !== undefined) metadata.fromPriorIssuerKid = fromPriorIssuerKid;
  metadata.nonRepudiation = (flags & 4) !== 0;
  metadata.reWrappedInForward = (flags & 16) !== 0;
  if (signAlg !== undefined) metadata.signAlg = signAlg;
  if (signFrom !== undefined) metadata.signFrom = signFrom;
  if (signedMessage !== undefined) metadata.signedMessage = signedMessage;
  return { message: JSON.parse(text), metadata };
}

/**
 * A message's JSON text for the core, which checks the message itself (an object, the
 * text's headers): `JSON.stringify` is called here, since a call out to it from the wasm
 * costs more than the stringify on a small message. Not for a non-object (the core says
 * what it is instead), and a message that cannot be written is an ERR_ILLEGAL_ARGUMENT.
 */
function messageJson(message) {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return undefined;
  try {
    return JSON.stringify(message);
  } catch (e) {
    throw illegal(`message cannot be serialized to JSON: ${e?.message ?? e}`);
  }
}

/** `{ packed, metadata }` of packSigned from the core's values (`pack_signed` in src/wasm/mod.rs). */
function packedSigned([packed, signByKid, signAlg]) {
  return { packed, metadata: { signAlg, signByKid } };
}

/**
 * `{ packed, metadata }` of packEncrypted from the core's values (`encrypted_result` in
 * src/wasm/mod.rs); members sorted as they have always been, absent ones left out.
 */
function packedEncrypted([packed, fromKid, toKids, signByKid, serviceId, serviceUri, routingKeys]) {
  const metadata = {};
  if (fromKid !== undefined) metadata.fromKid = fromKid;
  if (serviceId !== undefined) metadata.messagingService = { id: serviceId, routingKeys, uri: serviceUri };
  if (signByKid !== undefined) metadata.signByKid = signByKid;
  metadata.toKids = toKids;
  return { packed, metadata };
}

/** The options' builtinMethods as a set (default: all). */
function builtinSet(methods) {
  if (methods === undefined) return new Set(BUILTIN_METHODS);
  if (!Array.isArray(methods) || methods.some((m) => !BUILTIN_METHODS.includes(m))) {
    throw illegal(`options.builtinMethods must be an array of ${BUILTIN_METHODS.map((m) => `'${m}'`).join(', ')}`);
  }
  return new Set(methods);
}

/**
 * The resolver the core calls for every DID its wasm built-ins (did:key, did:peer) do
 * not answer: did:web over fetch, then the caller's resolver.
 */
function jsResolver(wasm, didResolver, web, fetchFn) {
  if (didResolver !== undefined && (!isObject(didResolver) || typeof didResolver.resolve !== 'function')) {
    throw illegal('didResolver must have a resolve(did) method');
  }
  return {
    resolve(did) {
      if (web && did.startsWith('did:web:')) return resolveWeb(wasm, did, fetchFn);
      return didResolver ? didResolver.resolve(did) : null;
    },
  };
}

/**
 * The public API over one wasm build. `platform` is the crypto backend of the runtime
 * (js/crypto/node.js or js/crypto/web.js); it serves primitives from the start.
 */
export function createApi(wasm, platform = null) {
  const storeCores = new WeakMap();

  /** An in-memory secrets store; the keys live inside wasm and leave only by `export()`. */
  class SecretsStore {
    constructor(jwks = []) {
      if (!Array.isArray(jwks)) throw illegal('new SecretsStore(jwks): jwks must be an array of private JWKs');
      storeCores.set(this, new wasm.SecretsStoreCore());
      for (const jwk of jwks) this.add(jwk);
    }

    /** A store from what `export()` returned, or its JSON text. */
    static import(data) {
      let jwks = data;
      if (typeof data === 'string') {
        try {
          jwks = JSON.parse(data);
        } catch (e) {
          throw new DIDCommError('ERR_MALFORMED', `SecretsStore.import: not JSON (${e.message})`, { cause: e });
        }
      }
      if (!Array.isArray(jwks)) throw illegal('SecretsStore.import(data): data must be an array of private JWKs or its JSON');
      return new SecretsStore(jwks);
    }

    /** Adds or replaces a private JWK (with `kid`). Returns the store. */
    add(jwk) {
      if (!isObject(jwk)) throw illegal('SecretsStore.add(jwk): jwk must be a private JWK object');
      sync(() => storeCores.get(this).add(jwk));
      return this;
    }

    /** Removes the secret for `kid`; true if there was one. */
    remove(kid) {
      if (typeof kid !== 'string') throw illegal('SecretsStore.remove(kid): kid must be a string');
      return storeCores.get(this).remove(kid);
    }

    has(kid) {
      return typeof kid === 'string' && storeCores.get(this).has(kid);
    }

    /** The kids held, sorted. */
    kids() {
      return storeCores.get(this).kids();
    }

    /** Every secret as a private JWK with its kid, sorted by kid: for persisting the store. */
    export() {
      return storeCores.get(this).export();
    }
  }

  class DIDComm {
    #core;

    /**
     * @param {{ didResolver?: object, secretsResolver?: object, builtinMethods?: string[],
     *   fetch?: Function, limits?: object }} options
     */
    constructor(options = {}) {
      if (!isObject(options)) {
        throw illegal('new DIDComm(options): options must be { didResolver?, secretsResolver?, builtinMethods?, fetch?, limits? }');
      }
      const { limits } = options;
      const { didResolver, secretsResolver = new SecretsStore(), builtinMethods } = options;
      const builtins = builtinSet(builtinMethods);
      if (options.fetch !== undefined && typeof options.fetch !== 'function') {
        throw illegal('options.fetch must be a function like globalThis.fetch');
      }
      const fetchFn = options.fetch ?? globalThis.fetch?.bind(globalThis);
      const resolver = jsResolver(wasm, didResolver, builtins.has('web'), fetchFn);
      const [key, peer] = [builtins.has('key'), builtins.has('peer')];
      this.#core = sync(() => {
        if (secretsResolver instanceof SecretsStore) {
          return wasm.DIDCommCore.withStore(resolver, storeCores.get(secretsResolver), key, peer, limits);
        }
        return new wasm.DIDCommCore(resolver, secretsResolver, key, peer, limits);
      });
    }

    packPlaintext(message) {
      return call(() => this.#core.packPlaintext(message, messageJson(message)));
    }

    packSigned(message, options) {
      return call(() => this.#core.packSigned(message, messageJson(message), options), packedSigned);
    }

    packEncrypted(message, options) {
      return call(() => this.#core.packEncrypted(message, messageJson(message), options), packedEncrypted);
    }

    /**
     * DID rotation: a from_prior JWT from the prior DID `iss` to the new DID `sub`, signed
     * with `issuerKid` or the first authentication key of `iss` whose secret is held.
     * `iat` defaults to now (seconds). Resolves to `{ jwt, issuerKid }`.
     */
    packFromPrior(claims, options = {}) {
      if (!isObject(claims)) return Promise.reject(illegal('packFromPrior(claims, options): claims must be { iss, sub, iat? }'));
      if (!isObject(options)) return Promise.reject(illegal('packFromPrior(claims, options): options must be { issuerKid? }'));
      if (options.issuerKid !== undefined && typeof options.issuerKid !== 'string') {
        return Promise.reject(illegal('packFromPrior(claims, { issuerKid }): issuerKid must be a string'));
      }
      const full = claims.iat === undefined ? { ...claims, iat: Math.floor(Date.now() / 1000) } : claims;
      return call(() => this.#core.packFromPrior(full, options.issuerKid));
    }

    unpack(packed, options) {
      return call(() => this.#core.unpack(packed, options), unpacked);
    }

    /** Wraps a packed message in anoncrypted forwards for `routingKeys` (last key first). */
    wrapInForward(packed, options) {
      return call(() => this.#core.wrapInForward(packed, options));
    }

    /** The DID document of `did`, as this instance resolves it (built-ins, then didResolver). */
    resolveDID(did) {
      if (typeof did !== 'string') return Promise.reject(illegal('resolveDID(did): did must be a string'));
      return call(() => this.#core.resolve(did));
    }
  }

  // Without options every call shares one instance, and so its cache of built-in documents.
  let plain;
  /** Resolves a DID with the built-in methods (and options.didResolver for the rest). */
  const resolveDID = (did, options) => {
    if (options === undefined) {
      plain ??= new DIDComm();
      return plain.resolveDID(did);
    }
    if (!isObject(options)) return Promise.reject(illegal('resolveDID(did, options): options must be an object'));
    return call(() => new DIDComm({ ...options, secretsResolver: new SecretsStore() }).resolveDID(did));
  };

  /** A new did:peer:2 (default) or did:peer:4 with fresh keys: `{ did, document, secrets }`. */
  const createPeerDID = (options = {}) => {
    if (!isObject(options)) throw illegal('createPeerDID(options): options must be an object');
    return sync(() => wasm.createPeerDid(options));
  };

  /** A new did:key (default Ed25519, which also agrees keys over X25519). */
  const createKeyDID = (curve = 'Ed25519') => sync(() => wasm.createKeyDid(curve));

  /** A fresh private JWK on `curve` (default X25519); `kid` is set when given. */
  const generateKey = (curve = 'X25519', { kid } = {}) => {
    const jwk = sync(() => wasm.generateKey(curve));
    if (kid !== undefined) {
      if (typeof kid !== 'string') throw illegal('generateKey(curve, { kid }): kid must be a string');
      jwk.kid = kid;
    }
    return jwk;
  };

  /** `{ next, forwarded }` of a forward message (as unpack returns it), or null for any other message. */
  const parseForward = (message) => sync(() => wasm.parseForward(message));

  let backend = 'rust';
  /**
   * Which implementation serves the cryptographic primitives: 'platform' (the runtime's own
   * crypto where it is faster, the Rust crates for the rest), 'rust' (the Rust crates
   * alone), or a backend object of your own (the contract of js/crypto/node.js). Returns
   * the previous choice.
   */
  const useCrypto = (which) => {
    const custom = which !== null && typeof which === 'object';
    if (!custom && which !== 'platform' && which !== 'rust') {
      throw illegal("useCrypto(which): which must be 'platform', 'rust' or a backend object");
    }
    const previous = backend;
    const chosen = which === 'platform' ? platform : custom ? which : null;
    wasm.useCryptoBackend(chosen, servesMasks(chosen?.serves));
    backend = which;
    return previous;
  };
  if (platform) useCrypto('platform');

  /** The limits of a `DIDComm` made without `options.limits` (each can be replaced there). */
  const DEFAULT_LIMITS = Object.freeze(wasm.defaultLimits());

  /** Bytes of wasm linear memory (it never shrinks; a leak shows as growth). */
  const wasmMemoryBytes = () => wasm.wasmMemoryBytes();

  /**
   * POSTs `body` to `url` as `contentType`: `{ status, contentType, body, url }` for a 2xx
   * answer. 307 and 308 are followed (5 at most); anything else rejects with ERR_TRANSPORT
   * (an HTTP error status with `status` and `body` on the error).
   */
  const httpPost = (url, body, contentType, options = {}) => {
    const usage = 'httpPost(url, body, contentType, options)';
    if (typeof url !== 'string') return Promise.reject(illegal(`${usage}: url must be a string`));
    if (typeof body !== 'string') return Promise.reject(illegal(`${usage}: body must be a string`));
    if (typeof contentType !== 'string') return Promise.reject(illegal(`${usage}: contentType must be a string`));
    if (!isObject(options)) return Promise.reject(illegal(`${usage}: options must be { timeoutMs?, fetch? }`));
    const { timeoutMs, fetch } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0 && timeoutMs < 2 ** 32)) {
      return Promise.reject(illegal(`${usage}: options.timeoutMs must be a positive number of milliseconds`));
    }
    if (fetch !== undefined && typeof fetch !== 'function') {
      return Promise.reject(illegal(`${usage}: options.fetch must be a function like globalThis.fetch`));
    }
    return call(() => wasm.httpPost(url, body, contentType, options));
  };

  /**
   * A WebSocket that reconnects (exponential backoff with jitter) until `close()`. Text
   * frames; binary frames reach `onMessage` as UTF-8 text.
   */
  class Socket {
    #core;

    constructor(url, handlers, options = {}) {
      const usage = 'new Socket(url, handlers, options)';
      if (typeof url !== 'string') throw illegal(`${usage}: url must be a string`);
      if (!isObject(handlers) || typeof handlers.onMessage !== 'function') {
        throw illegal(`${usage}: handlers must be { onMessage(text), onOpen?(), onClose?(info) }`);
      }
      for (const name of ['onOpen', 'onClose']) {
        if (handlers[name] !== undefined && typeof handlers[name] !== 'function') {
          throw illegal(`${usage}: handlers.${name} must be a function`);
        }
      }
      if (!isObject(options)) throw illegal(`${usage}: options must be { WebSocket?, reconnect?, initialDelayMs?, maxDelayMs? }`);
      if (options.WebSocket !== undefined && typeof options.WebSocket !== 'function') {
        throw illegal(`${usage}: options.WebSocket must be a WebSocket constructor`);
      }
      if (options.reconnect !== undefined && typeof options.reconnect !== 'boolean') {
        throw illegal(`${usage}: options.reconnect must be a boolean`);
      }
      for (const name of ['initialDelayMs', 'maxDelayMs']) {
        const ms = options[name];
        if (ms !== undefined && !(Number.isFinite(ms) && ms >= 0)) {
          throw illegal(`${usage}: options.${name} must be a number of milliseconds`);
        }
      }
      this.#core = sync(() => new wasm.SocketCore(url, handlers, options));
    }

    /** Sends a text frame; ERR_TRANSPORT when the socket is not open. */
    send(text) {
      if (typeof text !== 'string') throw illegal('Socket.send(text): text must be a string');
      sync(() => this.#core.send(text));
    }

    /** Closes for good: no reconnection; onClose follows with reconnectInMs null. */
    close(code, reason) {
      if (code !== undefined && !(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
        throw illegal('Socket.close(code, reason): code must be 1000 or in 3000-4999');
      }
      if (reason !== undefined && (typeof reason !== 'string' || new TextEncoder().encode(reason).length > 123)) {
        throw illegal('Socket.close(code, reason): reason must be a string of at most 123 bytes of UTF-8');
      }
      this.#core.close(code, reason);
    }

    /** 'connecting', 'open', 'waiting' (between attempts) or 'closed'. */
    get state() {
      return this.#core.state;
    }

    get url() {
      return this.#core.url;
    }
  }

  return {
    DIDComm, SecretsStore, resolveDID, createPeerDID, createKeyDID, generateKey, parseForward, wasmMemoryBytes,
    httpPost, Socket, useCrypto, platformCrypto: platform, DEFAULT_LIMITS,
  };
}
