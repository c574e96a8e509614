// The numbers that name curves and content encryptions between the wasm and a crypto
// backend: their index in Curve::ALL and ContentEnc::ALL (src/crypto/key.rs, src/jose/enc.rs).
export const CURVES = ['X25519', 'P-256', 'P-384', 'P-521', 'Ed25519', 'secp256k1'];
export const ENCS = ['A256CBC-HS512', 'A256GCM', 'XC20P'];
