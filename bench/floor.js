// The platform floor of each case (Node only): the raw primitives the case must do, straight
// on node:crypto, with no JSON, base64 or DID resolution. Static keys are imported once (as
// KeyObjects and ECDH objects, the way a well-built library caches them); ephemeral keys are
// generated fresh on each pack, and each unpack imports the epk it receives. Sizes (the
// plaintext, the AAD, the signing input) come from what this package packed for the case.
// `overhead` in the table is a library's time per op over this floor's.
import {
  createCipheriv, createDecipheriv, createECDH, createHash, createHmac, createPrivateKey, createPublicKey,
  diffieHellman, randomBytes, sign, timingSafeEqual, verify,
} from 'node:crypto';

/** The footnote of the table: where the floor is not the case's exact primitive. */
export const FLOOR_NOTE = 'XC20P floor: node:crypto has no XChaCha20-Poly1305, so chacha20-poly1305 '
  + '(12-byte nonce, no HChaCha20 subkey step) stands in for it.';

const OPENSSL_EC = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };
const KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');
const CBC = 'A256CBC-HS512';
// Concat KDF's OtherInfo beyond Z: alg, apu (the sender kid), apv (a SHA-256), keydatalen and,
// for ECDH-1PU, the content tag; each length-prefixed. A fixed buffer of about that size.
const otherInfo = (authenticated) => randomBytes(4 + 15 + 4 + 30 + 4 + 32 + 4 + (authenticated ? 4 + 32 : 0));

// ---- keys ------------------------------------------------------------------------------

/** A static key from a secret JWK: { crv, priv, pub } (ECDH object and point for P-curves). */
function staticKey(jwk) {
  if (OPENSSL_EC[jwk.crv]) {
    const ecdh = createECDH(OPENSSL_EC[jwk.crv]);
    ecdh.setPrivateKey(Buffer.from(jwk.d, 'base64url'));
    return { crv: jwk.crv, priv: ecdh, pub: ecdh.getPublicKey() };
  }
  const { kid, ...key } = jwk;
  const priv = createPrivateKey({ key, format: 'jwk' });
  return { crv: jwk.crv, priv, pub: createPublicKey(priv) };
}

/** A signing key: the private and public KeyObjects (secp256k1 and P-256 too). */
function signingKey(jwk) {
  const { kid, ...key } = jwk;
  const priv = createPrivateKey({ key, format: 'jwk' });
  return { crv: jwk.crv, priv, pub: createPublicKey(priv) };
}

const UNSET = Buffer.alloc(32).toString('base64url');

/** A fresh ephemeral key on `crv`; `bytes` (its public key: a JWK for X25519) only when asked for. */
function ephemeral(crv, withBytes = false) {
  if (crv === 'X25519') {
    // As js/crypto/node.js makes them (generateKeyPairSync + export deadlocks Node 20 in
    // long runs): a JWK import of random bytes, which derives the public key.
    const d = randomBytes(32).toString('base64url');
    const priv = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: UNSET }, format: 'jwk' });
    const bytes = withBytes ? { kty: 'OKP', crv: 'X25519', x: priv.export({ format: 'jwk' }).x } : null;
    return { priv, bytes };
  }
  const ecdh = createECDH(OPENSSL_EC[crv]);
  return { priv: ecdh, bytes: ecdh.generateKeys() };
}

/**
 * The epk an unpack receives, imported: a KeyObject for X25519 (from the header's JWK, the
 * fastest route: OpenSSL's SPKI decoding takes ~10× longer), the point itself for EC.
 */
const importEpk = (crv, epk) => (crv === 'X25519' ? createPublicKey({ key: epk, format: 'jwk' }) : epk);

/** ECDH of a private key (KeyObject or ECDH object) with a public one (KeyObject or point). */
const agree = (priv, pub) => (priv.computeSecret ? priv.computeSecret(pub) : diffieHellman({ privateKey: priv, publicKey: pub }));

// ---- symmetric primitives --------------------------------------------------------------

const kdf = (z, info) => createHash('sha256').update(Buffer.of(0, 0, 0, 1)).update(z).update(info).digest();

function wrap(kek, cek) {
  const c = createCipheriv('id-aes256-wrap', kek, KW_IV);
  return Buffer.concat([c.update(cek), c.final()]);
}

function unwrap(kek, wrapped) {
  const d = createDecipheriv('id-aes256-wrap', kek, KW_IV);
  return Buffer.concat([d.update(wrapped), d.final()]);
}

function cbcTag(macKey, aad, iv, ct) {
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length) * 8n);
  return createHmac('sha512', macKey).update(aad).update(iv).update(ct).update(al).digest().subarray(0, 32);
}

/** Content encryption with a fresh CEK and IV: { cek, iv, ct, tag }. */
function encrypt(enc, plaintext, aad) {
  if (enc === CBC) {
    const cek = randomBytes(64);
    const iv = randomBytes(16);
    const c = createCipheriv('aes-256-cbc', cek.subarray(32), iv);
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    return { cek, iv, ct, tag: cbcTag(cek.subarray(0, 32), aad, iv, ct) };
  }
  const cek = randomBytes(32);
  const iv = randomBytes(12);
  const c = enc === 'A256GCM'
    ? createCipheriv('aes-256-gcm', cek, iv)
    : createCipheriv('chacha20-poly1305', cek, iv, { authTagLength: 16 });
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return { cek, iv, ct, tag: c.getAuthTag() };
}

function decrypt(enc, cek, { iv, ct, tag }, aad) {
  if (enc === CBC) {
    if (!timingSafeEqual(cbcTag(cek.subarray(0, 32), aad, iv, ct), tag)) throw new Error('floor: tag');
    const d = createDecipheriv('aes-256-cbc', cek.subarray(32), iv);
    return Buffer.concat([d.update(ct), d.final()]);
  }
  const d = enc === 'A256GCM'
    ? createDecipheriv('aes-256-gcm', cek, iv)
    : createDecipheriv('chacha20-poly1305', cek, iv, { authTagLength: 16 });
  d.setAAD(aad).setAuthTag(tag);
  return Buffer.concat([d.update(ct), d.final()]);
}

// ---- JWE and JWS layers ----------------------------------------------------------------

/**
 * One JWE layer: pack = 1 ephemeral key + content encryption + per recipient ECDH with the
 * epk, concat KDF and key wrap; unpack (as the first recipient) = epk import, that ECDH, 1
 * KDF, 1 unwrap, content decryption. ECDH-1PU's static-static Zs never changes for a pair of
 * keys, and the libraries may keep it (this package does, src/crypto/key.rs): so the floor
 * computes each pair's Zs once, outside the timed work, as a library that keeps it does in
 * steady state. Otherwise a library that skips that work would show less than its overhead.
 */
function jweLayer({ crv, sender, recipients, enc, plaintextBytes, aadBytes }) {
  const aad = randomBytes(aadBytes);
  const info = otherInfo(Boolean(sender));
  const me = recipients[0];
  const kept = sender ? recipients.map((r) => agree(sender.priv, r.pub)) : null;
  const keptByMe = sender ? agree(me.priv, sender.pub) : null;
  const z = (ephPriv, i) => {
    const ze = agree(ephPriv, recipients[i].pub);
    return sender ? Buffer.concat([ze, kept[i]]) : ze;
  };
  const pack = (plaintext, withBytes = false) => {
    const eph = ephemeral(crv, withBytes);
    const content = encrypt(enc, plaintext, aad);
    const wrapped = recipients.map((_, i) => wrap(kdf(z(eph.priv, i), info), content.cek));
    return { epk: eph.bytes, wrapped, ...content };
  };
  const unpack = (jwe) => {
    const ze = agree(me.priv, importEpk(crv, jwe.epk));
    const zz = sender ? Buffer.concat([ze, keptByMe]) : ze;
    return decrypt(enc, unwrap(kdf(zz, info), jwe.wrapped[0]), jwe, aad);
  };
  const n = recipients.length;
  const kept1pu = sender ? ' (static-static Zs kept)' : '';
  const describe = {
    pack: `${crv} keygen + ${n} ECDH${kept1pu} + ${n} KDF + ${n} wrap + ${enc}(${plaintextBytes} B)`,
    unpack: `epk import + 1 ECDH${kept1pu} + KDF + unwrap + ${enc} decrypt(${plaintextBytes} B)`,
  };
  return { pack, unpack, plaintext: randomBytes(plaintextBytes), describe };
}

const SIGN = { Ed25519: ['EdDSA', null], 'P-256': ['ES256', 'sha256'], secp256k1: ['ES256K', 'sha256'] };

/** One signature over `bytes` of signing input, and its verification. */
function jwsLayer(key, bytes) {
  const [alg, hash] = SIGN[key.crv];
  const options = (k) => (hash ? { key: k, dsaEncoding: 'ieee-p1363' } : k);
  const input = randomBytes(bytes);
  return {
    sign: () => sign(hash, input, options(key.priv)),
    verify: (signature) => {
      if (!verify(hash, input, options(key.pub), signature)) throw new Error('floor: signature');
    },
    describe: { pack: `${alg} sign(${bytes} B)`, unpack: `${alg} verify(${bytes} B)` },
  };
}

// ---- cases -----------------------------------------------------------------------------

const b64Bytes = (text) => Buffer.from(text, 'base64url').length;
const jsonBytes = (value) => Buffer.byteLength(JSON.stringify(value));

/**
 * Makes `floor(c, msg, packed)` for bench/run.js: the floor's { pack, unpack, describe } for a
 * case, given what this package packed for it (null for plaintext: no primitives).
 */
export function floors({ aliceSecrets, bobSecrets }) {
  const secrets = [...aliceSecrets, ...bobSecrets];
  const jwk = (kid) => secrets.find((s) => s.kid === kid);
  const cache = new Map();
  const cached = (kid, make) => {
    const id = `${make.name} ${kid}`;
    if (!cache.has(id)) cache.set(id, make(jwk(kid)));
    return cache.get(id);
  };
  const bobKeys = (crv) => bobSecrets.filter((s) => s.crv === crv).map((s) => s.kid);

  return (c, msg, packed) => {
    const { kind, to, from, signBy, protectSender, encAlgAnon } = c.send;
    if (kind === 'plaintext') return null;
    const outer = JSON.parse(packed);
    if (kind === 'signed') {
      const [s] = outer.signatures;
      const jws = jwsLayer(cached(s.header?.kid ?? signBy, signingKey), s.protected.length + 1 + outer.payload.length);
      return { pack: jws.sign, unpack: ((sig) => () => jws.verify(sig))(jws.sign()), describe: jws.describe };
    }

    // Encrypted: the curve is the sender's (a bare DID means its X25519 key) or the one kid's.
    const senderKid = from && (from.includes('#') ? from : `${from}#key-x25519-1`);
    const crv = senderKid ? jwk(senderKid).crv : to.includes('#') ? jwk(to).crv : 'X25519';
    const recipients = (to.includes('#') ? [to] : bobKeys(crv)).map((kid) => cached(kid, staticKey));
    if (recipients.length !== c.recipients) throw new Error(`floor of ${c.name}: ${recipients.length} recipients`);
    const outerPlain = b64Bytes(outer.ciphertext);
    const aadBytes = outer.protected.length;
    const layer = (options) => jweLayer({ crv, recipients, aadBytes, ...options });
    // Of the outer layer: a CBC ciphertext is the plaintext padded (at least 1 byte).
    const outerEnc = !from || protectSender ? encAlgAnon : CBC;
    const outerBytes = outerEnc === CBC ? outerPlain - 1 : outerPlain;

    if (!from) return single(layer({ enc: encAlgAnon, plaintextBytes: outerBytes }));
    const sender = cached(senderKid, staticKey);
    if (protectSender) {
      const inner = layer({ sender, enc: CBC, plaintextBytes: jsonBytes(msg) });
      const anon = layer({ enc: encAlgAnon, plaintextBytes: outerBytes });
      const innerJwe = inner.pack(inner.plaintext, true);
      const outerJwe = anon.pack(anon.plaintext, true);
      return {
        pack: () => { inner.pack(inner.plaintext); anon.pack(anon.plaintext); },
        unpack: () => { anon.unpack(outerJwe); inner.unpack(innerJwe); },
        describe: {
          pack: `authcrypt [${inner.describe.pack}] + anoncrypt [${anon.describe.pack}]`,
          unpack: `anoncrypt [${anon.describe.unpack}] + authcrypt [${inner.describe.unpack}]`,
        },
      };
    }
    const auth = layer({ sender, enc: CBC, plaintextBytes: outerBytes });
    if (!signBy) return single(auth);
    // Signed, then encrypted: the signing input is the message's base64url and a header.
    const jws = jwsLayer(cached(signBy, signingKey), Math.ceil((jsonBytes(msg) * 4) / 3) + 1 + 100);
    const jwe = auth.pack(auth.plaintext, true);
    const signature = jws.sign();
    return {
      pack: () => { jws.sign(); auth.pack(auth.plaintext); },
      unpack: () => { auth.unpack(jwe); jws.verify(signature); },
      describe: {
        pack: `${jws.describe.pack} + ${auth.describe.pack}`,
        unpack: `${auth.describe.unpack} + ${jws.describe.unpack}`,
      },
    };
  };
}

/** A case of one JWE layer: its pack and its unpack of one packed message. */
function single(layer) {
  const jwe = layer.pack(layer.plaintext, true);
  return { pack: () => layer.pack(layer.plaintext), unpack: () => layer.unpack(jwe), describe: layer.describe };
}
