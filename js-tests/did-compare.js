// Comparing DID documents by meaning: the same keys (whatever their encoding: JWK,
// Multikey, base58), the same relationships and the same DIDComm endpoints. Ids may differ
// (legacy fingerprint ids vs #key-N), so relationships compare as sets of keys. Node only
// (compressed EC points are expanded with node:crypto, independently of the package).
import { ECDH } from 'node:crypto';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58Decode(text) {
  let n = 0n;
  for (const c of text) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) throw new Error(`not base58: ${c}`);
    n = n * 58n + BigInt(v);
  }
  const bytes = [];
  while (n > 0n) { bytes.unshift(Number(n & 0xffn)); n >>= 8n; }
  for (const c of text) { if (c !== '1') break; bytes.unshift(0); }
  return Buffer.from(bytes);
}

export function base58Encode(bytes) {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) { out = ALPHABET[Number(n % 58n)] + out; n /= 58n; }
  for (const b of bytes) { if (b !== 0) break; out = `1${out}`; }
  return out;
}

const CODECS = { 0xed: 'Ed25519', 0xec: 'X25519', 0x1200: 'P-256', 0x1201: 'P-384', 0x1202: 'P-521', 0xe7: 'secp256k1' };
const OPENSSL = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1', secp256k1: 'secp256k1' };
const RAW_TYPES = {
  X25519KeyAgreementKey2019: 'X25519', X25519KeyAgreementKey2020: 'X25519',
  Ed25519VerificationKey2018: 'Ed25519', Ed25519VerificationKey2020: 'Ed25519',
  EcdsaSecp256k1VerificationKey2019: 'secp256k1', P256Key2021: 'P-256',
};

function varint(bytes) {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    value += (bytes[i] & 0x7f) * 2 ** (7 * i);
    if ((bytes[i] & 0x80) === 0) return [value, bytes.subarray(i + 1)];
  }
  throw new Error('bad varint');
}

/** `crv:x[:y]` in base64url, for any key encoding. */
function canonicalKey(crv, bytes) {
  if (crv === 'Ed25519' || crv === 'X25519') return `${crv}:${Buffer.from(bytes).toString('base64url')}`;
  const full = ECDH.convertKey(Buffer.from(bytes), OPENSSL[crv], undefined, undefined, 'uncompressed');
  const len = (full.length - 1) / 2;
  return `${crv}:${full.subarray(1, 1 + len).toString('base64url')}:${full.subarray(1 + len).toString('base64url')}`;
}

export function keyOf(vm) {
  if (vm.publicKeyJwk) {
    const { crv, x, y } = vm.publicKeyJwk;
    return y ? `${crv}:${x}:${y}` : `${crv}:${x}`;
  }
  if (vm.publicKeyMultibase) {
    const bytes = base58Decode(vm.publicKeyMultibase.slice(1));
    if (RAW_TYPES[vm.type] && bytes.length === 32) return canonicalKey(RAW_TYPES[vm.type], bytes);
    const [code, key] = varint(bytes);
    return canonicalKey(CODECS[code], key);
  }
  if (vm.publicKeyBase58) return canonicalKey(RAW_TYPES[vm.type], base58Decode(vm.publicKeyBase58));
  throw new Error(`no key material in ${vm.id}`);
}

const absolute = (id, did) => (id.startsWith('#') ? `${did}${id}` : id);

/** Every verification method by absolute id, embedded ones included. */
function methods(doc) {
  const out = new Map();
  const add = (vm) => { if (typeof vm === 'object') out.set(absolute(vm.id, doc.id), vm); };
  (doc.verificationMethod ?? []).forEach(add);
  for (const rel of ['authentication', 'keyAgreement', 'assertionMethod']) (doc[rel] ?? []).forEach(add);
  return out;
}

function relationshipKeys(doc, rel) {
  const vms = methods(doc);
  return new Set((doc[rel] ?? []).map((entry) => {
    const vm = typeof entry === 'string' ? vms.get(absolute(entry, doc.id)) : entry;
    if (!vm) throw new Error(`${doc.id}: ${rel} names ${entry}, which is not defined`);
    return keyOf(vm);
  }));
}

/** DIDCommMessaging endpoints, in order, in every published shape. */
export function endpoints(doc) {
  const out = [];
  for (const s of doc.service ?? []) {
    const type = s.type ?? s.t;
    const types = Array.isArray(type) ? type : [type];
    if (!types.includes('DIDCommMessaging') && !types.includes('dm')) continue;
    const read = (ep) => {
      if (Array.isArray(ep)) return ep.forEach(read);
      const obj = typeof ep === 'string' ? { uri: ep, accept: s.accept ?? s.a, routingKeys: s.routingKeys ?? s.r } : ep;
      out.push({ uri: obj.uri ?? obj.s, accept: obj.accept ?? obj.a ?? [], routingKeys: obj.routingKeys ?? obj.r ?? [] });
    };
    read(s.serviceEndpoint ?? s.s);
  }
  return out;
}

const sorted = (set) => [...set].sort();

/**
 * Asserts that `ours` has the keys, relationships and DIDComm endpoints of `expected`.
 * `rels` are the relationships compared (legacy resolvers also fill assertionMethod).
 */
export function assertSameDocument(assert, ours, expected, label, rels = ['authentication', 'keyAgreement', 'assertionMethod']) {
  const ourKeys = new Set([...methods(ours).values()].map(keyOf));
  const theirKeys = [...methods(expected).values()].map(keyOf);
  assert.ok(theirKeys.length > 0, `${label}: the expected document has keys`);
  for (const k of theirKeys) assert.ok(ourKeys.has(k), `${label}: key ${k} missing`);
  for (const rel of rels) {
    assert.deepEqual(sorted(relationshipKeys(ours, rel)), sorted(relationshipKeys(expected, rel)), `${label}: ${rel}`);
  }
  assert.deepEqual(endpoints(ours), endpoints(expected), `${label}: services`);
}
