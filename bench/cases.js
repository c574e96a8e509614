// The cases, shared by both libraries: what Alice sends Bob, and what Bob must find on unpack.
// `send` uses this package's option names; peer.js maps them to didcomm-node's. `recipients`
// is how many recipients the outer JWE must have, so that both libraries do the same work.
// `shared: false` marks what didcomm-node cannot do (it has no P-384 or P-521).
const ALICE = 'did:example:alice';
const BOB = 'did:example:bob';

const KiB = 1024;

/** A basic message from Alice to Bob with a body of about `bytes` bytes. */
export function message(bytes = 32) {
  return {
    id: `bench-${bytes}`, typ: 'application/didcomm-plain+json', type: 'https://didcomm.org/basicmessage/2.0/message',
    from: ALICE, to: [BOB], created_time: 1_700_000_000, body: { content: 'x'.repeat(bytes) },
  };
}

const plain = { kind: 'plaintext' };
const signed = (signBy) => ({ kind: 'signed', signBy });
const anon = (encAlgAnon, to = BOB) => ({ kind: 'encrypted', to, encAlgAnon });
const auth = (extra = {}, to = BOB) => ({ kind: 'encrypted', to, from: ALICE, ...extra });

export const CASES = [
  { name: 'plaintext', send: plain },
  { name: 'signed EdDSA', send: signed(`${ALICE}#key-1`) },
  { name: 'signed ES256', send: signed(`${ALICE}#key-2`) },
  { name: 'signed ES256K', send: signed(`${ALICE}#key-3`) },
  { name: 'anoncrypt XC20P, 3 X25519', send: anon('XC20P'), recipients: 3 },
  { name: 'anoncrypt A256GCM, 3 X25519', send: anon('A256GCM'), recipients: 3 },
  { name: 'anoncrypt A256CBC-HS512, 3 X25519', send: anon('A256CBC-HS512'), recipients: 3 },
  { name: 'authcrypt X25519, 3 recipients', send: auth(), recipients: 3 },
  { name: 'authcrypt X25519, 1 recipient', send: auth({}, `${BOB}#key-x25519-1`), recipients: 1 },
  // From Alice's P-256 key: Bob's keys on that curve are his two P-256 keys.
  { name: 'authcrypt P-256, 2 recipients', send: auth({ from: `${ALICE}#key-p256-1` }), recipients: 2 },
  { name: 'authcrypt + sign EdDSA', send: auth({ signBy: `${ALICE}#key-1` }), recipients: 3 },
  // The anoncrypt layer's algorithm is set because the libraries' defaults differ.
  { name: 'protect_sender', send: auth({ protectSender: true, encAlgAnon: 'A256CBC-HS512' }), recipients: 3 },
  { name: 'authcrypt 1 KiB body', send: auth(), bodyBytes: KiB, recipients: 3 },
  { name: 'authcrypt 64 KiB body', send: auth(), bodyBytes: 64 * KiB, recipients: 3 },
  { name: 'authcrypt 1 MiB body', send: auth(), bodyBytes: 1024 * KiB, recipients: 3 },
  // Alice has no P-384 key, so P-384 is anoncrypt (to one kid: without a sender, a DID
  // means its first key's curve, X25519). Alice has a P-521 key: authcrypt to Bob's two.
  { name: 'anoncrypt P-384, 1 recipient', send: anon('A256CBC-HS512', `${BOB}#key-p384-1`), recipients: 1, shared: false },
  { name: 'authcrypt P-521, 2 recipients', send: auth({ from: `${ALICE}#key-p521-1` }), recipients: 2, shared: false },
].map((c) => ({ shared: true, bodyBytes: 32, ...c }));

/** The content encryption of the outer JWE: anoncrypt's when the sender is hidden, else authcrypt's. */
export function expectedEnc({ kind, from, protectSender, encAlgAnon }) {
  if (kind !== 'encrypted') return undefined;
  return !from || protectSender ? encAlgAnon : 'A256CBC-HS512';
}

/** The unpack metadata flags a case must produce. */
export function expectedFlags({ kind, from, signBy, protectSender }) {
  const encrypted = kind === 'encrypted';
  return {
    encrypted,
    authenticated: kind === 'signed' || Boolean(from),
    nonRepudiation: Boolean(signBy),
    anonymousSender: encrypted && (!from || Boolean(protectSender)),
  };
}
