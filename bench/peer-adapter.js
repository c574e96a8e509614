// didcomm-rust 0.4.1's wasm behind the interface the benchmark drives (as ours.js): one
// adapter over the `Message` class of either of its builds, didcomm-node (bench/peer.js) or
// the browser package `didcomm` (bench/browser.js). Plain JS, so that a page imports it too.

// didcomm-rust 0.4 reads relationships as lists of kids only: embedded methods move to
// verificationMethod (same keys, same kids), and `service` must be present.
function toPeerDoc(doc) {
  const methods = [...(doc.verificationMethod ?? [])];
  const kids = (relationship) => (doc[relationship] ?? []).map((m) => {
    if (typeof m === 'string') return m;
    methods.push(m);
    return m.id;
  });
  return {
    id: doc.id, authentication: kids('authentication'), keyAgreement: kids('keyAgreement'),
    verificationMethod: methods, service: doc.service ?? [],
  };
}

// Its secrets are { id, type, privateKeyJwk } rather than JWKs with a kid.
function secretsResolver(jwks) {
  const byKid = new Map(jwks.map(({ kid, ...jwk }) => [kid, { id: kid, type: 'JsonWebKey2020', privateKeyJwk: jwk }]));
  return {
    get_secret: async (kid) => byKid.get(kid) ?? null,
    find_secrets: async (kids) => kids.filter((kid) => byKid.has(kid)),
  };
}

const ENC_ALG_ANON = {
  XC20P: 'Xc20pEcdhEsA256kw', A256GCM: 'A256gcmEcdhEsA256kw', 'A256CBC-HS512': 'A256cbcHs512EcdhEsA256kw',
};

export function openPeer(Message, { docs, aliceSecrets, bobSecrets }) {
  const byId = new Map(docs.map((doc) => [doc.id, toPeerDoc(doc)]));
  const didResolver = { resolve: async (did) => byId.get(did) ?? null };
  const alice = secretsResolver(aliceSecrets);
  const bob = secretsResolver(bobSecrets);
  return {
    // A Message per pack, as a sender builds one per message; its wasm object has no
    // finalizer in this build, so it is freed by hand.
    async pack({ kind, to, from, signBy, protectSender, encAlgAnon }, message) {
      const msg = new Message(message);
      try {
        if (kind === 'plaintext') return await msg.pack_plaintext(didResolver);
        if (kind === 'signed') return (await msg.pack_signed(signBy, didResolver, alice))[0];
        const options = { forward: false, protect_sender: protectSender ?? false, enc_alg_anon: ENC_ALG_ANON[encAlgAnon] };
        return (await msg.pack_encrypted(to, from ?? null, signBy ?? null, didResolver, alice, options))[0];
      } finally {
        msg.free();
      }
    },
    // as_value() gives the plain message, which is what ours.js's unpack returns.
    async unpack(packed) {
      const [msg, m] = await Message.unpack(packed, didResolver, bob, {});
      try {
        const flags = {
          encrypted: m.encrypted, authenticated: m.authenticated, nonRepudiation: m.non_repudiation,
          anonymousSender: m.anonymous_sender,
        };
        return { message: msg.as_value(), flags };
      } finally {
        msg.free();
      }
    },
  };
}
