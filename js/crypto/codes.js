// The numbers that name curves and content encryptions between the wasm and a crypto
// backend: their index in Curve::ALL and ContentEnc::ALL (src/crypto/key.rs, src/jose/enc.rs).
export const CURVES = ['X25519', 'P-256', 'P-384', 'P-521', 'Ed25519', 'secp256k1'];
export const ENCS = ['A256CBC-HS512', 'A256GCM', 'XC20P'];

/**
 * What a backend's `serves` lists, as src/wasm/backend.rs reads it: one bit per curve (or
 * enc) index for importPublic, publicKey, generate, agree, sign, verify, encrypt and
 * decrypt, then the flags wrap (1), unwrap (2) and sha256 (4). Computed here, where it costs
 * nothing, rather than by the wasm reading the lists a string at a time.
 */
export function servesMasks(serves) {
  const mask = (list, names) => (Array.isArray(list) ? list : [])
    .map((name) => names.indexOf(name))
    .reduce((bits, i) => (i < 0 ? bits : bits | (1 << i)), 0);
  const s = serves ?? {};
  const curves = ['importPublic', 'publicKey', 'generate', 'agree', 'sign', 'verify'].map((op) => mask(s[op], CURVES));
  const encs = ['encrypt', 'decrypt'].map((op) => mask(s[op], ENCS));
  const flags = (s.wrap ? 1 : 0) | (s.unwrap ? 2 : 0) | (s.sha256 ? 4 : 0);
  return Uint8Array.of(...curves, ...encs, flags);
}
