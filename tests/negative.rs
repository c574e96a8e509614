//! Negative tests: every tampered, forged, inconsistent or malformed input fails with the
//! one `ErrorKind` that describes it (and a message naming the offending field or kid),
//! and every bad argument to the pack API is refused with the right kind.
//!
//! Envelopes come from the spec vectors and from fresh packs; tampering keeps the JSON
//! parseable, so the check under test (crypto, consistency, support) is what fails.

mod common;

use common::*;
use didcomm_wasm::crypto::{Curve, PublicKey, SecretKey};
use didcomm_wasm::did::Relationship;
use didcomm_wasm::jose::{b64, jwe, jwk, jws};
use didcomm_wasm::{
    ContentEnc, Error, ErrorKind, Message, PackEncryptedOptions, Secret, UnpackOptions,
};
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

const ALICE: &str = "did:example:alice";
const BOB: &str = "did:example:bob";

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn unpack_with(agent: &Agent, packed: &str, all_keys: bool) -> Result<Message, Error> {
    let options = UnpackOptions {
        expect_decrypt_by_all_keys: all_keys,
        ..Default::default()
    };
    block_on(agent.unpack(packed, &options)).map(|(message, _)| message)
}

/// Unpacking fails with `kind`, with the default options and with
/// `expect_decrypt_by_all_keys`; returns the error of the default options.
#[track_caller]
fn assert_unpack_fails(agent: &Agent, packed: &str, kind: ErrorKind, what: &str) -> Error {
    let mut first = None;
    for all_keys in [false, true] {
        match unpack_with(agent, packed, all_keys) {
            Ok(_) => panic!("{what} (all_keys={all_keys}): unpacked, expected {kind:?}"),
            Err(e) => {
                assert_eq!(e.kind(), kind, "{what} (all_keys={all_keys}): {e}");
                first.get_or_insert(e);
            }
        }
    }
    first.unwrap()
}

#[track_caller]
fn assert_mentions(e: &Error, needle: &str, what: &str) {
    assert!(
        e.message().contains(needle),
        "{what}: message {:?} does not mention {needle:?}",
        e.message()
    );
}

/// Flips one bit in the middle of the decoded bytes of a base64url string.
fn flip_b64(text: &str) -> String {
    let mut bytes = b64::decode(text, "test").unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    b64::encode(bytes)
}

/// Flips a bit of the base64url string member at JSON pointer `ptr`.
fn flip_member(v: &mut Value, ptr: &str) {
    let s = v.pointer_mut(ptr).unwrap_or_else(|| panic!("no {ptr}"));
    *s = Value::String(flip_b64(s.as_str().unwrap()));
}

/// The decoded protected header (base64url JSON) at JSON pointer `ptr`.
fn header_at(v: &Value, ptr: &str) -> Map<String, Value> {
    let text = v.pointer(ptr).and_then(Value::as_str).unwrap();
    serde_json::from_slice(&b64::decode(text, "test").unwrap()).unwrap()
}

/// Decodes the protected header at `ptr`, edits it, and re-encodes it.
fn edit_header_at(v: &mut Value, ptr: &str, edit: impl FnOnce(&mut Map<String, Value>)) {
    let mut header = header_at(v, ptr);
    edit(&mut header);
    *v.pointer_mut(ptr).unwrap() = Value::String(b64::encode(Value::Object(header).to_string()));
}

fn edit_protected(v: &mut Value, edit: impl FnOnce(&mut Map<String, Value>)) {
    edit_header_at(v, "/protected", edit);
}

fn recipients_mut(v: &mut Value) -> &mut Vec<Value> {
    v["recipients"].as_array_mut().unwrap()
}

fn recipient_kids(v: &Value) -> Vec<String> {
    v["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["header"]["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// The spec plaintext with `edit` applied, as JSON bytes.
fn plaintext_with(edit: impl FnOnce(&mut Map<String, Value>)) -> Vec<u8> {
    let mut value = vector_json("plaintext.json");
    edit(value.as_object_mut().unwrap());
    value.to_string().into_bytes()
}

fn spec_message() -> Message {
    Message::from_value(&vector_json("plaintext.json")).unwrap()
}

fn alice_secret(kid: &str) -> SecretKey {
    secrets("secrets-alice.json").get(kid).unwrap().key.clone()
}

fn bob_secret(kid: &str) -> SecretKey {
    secrets("secrets-bob.json").get(kid).unwrap().key.clone()
}

fn agreement_key(doc: &didcomm_wasm::DidDocument, kid: &str) -> PublicKey {
    doc.method_in(kid, Relationship::KeyAgreement)
        .unwrap()
        .public_key()
        .unwrap()
}

/// Bob's keyAgreement kids whose id contains `#key-<tag>-` (tag: x25519, p256, p384, p521).
fn bob_kids(tag: &str) -> Vec<String> {
    let marker = format!("#key-{tag}-");
    bob_doc()
        .key_agreement
        .iter()
        .filter(|k| k.contains(&marker))
        .cloned()
        .collect()
}

/// A JWE built with the low-level `jwe::encrypt` to the given kids of Bob's document;
/// authcrypt when `sender` is given.
fn encrypt_to_bob(
    plaintext: &[u8],
    kids: &[String],
    enc: ContentEnc,
    sender: Option<(&str, &SecretKey)>,
) -> String {
    let doc = bob_doc();
    let keys: Vec<(String, PublicKey)> = kids
        .iter()
        .map(|k| (k.clone(), agreement_key(&doc, k)))
        .collect();
    let recipients: Vec<jwe::Recipient<'_>> = keys
        .iter()
        .map(|(kid, key)| jwe::Recipient { kid, key })
        .collect();
    let sender = sender.map(|(kid, key)| jwe::Sender { kid, key });
    block_on(jwe::encrypt(plaintext, enc, &recipients, sender)).unwrap()
}

/// Authcrypt from Alice's X25519 key to Bob's X25519 keys.
fn authcrypt_x25519(plaintext: &[u8]) -> String {
    let skid = "did:example:alice#key-x25519-1";
    encrypt_to_bob(
        plaintext,
        &bob_kids("x25519"),
        ContentEnc::A256CbcHs512,
        Some((skid, &alice_secret(skid))),
    )
}

/// Anoncrypt to Bob's X25519 keys.
fn anoncrypt_x25519(plaintext: &[u8]) -> String {
    encrypt_to_bob(plaintext, &bob_kids("x25519"), ContentEnc::Xc20p, None)
}

/// Decrypts one JWE layer as Bob (first recipient), with the low-level API.
fn decrypt_as_bob(text: &str) -> Vec<u8> {
    let parsed = jwe::Jwe::parse(&parse(text)).unwrap();
    let kid = parsed.recipients[0].0.clone();
    let sender = parsed
        .skid
        .as_deref()
        .map(|skid| agreement_key(&alice_doc(), skid));
    let cek = block_on(parsed.unwrap_cek(&kid, &bob_secret(&kid), sender.as_ref())).unwrap();
    block_on(parsed.decrypt(&cek)).unwrap()
}

/// A JWS over `payload` by `kid` with `key`, built with the low-level `jws::sign`.
fn sign(payload: &[u8], kid: &str, key: &SecretKey) -> String {
    block_on(jws::sign(payload, kid, key)).unwrap().1
}

fn public_jwk(curve: Curve) -> Value {
    Value::Object(jwk::public_to_jwk(
        &SecretKey::generate(curve).unwrap().public_key(),
    ))
}

// ---------------------------------------------------------------------------------------
// Corpus: valid envelopes from the vectors and from fresh packs
// ---------------------------------------------------------------------------------------

/// A valid envelope and an agent that unpacks it.
struct Case {
    name: String,
    packed: String,
    receiver: Agent,
}

impl Case {
    fn value(&self) -> Value {
        parse(&self.packed)
    }
}

/// Checks that the untampered envelope unpacks under both options, so that a failure
/// after tampering is caused by the tampering.
fn case(name: impl Into<String>, packed: String, receiver: Agent) -> Case {
    let name = name.into();
    for all_keys in [false, true] {
        if let Err(e) = unpack_with(&receiver, &packed, all_keys) {
            panic!("corpus {name} does not unpack untampered (all_keys={all_keys}): {e}");
        }
    }
    Case {
        name,
        packed,
        receiver,
    }
}

fn pack_fresh(to: &str, options: PackEncryptedOptions) -> String {
    block_on(spec_alice().pack_encrypted(&spec_message(), to, &options))
        .unwrap()
        .0
}

/// Every JWE: the six vectors, fresh anoncrypt on every curve and content algorithm,
/// fresh authcrypt on every curve (P-384 with generated identities, Alice has none),
/// and anoncrypt(authcrypt(signed)).
fn jwe_corpus() -> Vec<Case> {
    let mut cases: Vec<Case> = JWE_VECTORS
        .iter()
        .map(|name| case(*name, vector(name), spec_bob()))
        .collect();
    let alice = || Some(ALICE.to_owned());
    for enc in ContentEnc::ALL {
        let options = PackEncryptedOptions {
            enc_alg_anon: enc,
            ..Default::default()
        };
        cases.push(case(
            format!("fresh anoncrypt X25519 x3 {enc}"),
            pack_fresh(BOB, options),
            spec_bob(),
        ));
    }
    for (to, enc) in [
        ("did:example:bob#key-p256-1", ContentEnc::A256Gcm),
        ("did:example:bob#key-p384-2", ContentEnc::Xc20p),
        ("did:example:bob#key-p521-1", ContentEnc::A256CbcHs512),
    ] {
        let options = PackEncryptedOptions {
            enc_alg_anon: enc,
            ..Default::default()
        };
        cases.push(case(
            format!("fresh anoncrypt {to} {enc}"),
            pack_fresh(to, options),
            spec_bob(),
        ));
    }
    for (from, to) in [
        (ALICE, BOB),
        ("did:example:alice#key-p256-1", BOB),
        ("did:example:alice#key-p521-1", "did:example:bob#key-p521-2"),
    ] {
        let options = PackEncryptedOptions {
            from: Some(from.to_owned()),
            ..Default::default()
        };
        cases.push(case(
            format!("fresh authcrypt {from} -> {to}"),
            pack_fresh(to, options),
            spec_bob(),
        ));
    }
    let options = PackEncryptedOptions {
        from: alice(),
        sign_by: alice(),
        protect_sender: true,
        enc_alg_anon: ContentEnc::A256Gcm,
        ..Default::default()
    };
    cases.push(case(
        "fresh anoncrypt(authcrypt(signed))",
        pack_fresh(BOB, options),
        spec_bob(),
    ));

    let gen_alice = identity("alice", &[Curve::P384], &[]);
    let gen_bob = identity("bob", &[Curve::P384, Curve::P384], &[]);
    let docs = [gen_alice.doc.clone(), gen_bob.doc.clone()];
    let sender = agent(&docs, gen_alice.secrets.clone());
    let options = PackEncryptedOptions {
        from: alice(),
        ..Default::default()
    };
    let packed = block_on(sender.pack_encrypted(&spec_message(), BOB, &options))
        .unwrap()
        .0;
    cases.push(case(
        "fresh authcrypt P-384 x2 (generated)",
        packed,
        agent(&docs, gen_bob.secrets.clone()),
    ));
    cases
}

/// Every JWS: the three vectors and fresh signatures with each of Alice's keys.
fn jws_corpus() -> Vec<Case> {
    let mut cases: Vec<Case> = JWS_VECTORS
        .iter()
        .map(|name| case(*name, vector(name), spec_bob()))
        .collect();
    for kid in [
        "did:example:alice#key-1",
        "did:example:alice#key-2",
        "did:example:alice#key-3",
    ] {
        let (packed, _) = block_on(spec_alice().pack_signed(&spec_message(), kid)).unwrap();
        cases.push(case(format!("fresh JWS {kid}"), packed, spec_bob()));
    }
    cases
}

// ---------------------------------------------------------------------------------------
// JWE: every member tampered
// ---------------------------------------------------------------------------------------

#[test]
fn jwe_protected_header_with_an_extra_member_fails_decryption() {
    for c in jwe_corpus() {
        let mut v = c.value();
        edit_protected(&mut v, |h| {
            h.insert("x".into(), json!(1));
        });
        assert_unpack_fails(
            &c.receiver,
            &v.to_string(),
            ErrorKind::DecryptionFailed,
            &c.name,
        );
    }
}

#[test]
fn jwe_protected_header_reencoded_without_change_of_meaning_fails_decryption() {
    // Same members, different bytes (re-serialised with a space): the AAD is the string
    // as sent, so this must fail too.
    for c in jwe_corpus() {
        let mut v = c.value();
        let header = header_at(&v, "/protected");
        let text = serde_json::to_string_pretty(&header).unwrap();
        v["protected"] = Value::String(b64::encode(text));
        assert_unpack_fails(
            &c.receiver,
            &v.to_string(),
            ErrorKind::DecryptionFailed,
            &c.name,
        );
    }
}

#[test]
fn jwe_enc_swapped_for_another_supported_value_fails() {
    // Anoncrypt: the content key unwraps (enc is not an input of the KDF), then the swap is
    // caught by the content key length (DecryptionFailed) or, when the key lengths agree
    // (A256GCM <-> XC20P), by the iv length (Malformed). Authcrypt allows A256CBC-HS512
    // only (Unsupported).
    for c in jwe_corpus() {
        let original = c.value();
        let header = header_at(&original, "/protected");
        let old = ContentEnc::from_name(header["enc"].as_str().unwrap()).unwrap();
        let authcrypt = header["alg"] == "ECDH-1PU+A256KW";
        for new in ContentEnc::ALL.into_iter().filter(|e| *e != old) {
            let mut v = original.clone();
            edit_protected(&mut v, |h| {
                h.insert("enc".into(), new.name().into());
            });
            let expected = if authcrypt {
                ErrorKind::Unsupported
            } else if new.key_len() != old.key_len() {
                ErrorKind::DecryptionFailed
            } else {
                ErrorKind::Malformed
            };
            let what = format!("{}: enc {old} -> {new}", c.name);
            let e = assert_unpack_fails(&c.receiver, &v.to_string(), expected, &what);
            if expected != ErrorKind::DecryptionFailed {
                assert_mentions(&e, new.name(), &what);
            }
        }
    }
}

/// Flipping one bit of the base64url member at `ptr` fails decryption for every JWE.
fn assert_member_flip_fails_decryption(ptr: &str) {
    for c in jwe_corpus() {
        let mut v = c.value();
        flip_member(&mut v, ptr);
        assert_unpack_fails(
            &c.receiver,
            &v.to_string(),
            ErrorKind::DecryptionFailed,
            &c.name,
        );
    }
}

#[test]
fn jwe_iv_bit_flip_fails_decryption() {
    assert_member_flip_fails_decryption("/iv");
}

#[test]
fn jwe_ciphertext_bit_flip_fails_decryption() {
    assert_member_flip_fails_decryption("/ciphertext");
}

#[test]
fn jwe_tag_bit_flip_fails_decryption() {
    assert_member_flip_fails_decryption("/tag");
}

#[test]
fn jwe_every_encrypted_key_flipped_fails_decryption() {
    for c in jwe_corpus() {
        let mut v = c.value();
        for r in recipients_mut(&mut v) {
            flip_member(r, "/encrypted_key");
        }
        let e = assert_unpack_fails(
            &c.receiver,
            &v.to_string(),
            ErrorKind::DecryptionFailed,
            &c.name,
        );
        assert_mentions(&e, "encrypted_key", &c.name);
    }
}

#[test]
fn jwe_one_encrypted_key_flipped_decrypts_by_default_but_not_with_all_keys() {
    let mut multi = 0;
    for c in jwe_corpus() {
        let kids = recipient_kids(&c.value());
        if kids.len() < 2 {
            continue;
        }
        multi += 1;
        for (i, kid) in kids.iter().enumerate() {
            let mut v = c.value();
            flip_member(&mut recipients_mut(&mut v)[i], "/encrypted_key");
            let what = format!("{}: recipient {i} ({kid}) altered", c.name);
            if let Err(e) = unpack_with(&c.receiver, &v.to_string(), false) {
                panic!("{what}: the other recipients' keys must still decrypt: {e}");
            }
            let e = unpack_with(&c.receiver, &v.to_string(), true)
                .err()
                .unwrap_or_else(|| panic!("{what}: unpacked with expect_decrypt_by_all_keys"));
            assert_eq!(e.kind(), ErrorKind::DecryptionFailed, "{what}: {e}");
            assert_mentions(&e, kid, &what);
        }
    }
    assert!(multi >= 8, "only {multi} multi-recipient envelopes");
}

#[test]
fn jwe_recipient_kid_changed_breaks_apv() {
    for c in jwe_corpus() {
        let mut v = c.value();
        recipients_mut(&mut v)[0]["header"]["kid"] = json!("did:example:carol#key-1");
        let e = assert_unpack_fails(
            &c.receiver,
            &v.to_string(),
            ErrorKind::Inconsistent,
            &c.name,
        );
        assert_mentions(&e, "apv", &c.name);
        assert_mentions(&e, "did:example:carol#key-1", &c.name);
    }
}

#[test]
fn jwe_recipient_dropped_or_added_breaks_apv() {
    for c in jwe_corpus() {
        let mut dropped = c.value();
        let kids = recipient_kids(&dropped);
        if kids.len() >= 2 {
            recipients_mut(&mut dropped).pop();
            let what = format!("{}: last recipient dropped", c.name);
            let e = assert_unpack_fails(
                &c.receiver,
                &dropped.to_string(),
                ErrorKind::Inconsistent,
                &what,
            );
            assert_mentions(&e, "apv", &what);
        }
        let mut added = c.value();
        let mut extra = recipients_mut(&mut added)[0].clone();
        extra["header"]["kid"] = json!("did:example:carol#key-1");
        recipients_mut(&mut added).push(extra);
        let what = format!("{}: recipient added", c.name);
        let e = assert_unpack_fails(
            &c.receiver,
            &added.to_string(),
            ErrorKind::Inconsistent,
            &what,
        );
        assert_mentions(&e, "apv", &what);
    }
}

#[test]
fn jwe_members_that_are_not_base64url_are_malformed_and_named() {
    for vector_name in [
        "anoncrypt-x25519-xc20p.json",
        "authcrypt-x25519-a256cbc.json",
    ] {
        for (ptr, name) in [
            ("/protected", "JWE protected header"),
            ("/iv", "JWE iv"),
            ("/ciphertext", "JWE ciphertext"),
            ("/tag", "JWE tag"),
            ("/recipients/1/encrypted_key", "encrypted_key"),
        ] {
            let mut v = vector_json(vector_name);
            *v.pointer_mut(ptr).unwrap() = json!("not*base64");
            let what = format!("{vector_name}: {ptr}");
            let e = assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::Malformed, &what);
            assert_mentions(&e, name, &what);
        }
    }
}

#[test]
fn jwe_typ_of_another_media_type_is_malformed() {
    for c in jwe_corpus() {
        for typ in ["application/didcomm-signed+json", "application/json", "JWE"] {
            let mut v = c.value();
            edit_protected(&mut v, |h| {
                h.insert("typ".into(), json!(typ));
            });
            let what = format!("{}: typ {typ}", c.name);
            let e = assert_unpack_fails(&c.receiver, &v.to_string(), ErrorKind::Malformed, &what);
            assert_mentions(&e, typ, &what);
        }
    }
}

// ---------------------------------------------------------------------------------------
// JWE inside JWE, JWS inside JWE: the inner layers are checked too
// ---------------------------------------------------------------------------------------

#[test]
fn inner_authcrypt_tampered_inside_anoncrypt_fails_decryption() {
    let outer = vector("signed-authcrypt-anoncrypt-p521-xc20p.json");
    let inner = String::from_utf8(decrypt_as_bob(&outer)).unwrap();
    let p521 = bob_kids("p521");
    // Sanity: re-wrapping the untouched inner authcrypt unpacks.
    let rewrapped = encrypt_to_bob(inner.as_bytes(), &p521, ContentEnc::Xc20p, None);
    unpack_with(&spec_bob(), &rewrapped, true).unwrap();
    for ptr in ["/ciphertext", "/tag", "/iv"] {
        let mut v = parse(&inner);
        flip_member(&mut v, ptr);
        let packed = encrypt_to_bob(v.to_string().as_bytes(), &p521, ContentEnc::Xc20p, None);
        assert_unpack_fails(&spec_bob(), &packed, ErrorKind::DecryptionFailed, ptr);
    }
}

#[test]
fn inner_jws_tampered_inside_authcrypt_fails_verification() {
    let outer = vector("signed-authcrypt-p256-a256cbc.json");
    let inner = String::from_utf8(decrypt_as_bob(&outer)).unwrap();
    let skid = "did:example:alice#key-p256-1";
    let p256 = bob_kids("p256");
    let rewrap = |jws: &str| {
        encrypt_to_bob(
            jws.as_bytes(),
            &p256,
            ContentEnc::A256CbcHs512,
            Some((skid, &alice_secret(skid))),
        )
    };
    unpack_with(&spec_bob(), &rewrap(&inner), true).unwrap();
    let mut v = parse(&inner);
    flip_member(&mut v, "/signatures/0/signature");
    assert_unpack_fails(
        &spec_bob(),
        &rewrap(&v.to_string()),
        ErrorKind::VerificationFailed,
        "inner signature",
    );
    let mut v = parse(&inner);
    v["payload"] = json!(b64::encode(plaintext_with(|m| {
        m.insert("id".into(), json!("tampered"));
    })));
    assert_unpack_fails(
        &spec_bob(),
        &rewrap(&v.to_string()),
        ErrorKind::VerificationFailed,
        "inner payload",
    );
}

// ---------------------------------------------------------------------------------------
// JWS: every member tampered
// ---------------------------------------------------------------------------------------

#[test]
fn jws_protected_header_with_an_extra_member_fails_verification() {
    for c in jws_corpus() {
        let mut v = c.value();
        edit_header_at(&mut v, "/signatures/0/protected", |h| {
            h.insert("x".into(), json!(1));
        });
        let e = assert_unpack_fails(
            &c.receiver,
            &v.to_string(),
            ErrorKind::VerificationFailed,
            &c.name,
        );
        assert_mentions(&e, "did:example:alice#key-", &c.name);
    }
}

#[test]
fn jws_payload_replaced_by_another_plaintext_fails_verification() {
    for c in jws_corpus() {
        for (field, value) in [
            ("id", json!("1234567891")),
            ("to", json!([BOB, "did:example:carol"])),
            (
                "body",
                json!({"messagespecificattribute": "and another value"}),
            ),
        ] {
            let mut v = c.value();
            let payload = b64::decode(v["payload"].as_str().unwrap(), "test").unwrap();
            let mut message: Map<String, Value> = serde_json::from_slice(&payload).unwrap();
            message.remove(field);
            message.insert(field.into(), value.clone());
            let modified = Value::Object(message).to_string();
            assert_ne!(modified.as_bytes(), payload.as_slice());
            v["payload"] = json!(b64::encode(modified));
            let what = format!("{}: payload {field}", c.name);
            assert_unpack_fails(
                &c.receiver,
                &v.to_string(),
                ErrorKind::VerificationFailed,
                &what,
            );
        }
    }
}

#[test]
fn jws_signature_bit_flip_fails_verification() {
    for c in jws_corpus() {
        let mut v = c.value();
        flip_member(&mut v, "/signatures/0/signature");
        assert_unpack_fails(
            &c.receiver,
            &v.to_string(),
            ErrorKind::VerificationFailed,
            &c.name,
        );
    }
}

#[test]
fn jws_signature_truncated_fails_verification() {
    for c in jws_corpus() {
        let mut v = c.value();
        let sig = b64::decode(v["signatures"][0]["signature"].as_str().unwrap(), "t").unwrap();
        v["signatures"][0]["signature"] = json!(b64::encode(&sig[..sig.len() - 1]));
        assert_unpack_fails(
            &c.receiver,
            &v.to_string(),
            ErrorKind::VerificationFailed,
            &c.name,
        );
    }
}

#[test]
fn jws_alg_swapped_in_protected_header_is_inconsistent_with_the_key() {
    for c in jws_corpus() {
        let original = c.value();
        let old = header_at(&original, "/signatures/0/protected")["alg"].clone();
        for new in ["EdDSA", "ES256", "ES256K"]
            .into_iter()
            .filter(|a| old != *a)
        {
            let mut v = original.clone();
            edit_header_at(&mut v, "/signatures/0/protected", |h| {
                h.insert("alg".into(), json!(new));
            });
            let what = format!("{}: alg {old} -> {new}", c.name);
            let e =
                assert_unpack_fails(&c.receiver, &v.to_string(), ErrorKind::Inconsistent, &what);
            assert_mentions(&e, new, &what);
        }
    }
}

#[test]
fn jws_typ_of_another_media_type_is_malformed() {
    for c in jws_corpus() {
        for typ in [
            "application/didcomm-encrypted+json",
            "application/json",
            "JWT",
        ] {
            let mut v = c.value();
            edit_header_at(&mut v, "/signatures/0/protected", |h| {
                h.insert("typ".into(), json!(typ));
            });
            let what = format!("{}: typ {typ}", c.name);
            let e = assert_unpack_fails(&c.receiver, &v.to_string(), ErrorKind::Malformed, &what);
            assert_mentions(&e, typ, &what);
        }
    }
}

#[test]
fn jws_unprotected_kid_swapped_for_another_signer_key_fails() {
    // The kid sits in the unprotected header; pointing it at another of Alice's
    // authentication keys must not verify: a key of another type is Inconsistent with alg.
    for c in jws_corpus() {
        let mut v = c.value();
        let kid = v["signatures"][0]["header"]["kid"]
            .as_str()
            .unwrap()
            .to_owned();
        let other = if kid.ends_with("key-1") {
            "did:example:alice#key-2"
        } else {
            "did:example:alice#key-1"
        };
        v["signatures"][0]["header"]["kid"] = json!(other);
        let what = format!("{}: kid {kid} -> {other}", c.name);
        let e = assert_unpack_fails(&c.receiver, &v.to_string(), ErrorKind::Inconsistent, &what);
        assert_mentions(&e, other, &what);
    }
}

#[test]
fn jws_forged_with_a_key_that_is_not_the_kids_fails_verification() {
    let impostor = SecretKey::generate(Curve::Ed25519).unwrap();
    let packed = sign(
        &plaintext_with(|_| {}),
        "did:example:alice#key-1",
        &impostor,
    );
    let e = assert_unpack_fails(
        &spec_bob(),
        &packed,
        ErrorKind::VerificationFailed,
        "forged",
    );
    assert_mentions(&e, "did:example:alice#key-1", "forged");
}

// ---------------------------------------------------------------------------------------
// Wrong or missing recipient keys
// ---------------------------------------------------------------------------------------

#[test]
fn recipient_holding_a_different_key_under_the_kid_fails_decryption() {
    let kid = "did:example:bob#key-x25519-1";
    let wrong_bob = agent(
        &[alice_doc(), bob_doc()],
        [Secret {
            kid: kid.to_owned(),
            key: SecretKey::generate(Curve::X25519).unwrap(),
        }],
    );
    let fresh = pack_fresh(BOB, PackEncryptedOptions::default());
    let authcrypt = pack_fresh(
        BOB,
        PackEncryptedOptions {
            from: Some(ALICE.into()),
            ..Default::default()
        },
    );
    for (name, packed) in [
        ("anoncrypt vector", vector("anoncrypt-x25519-xc20p.json")),
        ("authcrypt vector", vector("authcrypt-x25519-a256cbc.json")),
        ("fresh anoncrypt", fresh),
        ("fresh authcrypt", authcrypt),
    ] {
        let e = assert_unpack_fails(&wrong_bob, &packed, ErrorKind::DecryptionFailed, name);
        assert_mentions(&e, kid, name);
    }
}

#[test]
fn recipient_holding_no_secret_gets_secret_not_found() {
    let nobody = agent(&[alice_doc(), bob_doc()], []);
    for name in JWE_VECTORS {
        let e = assert_unpack_fails(&nobody, &vector(name), ErrorKind::SecretNotFound, name);
        assert_mentions(&e, "did:example:bob#key-", name);
    }
    // Alice holds secrets, none of them Bob's.
    for name in JWE_VECTORS {
        assert_unpack_fails(
            &spec_alice(),
            &vector(name),
            ErrorKind::SecretNotFound,
            name,
        );
    }
}

// ---------------------------------------------------------------------------------------
// Authcrypt sender: skid, apu, sender key
// ---------------------------------------------------------------------------------------

fn authcrypt_cases() -> Vec<Case> {
    jwe_corpus()
        .into_iter()
        .filter(|c| header_at(&c.value(), "/protected")["alg"] == "ECDH-1PU+A256KW")
        .collect()
}

#[test]
fn authcrypt_skid_changed_with_apu_kept_is_inconsistent() {
    let cases = authcrypt_cases();
    assert!(cases.len() >= 5);
    for c in cases {
        let mut v = c.value();
        edit_protected(&mut v, |h| {
            h.insert("skid".into(), json!("did:example:mallory#key-1"));
        });
        let e = assert_unpack_fails(
            &c.receiver,
            &v.to_string(),
            ErrorKind::Inconsistent,
            &c.name,
        );
        assert_mentions(&e, "did:example:mallory#key-1", &c.name);
        assert_mentions(&e, "apu", &c.name);
    }
}

/// Sets `skid` and a matching `apu` in the protected header.
fn set_sender(v: &mut Value, skid: &str) {
    edit_protected(v, |h| {
        h.insert("skid".into(), json!(skid));
        h.insert("apu".into(), json!(b64::encode(skid)));
    });
}

#[test]
fn authcrypt_skid_and_apu_both_changed_to_another_same_curve_key_fails_decryption() {
    // Bob's own X25519 key as the claimed sender: resolvable, in keyAgreement, same curve;
    // the sender's static key enters the KDF, so the content key does not unwrap.
    let mut v = vector_json("authcrypt-x25519-a256cbc.json");
    set_sender(&mut v, "did:example:bob#key-x25519-3");
    assert_unpack_fails(
        &spec_bob(),
        &v.to_string(),
        ErrorKind::DecryptionFailed,
        "sender swapped",
    );
}

#[test]
fn authcrypt_skid_naming_an_unknown_did_is_did_not_found() {
    let mut v = vector_json("authcrypt-x25519-a256cbc.json");
    set_sender(&mut v, "did:example:mallory#key-x25519-1");
    let e = assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::DidNotFound, "skid");
    assert_mentions(&e, "did:example:mallory", "skid");
}

#[test]
fn authcrypt_skid_not_in_key_agreement_is_kid_not_found() {
    for skid in ["did:example:alice#key-1", "did:example:alice#key-nope"] {
        let mut v = vector_json("authcrypt-x25519-a256cbc.json");
        set_sender(&mut v, skid);
        let e = assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::KidNotFound, skid);
        assert_mentions(&e, skid, skid);
    }
}

#[test]
fn authcrypt_skid_on_another_curve_than_the_epk_is_inconsistent() {
    let mut v = vector_json("authcrypt-x25519-a256cbc.json");
    set_sender(&mut v, "did:example:alice#key-p256-1");
    let e = assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::Inconsistent, "skid");
    assert_mentions(&e, "did:example:alice#key-p256-1", "skid");
}

#[test]
fn authcrypt_forged_with_a_key_that_is_not_the_skids_fails_decryption() {
    let impostor = SecretKey::generate(Curve::X25519).unwrap();
    let packed = encrypt_to_bob(
        &plaintext_with(|_| {}),
        &bob_kids("x25519"),
        ContentEnc::A256CbcHs512,
        Some(("did:example:alice#key-x25519-1", &impostor)),
    );
    assert_unpack_fails(&spec_bob(), &packed, ErrorKind::DecryptionFailed, "forged");
}

// ---------------------------------------------------------------------------------------
// epk
// ---------------------------------------------------------------------------------------

#[test]
fn epk_off_the_curve_is_malformed() {
    let fresh_p256 = pack_fresh(
        "did:example:bob#key-p256-2",
        PackEncryptedOptions::default(),
    );
    for (name, packed) in [
        (
            "anoncrypt-p384-a256cbc.json",
            vector("anoncrypt-p384-a256cbc.json"),
        ),
        (
            "anoncrypt-p521-a256gcm.json",
            vector("anoncrypt-p521-a256gcm.json"),
        ),
        (
            "signed-authcrypt-p256-a256cbc.json",
            vector("signed-authcrypt-p256-a256cbc.json"),
        ),
        (
            "signed-authcrypt-anoncrypt-p521-xc20p.json",
            vector("signed-authcrypt-anoncrypt-p521-xc20p.json"),
        ),
        ("fresh anoncrypt P-256", fresh_p256),
    ] {
        let mut v = parse(&packed);
        edit_protected(&mut v, |h| {
            let y = h["epk"]["y"].as_str().unwrap().to_owned();
            h["epk"]["y"] = json!(flip_b64(&y));
        });
        let e = assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::Malformed, name);
        assert_mentions(&e, "epk", name);
        assert_mentions(&e, "not a point on the curve", name);
    }
}

#[test]
fn epk_on_another_curve_than_the_recipient_keys_is_inconsistent() {
    for (name, curves) in [
        ("anoncrypt-p384-a256cbc.json", [Curve::X25519, Curve::P256]),
        ("anoncrypt-p521-a256gcm.json", [Curve::P384, Curve::X25519]),
        ("anoncrypt-x25519-xc20p.json", [Curve::P256, Curve::P521]),
    ] {
        for curve in curves {
            let mut v = vector_json(name);
            let kid = recipient_kids(&v)[0].clone();
            edit_protected(&mut v, |h| {
                h.insert("epk".into(), public_jwk(curve));
            });
            let what = format!("{name}: epk on {curve}");
            let e =
                assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::Inconsistent, &what);
            assert_mentions(&e, curve.name(), &what);
            assert_mentions(&e, &kid, &what);
        }
    }
}

#[test]
fn authcrypt_epk_on_another_curve_than_the_sender_key_is_inconsistent() {
    for (name, curve) in [
        ("authcrypt-x25519-a256cbc.json", Curve::P256),
        ("signed-authcrypt-p256-a256cbc.json", Curve::X25519),
    ] {
        let mut v = vector_json(name);
        edit_protected(&mut v, |h| {
            h.insert("epk".into(), public_jwk(curve));
        });
        let e = assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::Inconsistent, name);
        assert_mentions(&e, "did:example:alice#key-", name);
    }
}

#[test]
fn epk_on_a_curve_without_key_agreement_is_unsupported() {
    for curve in [Curve::Ed25519, Curve::Secp256k1] {
        let mut v = vector_json("anoncrypt-x25519-xc20p.json");
        edit_protected(&mut v, |h| {
            h.insert("epk".into(), public_jwk(curve));
        });
        let what = format!("epk on {curve}");
        let e = assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::Unsupported, &what);
        assert_mentions(&e, curve.name(), &what);
    }
}

#[test]
fn x25519_epk_of_low_order_is_malformed() {
    let mut one = [0u8; 32];
    one[0] = 1;
    for name in [
        "anoncrypt-x25519-xc20p.json",
        "authcrypt-x25519-a256cbc.json",
    ] {
        for point in [[0u8; 32], one] {
            let mut v = vector_json(name);
            edit_protected(&mut v, |h| {
                h["epk"]["x"] = json!(b64::encode(point));
            });
            let what = format!("{name}: epk u={}", point[0]);
            let e = assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::Malformed, &what);
            assert_mentions(&e, "epk", &what);
            assert_mentions(&e, "low order", &what);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Plaintext vs envelope: from vs skid and signer, to vs recipient
// ---------------------------------------------------------------------------------------

#[test]
fn authcrypt_refuses_to_pack_a_from_that_is_not_the_sender() {
    let mut message = spec_message();
    message.from = Some("did:example:mallory".into());
    let options = PackEncryptedOptions {
        from: Some(ALICE.into()),
        ..Default::default()
    };
    let e = block_on(spec_alice().pack_encrypted(&message, BOB, &options)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalArgument, "{e}");
    assert_mentions(&e, "did:example:mallory", "pack");
}

#[test]
fn authcrypt_whose_plaintext_from_is_not_the_skid_did_is_inconsistent() {
    let mallory = authcrypt_x25519(&plaintext_with(|m| {
        m.insert("from".into(), json!("did:example:mallory"));
    }));
    let e = assert_unpack_fails(&spec_bob(), &mallory, ErrorKind::Inconsistent, "from");
    assert_mentions(&e, "did:example:mallory", "from");
    assert_mentions(&e, ALICE, "from");
    let no_from = authcrypt_x25519(&plaintext_with(|m| {
        m.remove("from");
    }));
    assert_unpack_fails(&spec_bob(), &no_from, ErrorKind::Inconsistent, "no from");
}

#[test]
fn anoncrypt_whose_plaintext_from_is_not_the_authcrypt_sender_is_inconsistent() {
    // anoncrypt(authcrypt(plaintext from mallory)): the check reaches the inner layer.
    let inner = authcrypt_x25519(&plaintext_with(|m| {
        m.insert("from".into(), json!("did:example:mallory"));
    }));
    let packed = anoncrypt_x25519(inner.as_bytes());
    assert_unpack_fails(&spec_bob(), &packed, ErrorKind::Inconsistent, "nested");
}

#[test]
fn jws_whose_plaintext_from_is_not_the_signer_did_is_inconsistent() {
    let kid = "did:example:alice#key-1";
    let mallory = sign(
        &plaintext_with(|m| {
            m.insert("from".into(), json!("did:example:mallory"));
        }),
        kid,
        &alice_secret(kid),
    );
    let e = assert_unpack_fails(&spec_bob(), &mallory, ErrorKind::Inconsistent, "from");
    assert_mentions(&e, "did:example:mallory", "from");
    assert_mentions(&e, ALICE, "from");
    let no_from = sign(
        &plaintext_with(|m| {
            m.remove("from");
        }),
        kid,
        &alice_secret(kid),
    );
    assert_unpack_fails(&spec_bob(), &no_from, ErrorKind::Inconsistent, "no from");
    // The same inside authcrypt (signer != from while skid == from).
    let wrapped = authcrypt_x25519(mallory.as_bytes());
    assert_unpack_fails(
        &spec_bob(),
        &wrapped,
        ErrorKind::Inconsistent,
        "in authcrypt",
    );
}

#[test]
fn jws_signer_kid_not_in_authentication_is_kid_not_found() {
    // alice#key-p256-1 is a keyAgreement key (P-256 can sign ES256): a valid signature by
    // it still does not authenticate Alice.
    let kid = "did:example:alice#key-p256-1";
    let packed = sign(&plaintext_with(|_| {}), kid, &alice_secret(kid));
    let e = assert_unpack_fails(&spec_bob(), &packed, ErrorKind::KidNotFound, kid);
    assert_mentions(&e, kid, kid);
    assert_mentions(&e, "authentication", kid);
}

#[test]
fn jws_signer_did_unknown_is_did_not_found() {
    let key = SecretKey::generate(Curve::Ed25519).unwrap();
    let packed = sign(
        &plaintext_with(|m| {
            m.insert("from".into(), json!("did:example:mallory"));
        }),
        "did:example:mallory#key-1",
        &key,
    );
    let e = assert_unpack_fails(&spec_bob(), &packed, ErrorKind::DidNotFound, "signer");
    assert_mentions(&e, "did:example:mallory", "signer");
}

#[test]
fn encrypted_to_a_recipient_not_in_plaintext_to_is_inconsistent() {
    let carol = plaintext_with(|m| {
        m.insert("to".into(), json!(["did:example:carol"]));
    });
    for (name, packed) in [
        ("anoncrypt", anoncrypt_x25519(&carol)),
        ("authcrypt", authcrypt_x25519(&carol)),
        (
            "anoncrypt(signed)",
            anoncrypt_x25519(
                sign(
                    &carol,
                    "did:example:alice#key-1",
                    &alice_secret("did:example:alice#key-1"),
                )
                .as_bytes(),
            ),
        ),
        (
            "authcrypt P-256",
            encrypt_to_bob(
                &carol,
                &bob_kids("p256"),
                ContentEnc::A256CbcHs512,
                Some((
                    "did:example:alice#key-p256-1",
                    &alice_secret("did:example:alice#key-p256-1"),
                )),
            ),
        ),
    ] {
        let e = assert_unpack_fails(&spec_bob(), &packed, ErrorKind::Inconsistent, name);
        assert_mentions(&e, BOB, name);
        assert_mentions(&e, "did:example:carol", name);
    }
}

// ---------------------------------------------------------------------------------------
// Unsupported algorithms
// ---------------------------------------------------------------------------------------

#[test]
fn jwe_unknown_alg_is_unsupported() {
    for name in [
        "anoncrypt-x25519-xc20p.json",
        "authcrypt-x25519-a256cbc.json",
    ] {
        for alg in [
            "ECDH-ES+A128KW",
            "ECDH-ES",
            "RSA-OAEP-256",
            "ECDH-1PU+A128KW",
            "none",
        ] {
            let mut v = vector_json(name);
            edit_protected(&mut v, |h| {
                h.insert("alg".into(), json!(alg));
            });
            let what = format!("{name}: alg {alg}");
            let e = assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::Unsupported, &what);
            assert_mentions(&e, alg, &what);
        }
    }
}

#[test]
fn jwe_unknown_enc_is_unsupported() {
    for name in [
        "anoncrypt-p384-a256cbc.json",
        "authcrypt-x25519-a256cbc.json",
    ] {
        for enc in ["A128GCM", "A128CBC-HS256", "C20P", "a256gcm"] {
            let mut v = vector_json(name);
            edit_protected(&mut v, |h| {
                h.insert("enc".into(), json!(enc));
            });
            let what = format!("{name}: enc {enc}");
            let e = assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::Unsupported, &what);
            assert_mentions(&e, enc, &what);
        }
    }
}

#[test]
fn authcrypt_with_a_content_algorithm_other_than_a256cbc_hs512_is_unsupported() {
    for enc in ["A256GCM", "XC20P"] {
        let mut v = vector_json("authcrypt-x25519-a256cbc.json");
        edit_protected(&mut v, |h| {
            h.insert("enc".into(), json!(enc));
        });
        let e = assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::Unsupported, enc);
        assert_mentions(&e, enc, enc);
    }
}

#[test]
fn jws_unknown_alg_is_unsupported() {
    for name in JWS_VECTORS {
        for alg in ["RS256", "ES384", "HS256", "none", "eddsa"] {
            let mut v = vector_json(name);
            edit_header_at(&mut v, "/signatures/0/protected", |h| {
                h.insert("alg".into(), json!(alg));
            });
            let what = format!("{name}: alg {alg}");
            let e = assert_unpack_fails(&spec_bob(), &v.to_string(), ErrorKind::Unsupported, &what);
            assert_mentions(&e, alg, &what);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Truncated and non-JSON input, plaintext without required headers
// ---------------------------------------------------------------------------------------

#[test]
fn truncated_envelopes_are_malformed() {
    let mut texts: Vec<(String, String)> = JWE_VECTORS
        .iter()
        .chain(JWS_VECTORS.iter())
        .chain(["plaintext.json"].iter())
        .map(|n| (n.to_string(), vector(n)))
        .collect();
    for c in jwe_corpus().into_iter().chain(jws_corpus()) {
        texts.push((c.name, c.packed));
    }
    let bob = spec_bob();
    for (name, text) in texts {
        let text = text.trim();
        assert!(text.is_ascii(), "{name}");
        for cut in [
            0,
            1,
            text.len() / 3,
            text.len() / 2,
            text.len() - 2,
            text.len() - 1,
        ] {
            let what = format!("{name} cut at {cut} of {}", text.len());
            assert_unpack_fails(&bob, &text[..cut], ErrorKind::Malformed, &what);
        }
    }
}

#[test]
fn non_json_and_non_object_input_is_malformed() {
    let bob = spec_bob();
    for input in [
        "",
        " ",
        "null",
        "[]",
        "[{}]",
        "42",
        "true",
        "\"str\"",
        "{",
        "}",
        "{\"id\":",
        "{} {}",
        "\u{0}",
        "not json at all",
        "eyJhbGciOiJFZERTQSJ9.eyJpZCI6IjEifQ.c2ln",
        "q9#fj2$kd0!a8L;zz'\\x00",
    ] {
        let e = assert_unpack_fails(&bob, input, ErrorKind::Malformed, input);
        // One deterministic kind: asking again gives the same error.
        assert_eq!(
            unpack_with(&bob, input, false).unwrap_err(),
            e,
            "{input:?} twice"
        );
    }
}

#[test]
fn plaintext_without_id_or_type_is_malformed_at_every_layer() {
    for field in ["id", "type"] {
        let bare = plaintext_with(|m| {
            m.remove(field);
        });
        let kid = "did:example:alice#key-1";
        let needle = format!("'{field}'");
        for (layer, packed) in [
            ("plaintext", String::from_utf8(bare.clone()).unwrap()),
            ("signed", sign(&bare, kid, &alice_secret(kid))),
            ("anoncrypt", anoncrypt_x25519(&bare)),
            ("authcrypt", authcrypt_x25519(&bare)),
        ] {
            let what = format!("{layer} without {field}");
            let e = assert_unpack_fails(&spec_bob(), &packed, ErrorKind::Malformed, &what);
            assert_mentions(&e, &needle, &what);
        }
    }
}

#[test]
fn json_object_that_is_no_envelope_and_no_message_is_malformed() {
    for input in [
        json!({}),
        json!({"foo": 1}),
        json!({"ciphertext": 1}),
        json!({"payload": "eyJ9"}),
    ] {
        let what = input.to_string();
        assert_unpack_fails(&spec_bob(), &what, ErrorKind::Malformed, &what);
    }
}

// ---------------------------------------------------------------------------------------
// Disallowed wrappings (CHECKLIST §1)
// ---------------------------------------------------------------------------------------

#[test]
fn jws_inside_jws_is_malformed() {
    let kid = "did:example:alice#key-1";
    for name in JWS_VECTORS {
        let packed = sign(vector(name).as_bytes(), kid, &alice_secret(kid));
        let e = assert_unpack_fails(&spec_bob(), &packed, ErrorKind::Malformed, name);
        assert_mentions(&e, "JWS inside a JWS", name);
    }
}

#[test]
fn jwe_inside_jws_is_malformed() {
    // Sign before encrypting (MUST): a signature over an encrypted message is refused.
    let kid = "did:example:alice#key-2";
    for name in [
        "anoncrypt-x25519-xc20p.json",
        "authcrypt-x25519-a256cbc.json",
    ] {
        let packed = sign(vector(name).as_bytes(), kid, &alice_secret(kid));
        assert_unpack_fails(&spec_bob(), &packed, ErrorKind::Malformed, name);
    }
}

#[test]
fn anoncrypt_inside_authcrypt_is_malformed() {
    for name in [
        "anoncrypt-x25519-xc20p.json",
        "anoncrypt-p384-a256cbc.json",
        "signed-authcrypt-anoncrypt-p521-xc20p.json",
    ] {
        let packed = authcrypt_x25519(vector(name).as_bytes());
        let e = assert_unpack_fails(&spec_bob(), &packed, ErrorKind::Malformed, name);
        assert_mentions(&e, "anoncrypt inside authcrypt", name);
    }
}

#[test]
fn same_kind_of_jwe_nested_is_malformed() {
    let packed = anoncrypt_x25519(vector("anoncrypt-p521-a256gcm.json").as_bytes());
    assert_unpack_fails(&spec_bob(), &packed, ErrorKind::Malformed, "anon(anon)");
    let packed = authcrypt_x25519(vector("authcrypt-x25519-a256cbc.json").as_bytes());
    assert_unpack_fails(&spec_bob(), &packed, ErrorKind::Malformed, "auth(auth)");
}

// ---------------------------------------------------------------------------------------
// Pack-side argument errors
// ---------------------------------------------------------------------------------------

fn pack_err(agent: &Agent, message: &Message, to: &str, options: PackEncryptedOptions) -> Error {
    match block_on(agent.pack_encrypted(message, to, &options)) {
        Ok(_) => panic!("pack_encrypted to {to} with {options:?} succeeded"),
        Err(e) => e,
    }
}

#[track_caller]
fn assert_kind(e: &Error, kind: ErrorKind, needle: &str) {
    assert_eq!(e.kind(), kind, "{e}");
    assert_mentions(e, needle, &format!("{kind:?}"));
}

#[test]
fn pack_encrypted_to_a_non_did_is_illegal() {
    for to in ["bob", "", "did:example:", "https://example.com/bob"] {
        let e = pack_err(&spec_alice(), &spec_message(), to, Default::default());
        assert_kind(&e, ErrorKind::IllegalArgument, "'to'");
    }
}

#[test]
fn pack_encrypted_from_or_sign_by_other_than_message_from_is_illegal() {
    let alice = spec_alice();
    let m = spec_message();
    let from_bob = PackEncryptedOptions {
        from: Some(BOB.into()),
        ..Default::default()
    };
    assert_kind(
        &pack_err(&alice, &m, BOB, from_bob),
        ErrorKind::IllegalArgument,
        "'from'",
    );
    let sign_bob = PackEncryptedOptions {
        sign_by: Some("did:example:bob#key-1".into()),
        ..Default::default()
    };
    assert_kind(
        &pack_err(&alice, &m, BOB, sign_bob),
        ErrorKind::IllegalArgument,
        "'signBy'",
    );
    let not_a_did = PackEncryptedOptions {
        from: Some("alice".into()),
        ..Default::default()
    };
    assert_kind(
        &pack_err(&alice, &m, BOB, not_a_did),
        ErrorKind::IllegalArgument,
        "'from'",
    );

    let mut anonymous = spec_message();
    anonymous.from = None;
    let from_alice = PackEncryptedOptions {
        from: Some(ALICE.into()),
        ..Default::default()
    };
    assert_kind(
        &pack_err(&alice, &anonymous, BOB, from_alice),
        ErrorKind::IllegalArgument,
        "no 'from'",
    );
}

#[test]
fn pack_encrypted_protect_sender_without_from_is_illegal() {
    let options = PackEncryptedOptions {
        protect_sender: true,
        ..Default::default()
    };
    let e = pack_err(&spec_alice(), &spec_message(), BOB, options);
    assert_kind(&e, ErrorKind::IllegalArgument, "protectSender");
}

#[test]
fn pack_encrypted_to_a_recipient_not_in_message_to_is_illegal() {
    for to in [ALICE, "did:example:alice#key-x25519-1", "did:example:carol"] {
        let e = pack_err(&spec_alice(), &spec_message(), to, Default::default());
        assert_kind(&e, ErrorKind::IllegalArgument, "'to'");
    }
}

#[test]
fn pack_encrypted_to_an_unknown_did_is_did_not_found() {
    let mut m = spec_message();
    m.to = Some(vec![BOB.into(), "did:example:carol".into()]);
    for to in ["did:example:carol", "did:example:carol#key-1"] {
        let e = pack_err(&spec_alice(), &m, to, Default::default());
        assert_kind(&e, ErrorKind::DidNotFound, "did:example:carol");
    }
}

#[test]
fn pack_encrypted_to_a_kid_not_in_key_agreement_is_kid_not_found() {
    let e = pack_err(
        &spec_alice(),
        &spec_message(),
        "did:example:bob#key-nope",
        Default::default(),
    );
    assert_kind(&e, ErrorKind::KidNotFound, "did:example:bob#key-nope");
    // Sender side: an authentication kid given as the authcrypt sender.
    let options = PackEncryptedOptions {
        from: Some("did:example:alice#key-1".into()),
        ..Default::default()
    };
    let e = pack_err(&spec_alice(), &spec_message(), BOB, options);
    assert_kind(&e, ErrorKind::KidNotFound, "did:example:alice#key-1");
}

#[test]
fn pack_encrypted_without_a_common_curve_is_no_compatible_keys() {
    let carol = identity("carol", &[Curve::X25519], &[]);
    let dave = identity("dave", &[Curve::P256], &[]);
    let sender = agent(&[carol.doc.clone(), dave.doc.clone()], dave.secrets.clone());
    let mut m = spec_message();
    m.from = Some("did:example:dave".into());
    m.to = Some(vec!["did:example:carol".into()]);
    let options = PackEncryptedOptions {
        from: Some("did:example:dave".into()),
        ..Default::default()
    };
    let e = pack_err(&sender, &m, "did:example:carol", options);
    assert_kind(&e, ErrorKind::NoCompatibleKeys, "did:example:dave");
    assert_mentions(&e, "did:example:carol", "NoCompatibleKeys");
}

#[test]
fn pack_authcrypt_between_explicit_kids_on_different_curves_is_no_compatible_keys() {
    for (from, to) in [
        (
            "did:example:alice#key-p256-1",
            "did:example:bob#key-x25519-1",
        ),
        (
            "did:example:alice#key-x25519-1",
            "did:example:bob#key-p521-2",
        ),
        // Alice has no P-384 key at all.
        (ALICE, "did:example:bob#key-p384-1"),
    ] {
        let options = PackEncryptedOptions {
            from: Some(from.into()),
            ..Default::default()
        };
        let e = pack_err(&spec_alice(), &spec_message(), to, options);
        assert_kind(&e, ErrorKind::NoCompatibleKeys, from);
        assert_mentions(&e, to, "NoCompatibleKeys");
    }
}

#[test]
fn pack_encrypted_to_keys_without_key_agreement_is_refused() {
    // keyAgreement listing only an Ed25519 key: no usable key for a DID, unsupported for a kid.
    let erin = identity("erin", &[Curve::Ed25519], &[]);
    let sender = agent(std::slice::from_ref(&erin.doc), []);
    let mut m = spec_message();
    m.to = Some(vec!["did:example:erin".into()]);
    let e = pack_err(&sender, &m, "did:example:erin", Default::default());
    assert_kind(&e, ErrorKind::NoCompatibleKeys, "did:example:erin");
    let e = pack_err(
        &sender,
        &m,
        "did:example:erin#ka-ed25519",
        Default::default(),
    );
    assert_kind(&e, ErrorKind::Unsupported, "did:example:erin#ka-ed25519");
}

#[test]
fn pack_without_the_senders_secret_is_secret_not_found() {
    let options = PackEncryptedOptions {
        from: Some(ALICE.into()),
        ..Default::default()
    };
    let e = pack_err(&spec_bob(), &spec_message(), BOB, options);
    assert_kind(&e, ErrorKind::SecretNotFound, ALICE);
    let e = block_on(spec_bob().pack_signed(&spec_message(), ALICE)).unwrap_err();
    assert_kind(&e, ErrorKind::SecretNotFound, ALICE);
}

#[test]
fn pack_signed_by_someone_other_than_from_or_by_a_non_authentication_kid_is_refused() {
    let alice = spec_alice();
    let m = spec_message();
    let cases = [
        ("alice", ErrorKind::IllegalArgument, "'signBy'"),
        (BOB, ErrorKind::IllegalArgument, "'signBy'"),
        (
            "did:example:alice#key-x25519-1",
            ErrorKind::KidNotFound,
            "did:example:alice#key-x25519-1",
        ),
        (
            "did:example:alice#key-nope",
            ErrorKind::KidNotFound,
            "did:example:alice#key-nope",
        ),
    ];
    for (sign_by, kind, needle) in cases {
        let e = block_on(alice.pack_signed(&m, sign_by)).unwrap_err();
        assert_kind(&e, kind, needle);
    }
    let mut anonymous = spec_message();
    anonymous.from = None;
    let e = block_on(alice.pack_signed(&anonymous, ALICE)).unwrap_err();
    assert_kind(&e, ErrorKind::IllegalArgument, "no 'from'");
}

#[test]
fn pack_of_an_invalid_message_is_malformed() {
    let alice = spec_alice();
    let mut no_id = spec_message();
    no_id.id.clear();
    let mut bad_from = spec_message();
    bad_from.from = Some("did:example:alice#key-1".into());
    for (m, needle) in [(no_id, "'id'"), (bad_from, "'from'")] {
        let e = alice.pack_plaintext(&m).unwrap_err();
        assert_kind(&e, ErrorKind::Malformed, needle);
        let e = block_on(alice.pack_signed(&m, "did:example:alice#key-1")).unwrap_err();
        assert_kind(&e, ErrorKind::Malformed, needle);
        let e = pack_err(&alice, &m, BOB, Default::default());
        assert_kind(&e, ErrorKind::Malformed, needle);
    }
}

// ---------------------------------------------------------------------------------------
// Header hygiene: signed values win, plaintext identities are bare DIDs
// ---------------------------------------------------------------------------------------

#[test]
fn jws_kid_that_differs_between_protected_and_unprotected_headers_is_malformed() {
    let kid = "did:example:alice#key-1";
    let protected = b64::encode(
        json!({"typ": "application/didcomm-signed+json", "alg": "EdDSA", "kid": "did:example:mallory#key-1"})
            .to_string(),
    );
    let payload = b64::encode(vector_json("plaintext.json").to_string());
    let input = format!("{protected}.{payload}");
    let (_, signature) =
        didcomm_wasm::crypto::sign::sign(&alice_secret(kid), input.as_bytes()).unwrap();
    let jws = json!({"payload": payload, "signatures": [{
        "protected": protected, "signature": b64::encode(signature), "header": {"kid": kid}}]});
    let e = assert_unpack_fails(
        &spec_bob(),
        &jws.to_string(),
        ErrorKind::Malformed,
        "kid override",
    );
    assert_mentions(&e, "'kid'", "kid override");

    // The same kid in both headers is tolerated.
    let protected = b64::encode(
        json!({"typ": "application/didcomm-signed+json", "alg": "EdDSA", "kid": kid}).to_string(),
    );
    let input = format!("{protected}.{payload}");
    let (_, signature) =
        didcomm_wasm::crypto::sign::sign(&alice_secret(kid), input.as_bytes()).unwrap();
    let jws = json!({"payload": payload, "signatures": [{
        "protected": protected, "signature": b64::encode(signature), "header": {"kid": kid}}]});
    assert!(unpack_with(&spec_bob(), &jws.to_string(), false).is_ok());
}

#[test]
fn plaintext_from_and_to_must_be_bare_dids_on_unpack_too() {
    let cases = [
        (
            "from with a fragment",
            json!({"from": "did:example:alice#key-x25519-1"}),
            "'from'",
        ),
        ("from that is no DID", json!({"from": "alice"}), "'from'"),
        (
            "to with a fragment",
            json!({"to": ["did:example:bob#key-x25519-1"]}),
            "'to[0]'",
        ),
    ];
    for (what, patch, needle) in cases {
        let plaintext = plaintext_with(|m| {
            for (k, v) in patch.as_object().unwrap() {
                m.insert(k.clone(), v.clone());
            }
        });
        let e = assert_unpack_fails(
            &spec_bob(),
            &anoncrypt_x25519(&plaintext),
            ErrorKind::Malformed,
            what,
        );
        assert_mentions(&e, needle, what);
    }
    // Authcrypt whose plaintext `from` is the sender's key id rather than its DID.
    let plaintext = plaintext_with(|m| {
        m.insert("from".into(), json!("did:example:alice#key-x25519-1"));
    });
    assert_unpack_fails(
        &spec_bob(),
        &authcrypt_x25519(&plaintext),
        ErrorKind::Malformed,
        "authcrypt from kid",
    );
}
