// The crypto backend for browsers: WebCrypto serves what its native code does far faster
// than the wasm, even at the 30-100 µs an awaited call costs: content encryption of large
// payloads, and ECDH, key generation and ES256 on the NIST curves (the wasm's P-256 takes
// about a millisecond per scalar multiplication). X25519, Ed25519, secp256k1, XC20P and
// small payloads stay in the Rust crates. The contract is the one in js/crypto/node.js;
// here results are promises, and every input view into wasm memory is copied (by WebCrypto,
// or by us) before the first await.
import { CURVES, ENCS } from './codes.js';

/** Below this many bytes the wasm is faster than a round trip through WebCrypto. */
export const BULK_MIN = 16 * 1024;

const subtle = globalThis.crypto?.subtle;

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
async function cbcHmacTag(macKey, aad, iv, ciphertext) {
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
async function encryptCbcHs512(cek, iv, aad, plaintext) {
  const encKey = await subtle.importKey('raw', cek.subarray(32), 'AES-CBC', false, ['encrypt']);
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, encKey, plaintext));
  const tag = await cbcHmacTag(cek.subarray(0, 32), aad, iv, ciphertext);
  cek.fill(0);
  return concat(ciphertext, tag);
}

/** Takes copies, as encryptCbcHs512 does. */
async function decryptCbcHs512(cek, iv, aad, ciphertext, tag) {
  try {
    const expected = await cbcHmacTag(cek.subarray(0, 32), aad, iv, ciphertext);
    if (!equalConstantTime(expected, tag)) return false;
    const encKey = await subtle.importKey('raw', cek.subarray(32), 'AES-CBC', false, ['decrypt']);
    return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv }, encKey, ciphertext));
  } finally {
    cek.fill(0);
  }
}

/** Takes copies, as encryptCbcHs512 does. */
async function gcm(op, cek, iv, aad, data) {
  try {
    const key = await subtle.importKey('raw', cek, 'AES-GCM', false, [op]);
    return new Uint8Array(await subtle[op]({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, key, data));
  } finally {
    cek.fill(0);
  }
}

const FIELD = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
const PUBLIC_CACHE = 512;

const b64u = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromB64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/** Rejected promises mean "failed authentication" for decrypt. */
const orFalse = (promise) => promise.catch(() => false);

export function createWebBackend() {
  if (!subtle) return null;
  /** id → { curve, jwk?, keys: { ECDH?: Promise<CryptoKey>, ECDSA?: Promise<CryptoKey> } } */
  const held = new Map();
  const publics = new Map();

  /** The held key as a CryptoKey for `name` (ECDH or ECDSA), imported on first use. */
  function privateKey(entry, name) {
    if (!entry.keys[name]) {
      const usage = name === 'ECDH' ? ['deriveBits'] : ['sign'];
      entry.keys[name] = subtle.importKey('jwk', entry.jwk, { name, namedCurve: entry.curve }, false, usage);
    }
    return entry.keys[name];
  }

  function publicKey(name, curve, bytes) {
    const cacheKey = `${name}${curve}${String.fromCharCode(...bytes)}`;
    let key = publics.get(cacheKey);
    if (!key) {
      const raw = new Uint8Array(bytes.length + 1);
      raw[0] = 4;
      raw.set(bytes, 1);
      key = subtle.importKey('raw', raw, { name, namedCurve: curve }, false, name === 'ECDH' ? [] : ['verify']);
      key.catch(() => publics.delete(cacheKey));
      if (publics.size >= PUBLIC_CACHE) publics.delete(publics.keys().next().value);
      publics.set(cacheKey, key);
    }
    return key;
  }

  return {
    serves: {
      importPublic: ['P-256', 'P-384', 'P-521'],
      generate: ['P-256', 'P-384', 'P-521'],
      agree: ['P-256', 'P-384', 'P-521'],
      sign: ['P-256'],
      verify: ['P-256'],
      encrypt: ['A256CBC-HS512', 'A256GCM'],
      decrypt: ['A256CBC-HS512', 'A256GCM'],
    },

    importSecret(id, curveCode, d, xy) {
      const curve = CURVES[curveCode];
      const n = FIELD[curve];
      const jwk = { kty: 'EC', crv: curve, d: b64u(d), x: b64u(xy.subarray(0, n)), y: b64u(xy.subarray(n)) };
      held.set(id, { curve, jwk, keys: {} });
    },

    forget(id) {
      held.delete(id);
    },

    generate(id, curveCode) {
      const curve = CURVES[curveCode];
      const entry = { curve, keys: {} };
      held.set(id, entry);
      const pair = subtle.generateKey({ name: 'ECDH', namedCurve: curve }, true, ['deriveBits']);
      entry.keys.ECDH = pair.then((p) => p.privateKey);
      return pair.then((p) => subtle.exportKey('jwk', p.privateKey)).then(({ d, x, y }) => {
        const n = FIELD[curve];
        const out = new Uint8Array(3 * n);
        [d, x, y].forEach((part, i) => out.set(fromB64u(part), i * n));
        return out;
      });
    },

    agree(id, curveCode, publicBytes) {
      const entry = held.get(id);
      if (!entry) return undefined;
      const curve = CURVES[curveCode];
      const pub = publicKey('ECDH', curve, publicBytes);
      return Promise.all([privateKey(entry, 'ECDH'), pub])
        .then(([key, peer]) => subtle.deriveBits({ name: 'ECDH', public: peer }, key, FIELD[curve] * 8))
        .then((bits) => new Uint8Array(bits));
    },

    sign(id, curveCode, message) {
      const entry = held.get(id);
      if (!entry) return undefined;
      const data = message.slice();
      return privateKey(entry, 'ECDSA')
        .then((key) => subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, data))
        .then((sig) => new Uint8Array(sig));
    },

    verify(curveCode, publicBytes, message, signature) {
      const [data, sig] = [message.slice(), signature.slice()];
      return publicKey('ECDSA', CURVES[curveCode], publicBytes)
        .then((key) => subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, sig, data));
    },

    encrypt(encCode, cek, iv, aad, plaintext) {
      if (plaintext.length < BULK_MIN) return undefined;
      const copies = [cek.slice(), iv.slice(), aad.slice(), plaintext.slice()];
      return ENCS[encCode] === 'A256GCM' ? gcm('encrypt', ...copies) : encryptCbcHs512(...copies);
    },

    decrypt(encCode, cek, iv, aad, ciphertext, tag) {
      if (ciphertext.length < BULK_MIN) return undefined;
      if (ENCS[encCode] === 'A256GCM') {
        return orFalse(gcm('decrypt', cek.slice(), iv.slice(), aad.slice(), concat(ciphertext, tag)));
      }
      return orFalse(decryptCbcHs512(cek.slice(), iv.slice(), aad.slice(), ciphertext.slice(), tag.slice()));
    },
  };
}
