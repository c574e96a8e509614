// The crypto backend for Node: node:crypto (OpenSSL, synchronous) serves the primitives it
// does faster than the wasm; the Rust crates do the rest (secp256k1 and P-521, where
// OpenSSL is slower, Ed25519 verification, where it is no faster, and XC20P). The contract, shared with js/crypto/web.js and read by
// src/wasm/backend.rs:
// - `serves` lists, per primitive, the curves or encs (or `true`) this backend takes;
// - curves and encs arrive as their index in CURVES and ENCS; bytes arrive as views into
//   wasm memory, read before returning (anything kept is copied);
// - a method returns its result, `undefined` or `null` to decline (the Rust crates run), or `false`
//   for a failed authentication (decrypt, unwrap); a thrown error also falls back to Rust;
// - `publicKey(id, curve, d)` (curves in `serves.publicKey`) holds the key and returns its
//   public key, x ‖ y (x for OKP): the wasm checks secrets against their JWK's public part;
// - secret keys are named by an id: `importSecret(id, curve, d, public?)` hands one over
//   (with its public key, x or x‖y, for the curves `serves.importPublic` lists), `forget`
//   drops it, and a method given an id it does not hold returns `undefined` to ask for it.
import {
  createCipheriv, createDecipheriv, createECDH, createHash, createHmac, createPrivateKey, createPublicKey,
  diffieHellman, randomBytes, sign, timingSafeEqual, verify,
} from 'node:crypto';
import { CURVES, ENCS } from './codes.js';

const OPENSSL_EC = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };
const FIELD = { X25519: 32, Ed25519: 32, 'P-256': 32, 'P-384': 48, 'P-521': 66 };
// The x of the JWK that imports an OKP private key from d alone (see okpKey): any 32 bytes.
const OKP_UNSET = Buffer.alloc(32).toString('base64url');

const KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');
// SHA-256 of small inputs (KDF, apv) is faster in wasm than a call out.
const SHA256_MIN = 4096;
// Public keys of DID documents recur; epks do not. A bounded cache, oldest out first.
const PUBLIC_CACHE = 512;

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');

/**
 * The KeyObject of an X25519 or Ed25519 private key `d`, and its public key x. A JWK import
 * of d: OpenSSL derives the public key from d and ignores the JWK's x, which must not come
 * back from the export (if it did, the thrown error hands the work to the Rust crates).
 */
function okpKey(curve, d) {
  const key = createPrivateKey({ key: { kty: 'OKP', crv: curve, d: b64u(d), x: OKP_UNSET }, format: 'jwk' });
  const { x } = key.export({ format: 'jwk' });
  if (x === OKP_UNSET) throw new Error('node:crypto echoed the placeholder public key');
  return { key, x: Buffer.from(x, 'base64url') };
}

/** `bytes` left-padded with zeros to `n` (OpenSSL drops leading zero bytes of scalars). */
function padded(bytes, n) {
  if (bytes.length === n) return bytes;
  const out = Buffer.alloc(n);
  bytes.copy(out, n - bytes.length);
  bytes.fill(0);
  return out;
}

export function createNodeBackend() {
  /** id → { curve, key?: KeyObject, x?: Buffer (OKP), ecdh?: ECDH, d?: Buffer (P-256, until its KeyObject exists) } */
  const held = new Map();
  const publics = new Map();

  function publicKeyObject(crv, bytes) {
    const cacheKey = crv + Buffer.from(bytes).toString('latin1');
    let key = publics.get(cacheKey);
    if (!key) {
      const n = FIELD[crv];
      const jwk = n === bytes.length
        ? { kty: 'OKP', crv, x: b64u(bytes) }
        : { kty: 'EC', crv, x: b64u(bytes.subarray(0, n)), y: b64u(bytes.subarray(n)) };
      key = createPublicKey({ key: jwk, format: 'jwk' });
      if (publics.size >= PUBLIC_CACHE) publics.delete(publics.keys().next().value);
      publics.set(cacheKey, key);
    }
    return key;
  }

  /** Holds `d` under `id`: an ECDH object (NIST), or a KeyObject and its public key (OKP). */
  function importSecret(id, curveCode, d) {
    const curve = CURVES[curveCode];
    if (!OPENSSL_EC[curve]) {
      held.set(id, { curve, ...okpKey(curve, d) });
      return;
    }
    const dCopy = Buffer.from(d);
    const ecdh = createECDH(OPENSSL_EC[curve]);
    ecdh.setPrivateKey(dCopy);
    held.set(id, { curve, ecdh, d: dCopy });
  }

  /** The P-256 signing KeyObject, made on first use from the held scalar. */
  function signingKey(entry) {
    if (!entry.key) {
      const pub = entry.ecdh.getPublicKey();
      const n = FIELD[entry.curve];
      const jwk = {
        kty: 'EC', crv: entry.curve, d: b64u(entry.d), x: b64u(pub.subarray(1, 1 + n)), y: b64u(pub.subarray(1 + n)),
      };
      entry.key = createPrivateKey({ key: jwk, format: 'jwk' });
      entry.d.fill(0);
      delete entry.d;
    }
    return entry.key;
  }

  function cbcHmacTag(macKey, aad, iv, ciphertext) {
    const al = Buffer.alloc(8);
    al.writeBigUInt64BE(BigInt(aad.length) * 8n);
    return createHmac('sha512', macKey).update(aad).update(iv).update(ciphertext).update(al)
      .digest()
      .subarray(0, 32);
  }

  return {
    serves: {
      // OpenSSL derives OKP public keys itself (okpKey), so importSecret needs none.
      importPublic: [],
      // Not P-521: Node's OpenSSL multiplies on it in 2.1-3.5 ms here, p521's field
      // arithmetic in the wasm in 1.3 ms (an authcrypt pack to two keys 16 -> 6.4 ms).
      publicKey: ['X25519', 'Ed25519', 'P-256', 'P-384'],
      generate: ['X25519', 'P-256', 'P-384'],
      agree: ['X25519', 'P-256', 'P-384'],
      sign: ['Ed25519', 'P-256'],
      // Not Ed25519: OpenSSL's verification (~155 µs here) is no faster than dalek's in the wasm.
      verify: ['P-256'],
      encrypt: ['A256CBC-HS512', 'A256GCM'],
      decrypt: ['A256CBC-HS512', 'A256GCM'],
      wrap: true,
      unwrap: true,
      sha256: true,
    },

    importSecret,

    /** Holds the key as importSecret does, and returns its public key: x ‖ y, or x for OKP. */
    publicKey(id, curveCode, d) {
      importSecret(id, curveCode, d);
      const entry = held.get(id);
      return entry.ecdh ? entry.ecdh.getPublicKey().subarray(1) : entry.x;
    },

    forget(id) {
      const entry = held.get(id);
      if (entry?.d) entry.d.fill(0);
      held.delete(id);
    },

    generate(id, curveCode) {
      const curve = CURVES[curveCode];
      if (curve === 'X25519') {
        // Not generateKeyPairSync: in Node 20, exporting a key while a garbage collection
        // frees a finished sync key-generation job deadlocks the thread (~KeyGenJob waits on
        // a mutex; CI hung after some 30 000 epks). Nor a PKCS #8 import: OpenSSL 3's DER
        // decoder takes ~550 µs. A JWK import of random bytes (okpKey) costs what
        // generation does, ~47 µs.
        const d = randomBytes(32);
        importSecret(id, curveCode, d);
        const out = Buffer.concat([d, held.get(id).x]);
        d.fill(0);
        return out;
      }
      const ecdh = createECDH(OPENSSL_EC[curve]);
      const pub = ecdh.generateKeys();
      const d = padded(ecdh.getPrivateKey(), FIELD[curve]);
      held.set(id, { curve, ecdh, d: Buffer.from(d) });
      return Buffer.concat([d, pub.subarray(1)]);
    },

    agree(id, curveCode, publicBytes) {
      const entry = held.get(id);
      if (!entry) return undefined;
      if (entry.ecdh) return entry.ecdh.computeSecret(Buffer.concat([Buffer.of(4), publicBytes]));
      return diffieHellman({ privateKey: entry.key, publicKey: publicKeyObject(entry.curve, publicBytes) });
    },

    sign(id, curveCode, message) {
      const entry = held.get(id);
      if (!entry) return undefined;
      if (entry.curve === 'Ed25519') return sign(null, message, entry.key);
      return sign('sha256', message, { key: signingKey(entry), dsaEncoding: 'ieee-p1363' });
    },

    verify(curveCode, publicBytes, message, signature) {
      const key = publicKeyObject(CURVES[curveCode], publicBytes);
      return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
    },

    encrypt(encCode, cek, iv, aad, plaintext) {
      if (ENCS[encCode] === 'A256GCM') {
        const cipher = createCipheriv('aes-256-gcm', cek, iv).setAAD(aad);
        const body = cipher.update(plaintext);
        const last = cipher.final();
        return Buffer.concat([body, last, cipher.getAuthTag()]);
      }
      // The ciphertext and its tag copied once, into one buffer (not twice by concat).
      const cipher = createCipheriv('aes-256-cbc', cek.subarray(32), iv);
      const body = cipher.update(plaintext);
      const last = cipher.final();
      const out = Buffer.allocUnsafe(body.length + last.length + 32);
      body.copy(out);
      last.copy(out, body.length);
      const ciphertext = out.subarray(0, body.length + last.length);
      cbcHmacTag(cek.subarray(0, 32), aad, iv, ciphertext).copy(out, ciphertext.length);
      return out;
    },

    decrypt(encCode, cek, iv, aad, ciphertext, tag) {
      try {
        if (ENCS[encCode] === 'A256GCM') {
          const decipher = createDecipheriv('aes-256-gcm', cek, iv).setAAD(aad).setAuthTag(tag);
          return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
        }
        if (!timingSafeEqual(cbcHmacTag(cek.subarray(0, 32), aad, iv, ciphertext), tag)) return false;
        const decipher = createDecipheriv('aes-256-cbc', cek.subarray(32), iv);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      } catch {
        return false; // a GCM tag or a CBC padding that does not check out
      }
    },

    wrap(kek, cek) {
      const cipher = createCipheriv('id-aes256-wrap', kek, KW_IV);
      return Buffer.concat([cipher.update(cek), cipher.final()]);
    },

    unwrap(kek, wrapped) {
      try {
        const decipher = createDecipheriv('id-aes256-wrap', kek, KW_IV);
        return Buffer.concat([decipher.update(wrapped), decipher.final()]);
      } catch {
        return false;
      }
    },

    sha256(data) {
      return data.length < SHA256_MIN ? undefined : createHash('sha256').update(data).digest();
    },
  };
}
