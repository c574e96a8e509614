// The crypto backend for browsers: WebCrypto serves content encryption of large payloads,
// where its native AES beats the wasm's software AES by far more than the 30-100 µs an
// awaited call costs. Everything else stays in the Rust crates. The contract is the one in
// js/crypto/node.js; here results are promises, and every input view into wasm memory is
// copied (by WebCrypto, or by us) before the first await.
import { ENCS } from './codes.js';

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

/** Rejected promises mean "failed authentication" for decrypt. */
const orFalse = (promise) => promise.catch(() => false);

export function createWebBackend() {
  if (!subtle) return null;
  return {
    serves: {
      encrypt: ['A256CBC-HS512', 'A256GCM'],
      decrypt: ['A256CBC-HS512', 'A256GCM'],
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
