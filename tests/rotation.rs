//! DID rotation (`from_prior`, CHECKLIST §6): Alice of the spec vectors rotates to a new DID
//! and tells Bob in an authcrypted message from the new DID. Every way the JWT or its
//! message can be wrong fails with its kind and names the claim, header or kid.
//!
//! Envelopes the pack API refuses to build (a from_prior whose `sub` is not `from`, or on an
//! anoncrypt-only or signed-only message) are built from the JOSE layer directly, so that
//! unpack's own checks are what fails.

mod common;

use common::*;
use didcomm_wasm::crypto::{Curve, PublicKey, SecretKey};
use didcomm_wasm::did::Relationship;
use didcomm_wasm::jose::{b64, jwe, jws};
use didcomm_wasm::{
    ContentEnc, Error, ErrorKind, FromPrior, Message, PackEncryptedOptions, Secret, SignAlg,
    UnpackMetadata, UnpackOptions,
};
use serde_json::{json, Value};

const ALICE: &str = "did:example:alice";
const NEW: &str = "did:example:alice-new";
const BOB: &str = "did:example:bob";
const IAT: u64 = 1_700_000_000;

/// Alice's new identity: one X25519 and one Ed25519 key, `did:example:alice-new#ka-x25519`.
fn new_identity() -> Identity {
    identity("alice-new", &[Curve::X25519], &[Curve::Ed25519])
}

struct World {
    new: Identity,
    /// Holds Alice's spec secrets (the prior DID) and the new DID's secrets.
    alice: Agent,
    bob: Agent,
}

fn world() -> World {
    let new = new_identity();
    let docs = [alice_doc(), bob_doc(), new.doc.clone()];
    let mut held = store_secrets(&secrets("secrets-alice.json"));
    held.extend(new.secrets.clone());
    World {
        alice: agent(&docs, held),
        bob: agent(&docs, store_secrets(&secrets("secrets-bob.json"))),
        new,
    }
}

fn message(from: &str, from_prior: &str) -> Message {
    let mut m = Message::new(
        "rotation-1",
        "https://didcomm.org/basicmessage/2.0/message",
        json!({"content": "I have a new DID"})
            .as_object()
            .unwrap()
            .clone(),
    );
    m.from = Some(from.into());
    m.to = Some(vec![BOB.into()]);
    m.from_prior = Some(from_prior.into());
    m
}

fn authcrypt_from(from: &str) -> PackEncryptedOptions {
    PackEncryptedOptions {
        from: Some(from.into()),
        ..Default::default()
    }
}

fn unpack(agent: &Agent, packed: &str) -> Result<(Message, UnpackMetadata), Error> {
    block_on(agent.unpack(packed, &UnpackOptions::default()))
}

#[track_caller]
fn assert_kind<T: std::fmt::Debug>(
    result: Result<T, Error>,
    kind: ErrorKind,
    needles: &[&str],
) -> Error {
    let e = match result {
        Ok(v) => panic!("expected {kind:?}, got {v:?}"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), kind, "{e}");
    for needle in needles {
        assert!(
            e.message().contains(needle),
            "{e} does not mention {needle:?}"
        );
    }
    e
}

/// The JWT's three parts.
fn parts(jwt: &str) -> Vec<String> {
    jwt.split('.').map(str::to_owned).collect()
}

fn decode_json(part: &str) -> Value {
    serde_json::from_slice(&b64::decode(part, "test").unwrap()).unwrap()
}

/// A JWT over `claims` with header kid `kid`, signed by `key` (no checks: for forgeries).
fn forge(claims: &Value, kid: &str, key: &SecretKey) -> String {
    block_on(jws::sign_jwt(claims.to_string().as_bytes(), kid, key)).unwrap()
}

fn alice_secret(kid: &str) -> SecretKey {
    secrets("secrets-alice.json").get(kid).unwrap().key.clone()
}

fn claims_json(iss: &str, sub: &str) -> Value {
    json!({"iss": iss, "sub": sub, "iat": IAT})
}

/// Bob's X25519 keyAgreement keys, as JWE recipients need them.
fn bob_x25519() -> Vec<(String, PublicKey)> {
    bob_doc()
        .methods(Relationship::KeyAgreement)
        .filter_map(|vm| {
            let key = vm.public_key().ok()?;
            (key.curve() == Curve::X25519).then(|| (vm.id.clone(), key))
        })
        .collect()
}

/// Encrypts `plaintext` to Bob's X25519 keys, authcrypt from `sender` or anoncrypt, with no
/// from_prior checks.
fn encrypt_raw(plaintext: &[u8], sender: Option<&Secret>) -> String {
    let keys = bob_x25519();
    let recipients: Vec<jwe::Recipient<'_>> = keys
        .iter()
        .map(|(kid, key)| jwe::Recipient { kid, key })
        .collect();
    let sender = sender.map(|s| jwe::Sender {
        kid: &s.kid,
        key: &s.key,
    });
    block_on(jwe::encrypt(
        plaintext,
        ContentEnc::A256CbcHs512,
        &recipients,
        sender,
    ))
    .unwrap()
}

fn secret_of(identity: &Identity, kid_suffix: &str) -> Secret {
    identity
        .secrets
        .iter()
        .find(|s| s.kid.ends_with(kid_suffix))
        .unwrap()
        .clone()
}

/// `message(from, jwt)` authcrypted by `sender` (whose DID is `from`) without pack's checks;
/// Bob's agent also knows `sender`'s document.
fn authcrypt_raw(sender: &Identity, jwt: &str) -> String {
    let m = message(&sender.doc.id, jwt);
    encrypt_raw(
        m.to_json().as_bytes(),
        Some(&secret_of(sender, "#ka-x25519")),
    )
}

fn bob_knowing(extra: &Identity, w: &World) -> Agent {
    agent(
        &[alice_doc(), bob_doc(), w.new.doc.clone(), extra.doc.clone()],
        store_secrets(&secrets("secrets-bob.json")),
    )
}

// ---------------------------------------------------------------------------------------
// Rotations that work
// ---------------------------------------------------------------------------------------

#[test]
fn rotation_with_every_signing_algorithm() {
    let w = world();
    for (kid, alg) in [
        ("did:example:alice#key-1", SignAlg::EdDsa),
        ("did:example:alice#key-2", SignAlg::Es256),
        ("did:example:alice#key-3", SignAlg::Es256K),
    ] {
        let claims = FromPrior::new(ALICE, NEW, IAT);
        let (jwt, used) = block_on(w.alice.pack_from_prior(&claims, Some(kid))).unwrap();
        assert_eq!(used, kid);
        let p = parts(&jwt);
        assert_eq!(p.len(), 3);
        assert_eq!(
            decode_json(&p[0]),
            json!({"alg": alg.name(), "kid": kid, "typ": "JWT"})
        );
        assert_eq!(decode_json(&p[1]), claims_json(ALICE, NEW));

        let (verified, verified_kid) = block_on(w.bob.verify_from_prior(&jwt)).unwrap();
        assert_eq!((verified, verified_kid.as_str()), (claims.clone(), kid));

        let msg = message(NEW, &jwt);
        let (packed, _) =
            block_on(w.alice.pack_encrypted(&msg, BOB, &authcrypt_from(NEW))).unwrap();
        let (got, meta) = unpack(&w.bob, &packed).unwrap();
        assert_eq!(got, msg, "{alg}");
        assert_eq!(meta.from_prior.as_ref(), Some(&claims), "{alg}");
        assert_eq!(meta.from_prior_issuer_kid.as_deref(), Some(kid), "{alg}");
        assert_eq!(
            meta.encrypted_from_kid.as_deref(),
            Some("did:example:alice-new#ka-x25519")
        );
    }
}

#[test]
fn default_issuer_key_is_the_first_authentication_key_held() {
    let w = world();
    let claims = FromPrior::new(ALICE, NEW, IAT);
    let (_, kid) = block_on(w.alice.pack_from_prior(&claims, None)).unwrap();
    assert_eq!(kid, "did:example:alice#key-1");

    // Holding only key-3 (secp256k1), that one signs.
    let only_k3 = agent(
        &[alice_doc()],
        store_secrets(&secrets("secrets-alice.json"))
            .into_iter()
            .filter(|s| s.kid.ends_with("#key-3")),
    );
    let (jwt, kid) = block_on(only_k3.pack_from_prior(&claims, None)).unwrap();
    assert_eq!(kid, "did:example:alice#key-3");
    assert_eq!(decode_json(&parts(&jwt)[0])["alg"], "ES256K");
}

#[test]
fn optional_claims_are_carried_as_they_are() {
    let w = world();
    let claims = FromPrior {
        aud: Some("did:example:bob".into()),
        exp: Some(IAT + 3600),
        nbf: Some(IAT - 60),
        jti: Some("rotation-7".into()),
        ..FromPrior::new(ALICE, NEW, IAT)
    };
    let (jwt, _) = block_on(w.alice.pack_from_prior(&claims, None)).unwrap();
    assert_eq!(
        decode_json(&parts(&jwt)[1]),
        json!({"iss": ALICE, "sub": NEW, "iat": IAT, "aud": BOB, "exp": IAT + 3600,
            "nbf": IAT - 60, "jti": "rotation-7"})
    );
    let msg = message(NEW, &jwt);
    let (packed, _) = block_on(w.alice.pack_encrypted(&msg, BOB, &authcrypt_from(NEW))).unwrap();
    let (_, meta) = unpack(&w.bob, &packed).unwrap();
    assert_eq!(meta.from_prior, Some(claims));
}

#[cfg(feature = "did-methods")]
#[test]
fn rotation_to_a_created_peer_did_signed_and_sender_protected() {
    use didcomm_wasm::did::identity::{create_peer_2, PeerOptions};
    let peer = create_peer_2(&PeerOptions::default()).unwrap();
    let docs = [alice_doc(), bob_doc(), peer.document.clone()];
    let mut held = store_secrets(&secrets("secrets-alice.json"));
    held.extend(peer.secrets.clone());
    let alice = agent(&docs, held);
    let bob = agent(&docs, store_secrets(&secrets("secrets-bob.json")));

    let claims = FromPrior::new(ALICE, &peer.did, IAT);
    let (jwt, kid) = block_on(alice.pack_from_prior(&claims, None)).unwrap();
    let msg = message(&peer.did, &jwt);
    let options = PackEncryptedOptions {
        from: Some(peer.did.clone()),
        sign_by: Some(peer.did.clone()),
        protect_sender: true,
        ..Default::default()
    };
    let (packed, _) = block_on(alice.pack_encrypted(&msg, BOB, &options)).unwrap();
    let (got, meta) = unpack(&bob, &packed).unwrap();
    assert_eq!(got.from.as_deref(), Some(peer.did.as_str()));
    assert!(meta.anonymous_sender && meta.non_repudiation && meta.authenticated);
    assert_eq!(meta.from_prior, Some(claims));
    assert_eq!(meta.from_prior_issuer_kid, Some(kid));
}

#[test]
fn anoncrypt_around_a_signed_rotation_is_authenticated_enough() {
    // The pack API always authcrypts a rotation; a peer may sign and anoncrypt instead.
    let w = world();
    let (jwt, _) = block_on(
        w.alice
            .pack_from_prior(&FromPrior::new(ALICE, NEW, IAT), None),
    )
    .unwrap();
    let m = message(NEW, &jwt);
    let auth = secret_of(&w.new, "#auth-ed25519");
    let (_, signed) = block_on(jws::sign(m.to_json().as_bytes(), &auth.kid, &auth.key)).unwrap();
    let packed = encrypt_raw(signed.as_bytes(), None);
    let (_, meta) = unpack(&w.bob, &packed).unwrap();
    assert!(meta.anonymous_sender && meta.non_repudiation);
    assert_eq!(
        meta.from_prior_issuer_kid.as_deref(),
        Some("did:example:alice#key-1")
    );
}

// ---------------------------------------------------------------------------------------
// Unpack refuses
// ---------------------------------------------------------------------------------------

/// A valid rotation JWT from Alice to the new DID, signed with key-1.
fn valid_jwt(w: &World) -> String {
    block_on(
        w.alice
            .pack_from_prior(&FromPrior::new(ALICE, NEW, IAT), None),
    )
    .unwrap()
    .0
}

/// The new DID sends `jwt` to Bob, authcrypted, without pack's from_prior checks.
fn sent_by_new(w: &World, jwt: &str) -> Result<(Message, UnpackMetadata), Error> {
    unpack(&w.bob, &authcrypt_raw(&w.new, jwt))
}

#[test]
fn a_jwt_signed_by_another_key_fails_verification() {
    let w = world();
    let impostor = SecretKey::generate(Curve::Ed25519).unwrap();
    let jwt = forge(
        &claims_json(ALICE, NEW),
        "did:example:alice#key-1",
        &impostor,
    );
    assert_kind(
        sent_by_new(&w, &jwt),
        ErrorKind::VerificationFailed,
        &["from_prior", "did:example:alice#key-1"],
    );
    // Alice's own P-256 key under the kid of her Ed25519 key: alg and key disagree.
    let jwt = forge(
        &claims_json(ALICE, NEW),
        "did:example:alice#key-1",
        &alice_secret("did:example:alice#key-2"),
    );
    assert_kind(
        sent_by_new(&w, &jwt),
        ErrorKind::Inconsistent,
        &["ES256", "Ed25519", "did:example:alice#key-1"],
    );
}

#[test]
fn sub_must_be_the_message_from() {
    let w = world();
    let carol = identity("carol", &[Curve::X25519], &[]);
    let bob = bob_knowing(&carol, &w);
    let jwt = valid_jwt(&w);
    // Carol forwards Alice's rotation to the new DID as if it were hers.
    let packed = authcrypt_raw(&carol, &jwt);
    assert_kind(
        unpack(&bob, &packed),
        ErrorKind::Inconsistent,
        &["'sub'", NEW, "did:example:carol"],
    );
}

#[test]
fn a_tampered_jwt_fails_verification() {
    let w = world();
    let jwt = valid_jwt(&w);
    let p = parts(&jwt);

    // Another iat in the payload.
    let payload = b64::encode(json!({"iss": ALICE, "sub": NEW, "iat": IAT + 1}).to_string());
    let tampered = format!("{}.{payload}.{}", p[0], p[2]);
    assert_kind(
        sent_by_new(&w, &tampered),
        ErrorKind::VerificationFailed,
        &["from_prior", "did:example:alice#key-1"],
    );

    // One bit of the signature.
    let mut sig = b64::decode(&p[2], "test").unwrap();
    sig[10] ^= 0x01;
    let tampered = format!("{}.{}.{}", p[0], p[1], b64::encode(sig));
    assert_kind(
        sent_by_new(&w, &tampered),
        ErrorKind::VerificationFailed,
        &["from_prior", "did:example:alice#key-1"],
    );

    // Mallory retargets Alice's rotation to her own DID and sends it from there.
    let mallory = identity("mallory", &[Curve::X25519], &[]);
    let bob = bob_knowing(&mallory, &w);
    let payload =
        b64::encode(json!({"iss": ALICE, "sub": "did:example:mallory", "iat": IAT}).to_string());
    let retargeted = format!("{}.{payload}.{}", p[0], p[2]);
    assert_kind(
        unpack(&bob, &authcrypt_raw(&mallory, &retargeted)),
        ErrorKind::VerificationFailed,
        &["did:example:alice#key-1"],
    );
}

#[test]
fn the_kid_must_be_an_authentication_key_of_iss() {
    let w = world();
    let key = alice_secret("did:example:alice#key-1");
    for kid in ["did:example:alice#key-99", "did:example:alice#key-x25519-1"] {
        let jwt = forge(&claims_json(ALICE, NEW), kid, &key);
        assert_kind(
            sent_by_new(&w, &jwt),
            ErrorKind::KidNotFound,
            &["from_prior", kid, "authentication"],
        );
    }
    // A kid of another DID than iss is refused before anything is resolved.
    let jwt = forge(&claims_json(ALICE, NEW), "did:example:bob#key-1", &key);
    assert_kind(
        sent_by_new(&w, &jwt),
        ErrorKind::Inconsistent,
        &["'kid'", "did:example:bob#key-1", "'iss'", ALICE],
    );
}

#[test]
fn an_unknown_prior_did_is_not_found() {
    let w = world();
    let key = SecretKey::generate(Curve::Ed25519).unwrap();
    let jwt = forge(
        &claims_json("did:example:nobody", NEW),
        "did:example:nobody#key-1",
        &key,
    );
    assert_kind(
        sent_by_new(&w, &jwt),
        ErrorKind::DidNotFound,
        &["from_prior", "did:example:nobody"],
    );
}

#[test]
fn iss_equal_to_sub_is_no_rotation() {
    let w = world();
    let jwt = forge(
        &claims_json(NEW, NEW),
        "did:example:alice-new#auth-ed25519",
        &secret_of(&w.new, "#auth-ed25519").key,
    );
    assert_kind(
        sent_by_new(&w, &jwt),
        ErrorKind::Inconsistent,
        &["'iss'", "'sub'", NEW],
    );
}

/// Malformed JWTs, each with what its error must mention.
fn malformed_jwts(w: &World) -> Vec<(String, &'static str)> {
    let p = parts(&valid_jwt(w));
    let enc = |v: Value| b64::encode(v.to_string());
    let header = |v: Value| format!("{}.{}.{}", enc(v), p[1], p[2]);
    let claims = |v: Value| format!("{}.{}.{}", p[0], enc(v), p[2]);
    let kid = "did:example:alice#key-1";
    vec![
        (String::new(), "three base64url parts"),
        ("not a jwt".into(), "three base64url parts"),
        (format!("{}.{}", p[0], p[1]), "three base64url parts"),
        (
            format!("{}.{}.{}.{}", p[0], p[1], p[2], p[2]),
            "three base64url parts",
        ),
        (
            format!(".{}.{}", p[1], p[2]),
            "protected header is not JSON",
        ),
        (
            format!("*.{}.{}", p[1], p[2]),
            "protected header is not valid base64url",
        ),
        (
            format!("{}.{}.{}", p[0], "%%", p[2]),
            "payload is not valid base64url",
        ),
        (
            format!("{}.{}.{}", p[0], p[1], "a*"),
            "signature is not valid base64url",
        ),
        (
            format!("{}.{}.{}", b64::encode("{"), p[1], p[2]),
            "protected header is not JSON",
        ),
        (
            header(json!(["EdDSA"])),
            "protected header must be a JSON object",
        ),
        (
            header(json!({"kid": kid, "typ": "JWT"})),
            "protected header has no 'alg'",
        ),
        (
            header(json!({"alg": "EdDSA", "typ": "JWT"})),
            "has no 'kid'",
        ),
        (header(json!({"alg": "EdDSA", "kid": 1})), "has no 'kid'"),
        (
            header(json!({"alg": "EdDSA", "kid": kid, "typ": "JOSE+JSON"})),
            "typ must be JWT",
        ),
        (
            format!("{}.{}.{}", p[0], b64::encode("{\"iss\""), p[2]),
            "claims set is not JSON",
        ),
        (claims(json!("iss")), "claims set must be a JSON object"),
        (claims(json!({"sub": NEW, "iat": IAT})), "has no 'iss'"),
        (claims(json!({"iss": ALICE, "iat": IAT})), "has no 'sub'"),
        (claims(json!({"iss": ALICE, "sub": NEW})), "has no 'iat'"),
        (
            claims(json!({"iss": ALICE, "sub": NEW, "iat": "now"})),
            "'iat' must be an integer",
        ),
        (
            claims(json!({"iss": ALICE, "sub": NEW, "iat": -1})),
            "'iat' must be a non-negative",
        ),
        (
            claims(json!({"iss": ALICE, "sub": NEW, "iat": IAT, "exp": "x"})),
            "'exp'",
        ),
        (
            claims(json!({"iss": ALICE, "sub": NEW, "iat": IAT, "aud": 5})),
            "'aud' must be a string",
        ),
        (
            claims(json!({"iss": "alice", "sub": NEW, "iat": IAT})),
            "'iss' must be a DID",
        ),
        (
            claims(json!({"iss": ALICE, "sub": "did:example:x#k", "iat": IAT})),
            "'sub' must be a DID",
        ),
    ]
}

#[test]
fn a_malformed_jwt_is_malformed() {
    let w = world();
    for (jwt, needle) in malformed_jwts(&w) {
        assert_kind(
            sent_by_new(&w, &jwt),
            ErrorKind::Malformed,
            &[needle, "from_prior"],
        );
        assert_kind(
            block_on(w.bob.verify_from_prior(&jwt)),
            ErrorKind::Malformed,
            &[needle],
        );
    }
    // Unsupported, not malformed: an unknown alg.
    let p = parts(&valid_jwt(&w));
    for (header, needle) in [
        (
            json!({"alg": "HS256", "kid": "did:example:alice#key-1"}),
            "HS256",
        ),
        (
            json!({"alg": "none", "kid": "did:example:alice#key-1"}),
            "'none'",
        ),
    ] {
        let jwt = format!("{}.{}.{}", b64::encode(header.to_string()), p[1], p[2]);
        assert_kind(sent_by_new(&w, &jwt), ErrorKind::Unsupported, &[needle]);
    }
}

#[test]
fn an_empty_signature_does_not_verify() {
    let w = world();
    let p = parts(&valid_jwt(&w));
    assert_kind(
        sent_by_new(&w, &format!("{}.{}.", p[0], p[1])),
        ErrorKind::VerificationFailed,
        &["from_prior", "did:example:alice#key-1"],
    );
}

#[test]
fn a_rotation_must_be_encrypted_and_authenticated() {
    let w = world();
    let jwt = valid_jwt(&w);
    let m = message(NEW, &jwt);

    let anoncrypt = encrypt_raw(m.to_json().as_bytes(), None);
    assert_kind(
        unpack(&w.bob, &anoncrypt),
        ErrorKind::Inconsistent,
        &["'from_prior'", "anoncrypt"],
    );
    assert_kind(
        unpack(&w.bob, &m.to_json()),
        ErrorKind::Inconsistent,
        &["'from_prior'", "plaintext"],
    );
    let auth = secret_of(&w.new, "#auth-ed25519");
    let (_, signed) = block_on(jws::sign(m.to_json().as_bytes(), &auth.kid, &auth.key)).unwrap();
    assert_kind(
        unpack(&w.bob, &signed),
        ErrorKind::Inconsistent,
        &["'from_prior'", "signed but not encrypted"],
    );
}

// ---------------------------------------------------------------------------------------
// Pack refuses
// ---------------------------------------------------------------------------------------

#[test]
fn pack_refuses_a_rotation_it_cannot_send() {
    let w = world();
    let jwt = valid_jwt(&w);
    let m = message(NEW, &jwt);
    assert_kind(
        w.alice.pack_plaintext(&m),
        ErrorKind::IllegalArgument,
        &["'from_prior'", "plaintext"],
    );
    assert_kind(
        block_on(w.alice.pack_signed(&m, NEW)),
        ErrorKind::IllegalArgument,
        &["'from_prior'", "encrypted"],
    );
    assert_kind(
        block_on(
            w.alice
                .pack_encrypted(&m, BOB, &PackEncryptedOptions::default()),
        ),
        ErrorKind::IllegalArgument,
        &["'from_prior'", "'from'"],
    );
    // Sent from another DID than the JWT's sub.
    let carol = identity("carol", &[Curve::X25519], &[]);
    let sender = agent(
        &[alice_doc(), bob_doc(), carol.doc.clone()],
        carol.secrets.clone(),
    );
    let from_carol = message("did:example:carol", &jwt);
    assert_kind(
        block_on(sender.pack_encrypted(&from_carol, BOB, &authcrypt_from("did:example:carol"))),
        ErrorKind::IllegalArgument,
        &["'sub'", NEW, "did:example:carol"],
    );
    // The JWT is checked as unpack will check it.
    let p = parts(&jwt);
    let payload = b64::encode(json!({"iss": ALICE, "sub": NEW, "iat": IAT + 1}).to_string());
    let tampered = message(NEW, &format!("{}.{payload}.{}", p[0], p[2]));
    assert_kind(
        block_on(w.alice.pack_encrypted(&tampered, BOB, &authcrypt_from(NEW))),
        ErrorKind::VerificationFailed,
        &["did:example:alice#key-1"],
    );
    assert_kind(
        block_on(
            w.alice
                .pack_encrypted(&message(NEW, "x.y"), BOB, &authcrypt_from(NEW)),
        ),
        ErrorKind::Malformed,
        &["from_prior"],
    );
}

#[test]
fn pack_from_prior_refuses_bad_claims_and_keys() {
    let w = world();
    let pack =
        |claims: FromPrior, kid: Option<&str>| block_on(w.alice.pack_from_prior(&claims, kid));
    assert_kind(
        pack(FromPrior::new(ALICE, ALICE, IAT), None),
        ErrorKind::IllegalArgument,
        &["'iss'", "'sub'"],
    );
    assert_kind(
        pack(FromPrior::new(ALICE, "bob", IAT), None),
        ErrorKind::IllegalArgument,
        &["'sub'", "'bob'"],
    );
    assert_kind(
        pack(FromPrior::new(ALICE, "did:example:x#key-1", IAT), None),
        ErrorKind::IllegalArgument,
        &["'sub'"],
    );
    assert_kind(
        pack(FromPrior::new("", NEW, IAT), None),
        ErrorKind::IllegalArgument,
        &["'iss'"],
    );
    let claims = FromPrior::new(ALICE, NEW, IAT);
    for kid in ["did:example:bob#key-1", "key-1"] {
        assert_kind(
            pack(claims.clone(), Some(kid)),
            ErrorKind::IllegalArgument,
            &["issuerKid", kid],
        );
    }
    assert_kind(
        pack(claims.clone(), Some("did:example:alice#key-x25519-1")),
        ErrorKind::KidNotFound,
        &["did:example:alice#key-x25519-1", "authentication"],
    );
    assert_kind(
        block_on(w.bob.pack_from_prior(&claims, None)),
        ErrorKind::SecretNotFound,
        &["did:example:alice#key-1"],
    );
    assert_kind(
        pack(FromPrior::new("did:example:nobody", NEW, IAT), None),
        ErrorKind::DidNotFound,
        &["did:example:nobody"],
    );
}

// ---------------------------------------------------------------------------------------
// No panic on any input
// ---------------------------------------------------------------------------------------

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn verifier() -> &'static Agent {
        static AGENT: std::sync::OnceLock<Agent> = std::sync::OnceLock::new();
        AGENT.get_or_init(|| agent(&[alice_doc()], []))
    }

    fn a_jwt() -> &'static str {
        static JWT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        JWT.get_or_init(|| {
            forge(
                &claims_json(ALICE, NEW),
                "did:example:alice#key-1",
                &alice_secret("did:example:alice#key-1"),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn random_text_never_panics(text in ".{0,200}") {
            prop_assert!(block_on(verifier().verify_from_prior(&text)).is_err());
        }

        #[test]
        fn damaged_jwts_never_panic(cut in any::<usize>(), at in any::<usize>(), byte in 0x20u8..0x7f) {
            let mut bytes = a_jwt().as_bytes().to_vec();
            let at = at % bytes.len();
            bytes[at] = byte;
            bytes.truncate(bytes.len() - cut % 4);
            let text = String::from_utf8(bytes).unwrap();
            let _ = block_on(verifier().verify_from_prior(&text));
        }
    }

    #[test]
    fn the_undamaged_jwt_verifies() {
        block_on(verifier().verify_from_prior(a_jwt())).unwrap();
    }
}
