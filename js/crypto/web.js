// The crypto backend for browsers: WebCrypto serves what its native code does far faster
// than the wasm, even at the 30-100 µs an awaited call costs: content encryption of large
// payloads; ECDH, key generation and ES256 on the NIST curves (the wasm's P-256 takes about
// a millisecond per scalar multiplication); X25519 and Ed25519 signing (Chromium: ~47 µs
// per awaited X25519, ~34 µs per signature, against ~200 µs for the wasm at opt-level
// "s"), and Ed25519 verification (the core holds a yes to dalek's strict rules, ~10 µs, and
// asks dalek again on a no). Where a browser lacks X25519 or Ed25519 in WebCrypto, the first
// failure turns that curve off and the Rust crates serve it. secp256k1, XC20P and small
// payloads stay in the Rust crates. The contract is the one in
// js/crypto/node.js; here results are promises, and every input view into wasm memory is copied (by WebCrypto,
// or by us) before the first await.
import { CURVES, ENCS } from './codes.js';

/** Below this many bytes the wasm is faster than a round trip through WebCrypto. */
export const BULK_MIN = 16 * 1024;

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** HMAC-SHA-512 over AAD ‖ IV ‖ ciphertext ‖ AL, truncated to 32 bytes (RFC 7518 §5.2.2.1). */
async function cbcHmacTag(subtle, macKey, aad, iv, ciphertext) {
  const al = new Uint8Array(8);
  new DataView(al.buffer).setBigUint64(0, BigInt(aad.length) * 8n);
  const key = await subtle.importKey('raw', macKey, { name: 'HMAC', hash: 'SHA-512' }, false, ['sign']);
  const mac = await subtle.sign('HMAC', key, concat(aad, iv, ciphertext, al));
  return new Uint8Array(mac, 0, 32);
}

function equalConstantTime(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Takes copies: the caller's views into wasm memory may be detached by the first await. */
async function encryptCbcHs512(subtle, cek, iv, aad, plaintext) {
  const encKey = await subtle.importKey('raw', cek.subarray(32), 'AES-CBC', false, ['encrypt']);
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, encKey, plaintext));
  const tag = await cbcHmacTag(subtle, cek.subarray(0, 32), aad, iv, ciphertext);
  cek.fill(0);
  return concat(ciphertext, tag);
}

/** Takes copies, as encryptCbcHs512 does. */
async function decryptCbcHs512(subtle, cek, iv, aad, ciphertext, tag) {
  try {
    const expected = await cbcHmacTag(subtle, cek.subarray(0, 32), aad, iv, ciphertext);
    if (!equalConstantTime(expected, tag)) return false;
    const encKey = await subtle.importKey('raw', cek.subarray(32), 'AES-CBC', false, ['decrypt']);
    return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv }, encKey, ciphertext));
  } finally {
    cek.fill(0);
  }
}

/** Takes copies, as encryptCbcHs512 does. */
async function gcm(subtle, op, cek, iv, aad, data) {
  try {
    const key = await subtle.importKey('raw', cek, 'AES-GCM', false, [op]);
    return new Uint8Array(await subtle[op]({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, key, data));
  } finally {
    cek.fill(0);
  }
}

const FIELD = { X25519: 32, Ed25519: 32, 'P-256': 32, 'P-384': 48, 'P-521': 66 };
const OKP = new Set(['X25519', 'Ed25519']);
/** WebCrypto's algorithm of a key on `curve` used for `name` (ECDH or ECDSA). */
const algorithm = (name, curve) => (OKP.has(curve) ? { name: curve } : { name, namedCurve: curve });
const PUBLIC_CACHE = 512;

const b64u = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromB64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/** Rejected promises mean "failed authentication" for decrypt. */
const orFalse = (promise) => promise.catch(() => false);

/** `subtle` is the page's WebCrypto (a stand-in only in tests). */
export function createWebBackend(subtle = globalThis.crypto?.subtle) {
  if (!subtle) return null;
  /** id → { curve, jwk?, keys: { ECDH?: Promise<CryptoKey>, ECDSA?: Promise<CryptoKey> } } */
  const held = new Map();
  const publics = new Map();
  /** OKP curves this browser's WebCrypto turned out to lack (see `served`). */
  const lacking = new Set();

  /**
   * `run()`, unless `curve` is one this browser's WebCrypto lacks: then null, declined
   * without asking for the key as `undefined` would (the Rust crates serve). The first
   * NotSupportedError on an OKP curve marks it as lacking; that call's promise still
   * rejects, and the core's reference implementation answers it.
   */
  function served(curve, run) {
    if (!OKP.has(curve)) return run();
    if (lacking.has(curve)) return null;
    const result = run();
    result.catch((e) => { if (e?.name === 'NotSupportedError') lacking.add(curve); });
    return result;
  }

  /** The held key as a CryptoKey for `name` (ECDH or ECDSA), imported on first use. */
  function privateKey(entry, name) {
    if (!entry.keys[name]) {
      const usage = name === 'ECDH' ? ['deriveBits'] : ['sign'];
      entry.keys[name] = subtle.importKey('jwk', entry.jwk, algorithm(name, entry.curve), false, usage);
    }
    return entry.keys[name];
  }

  function publicKey(name, curve, bytes) {
    const cacheKey = `${name}${curve}${String.fromCharCode(...bytes)}`;
    let key = publics.get(cacheKey);
    if (!key) {
      // NIST points as uncompressed SEC1 (0x04 ‖ x ‖ y), OKP keys as their bytes.
      const raw = OKP.has(curve) ? bytes.slice() : concat(Uint8Array.of(4), bytes);
      key = subtle.importKey('raw', raw, algorithm(name, curve), false, name === 'ECDH' ? [] : ['verify']);
      key.catch(() => publics.delete(cacheKey));
      if (publics.size >= PUBLIC_CACHE) publics.delete(publics.keys().next().value);
      publics.set(cacheKey, key);
    }
    return key;
  }

  return {
    serves: {
      importPublic: ['X25519', 'Ed25519', 'P-256', 'P-384', 'P-521'],
      generate: ['X25519', 'P-256', 'P-384', 'P-521'],
      agree: ['X25519', 'P-256', 'P-384', 'P-521'],
      sign: ['Ed25519', 'P-256'],
      verify: ['Ed25519', 'P-256'],
      encrypt: ['A256CBC-HS512', 'A256GCM'],
      decrypt: ['A256CBC-HS512', 'A256GCM'],
    },

    importSecret(id, curveCode, d, xy) {
      const curve = CURVES[curveCode];
      const n = FIELD[curve];
      const jwk = OKP.has(curve)
        ? { kty: 'OKP', crv: curve, d: b64u(d), x: b64u(xy) }
        : { kty: 'EC', crv: curve, d: b64u(d), x: b64u(xy.subarray(0, n)), y: b64u(xy.subarray(n)) };
      held.set(id, { curve, jwk, keys: {} });
    },

    forget(id) {
      held.delete(id);
    },

    generate(id, curveCode) {
      const curve = CURVES[curveCode];
      return served(curve, () => {
        const entry = { curve, keys: {} };
        held.set(id, entry);
        const pair = subtle.generateKey(algorithm('ECDH', curve), true, ['deriveBits']);
        entry.keys.ECDH = pair.then((p) => p.privateKey);
        // A failed generation is this call's rejection; the id is not held.
        entry.keys.ECDH.catch(() => { if (held.get(id) === entry) held.delete(id); });
        // The private JWK's d, x (and y): d ‖ x (‖ y), each at the field's length.
        return pair.then((p) => subtle.exportKey('jwk', p.privateKey)).then((jwk) => {
          const parts = OKP.has(curve) ? [jwk.d, jwk.x] : [jwk.d, jwk.x, jwk.y];
          const n = FIELD[curve];
          const out = new Uint8Array(parts.length * n);
          parts.forEach((part, i) => out.set(fromB64u(part), i * n));
          return out;
        });
      });
    },

    agree(id, curveCode, publicBytes) {
      const entry = held.get(id);
      if (!entry) return undefined;
      const curve = CURVES[curveCode];
      return served(curve, () => {
        const pub = publicKey('ECDH', curve, publicBytes);
        return Promise.all([privateKey(entry, 'ECDH'), pub])
          .then(([key, peer]) => subtle.deriveBits({ ...algorithm('ECDH', curve), public: peer }, key, FIELD[curve] * 8))
          .then((bits) => new Uint8Array(bits));
      });
    },

    sign(id, curveCode, message) {
      const entry = held.get(id);
      if (!entry) return undefined;
      const data = message.slice();
      // Ed25519 signatures are deterministic: WebCrypto's are dalek's, byte for byte.
      const alg = entry.curve === 'Ed25519' ? 'Ed25519' : { name: 'ECDSA', hash: 'SHA-256' };
      return served(entry.curve, () => privateKey(entry, 'ECDSA')
        .then((key) => subtle.sign(alg, key, data))
        .then((sig) => new Uint8Array(sig)));
    },

    verify(curveCode, publicBytes, message, signature) {
      const curve = CURVES[curveCode];
      const [data, sig] = [message.slice(), signature.slice()];
      // Ed25519: the core adds dalek's strict rules to a yes, and asks dalek again on a no.
      const alg = curve === 'Ed25519' ? 'Ed25519' : { name: 'ECDSA', hash: 'SHA-256' };
      return served(curve, () => publicKey('ECDSA', curve, publicBytes)
        .then((key) => subtle.verify(alg, key, sig, data)));
    },

    encrypt(encCode, cek, iv, aad, plaintext) {
      if (plaintext.length < BULK_MIN) return undefined;
      const copies = [cek.slice(), iv.slice(), aad.slice(), plaintext.slice()];
      return ENCS[encCode] === 'A256GCM' ? gcm(subtle, 'encrypt', ...copies) : encryptCbcHs512(subtle, ...copies);
    },

    decrypt(encCode, cek, iv, aad, ciphertext, tag) {
      if (ciphertext.length < BULK_MIN) return undefined;
      if (ENCS[encCode] === 'A256GCM') {
        return orFalse(gcm(subtle, 'decrypt', cek.slice(), iv.slice(), aad.slice(), concat(ciphertext, tag)));
      }
      return orFalse(decryptCbcHs512(subtle, cek.slice(), iv.slice(), aad.slice(), ciphertext.slice(), tag.slice()));
    },
  };
}
