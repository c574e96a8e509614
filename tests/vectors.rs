//! The nine packed spec vectors unpack, as Bob, to the spec's plaintext with the right
//! metadata.

mod common;

use common::*;
use didcomm_wasm::{ContentEnc, Message, SignAlg, UnpackMetadata, UnpackOptions};

fn expected_message() -> Message {
    Message::from_value(&vector_json("plaintext.json")).unwrap()
}

fn unpack_as_bob(name: &str, all_keys: bool) -> (Message, UnpackMetadata) {
    let options = UnpackOptions {
        expect_decrypt_by_all_keys: all_keys,
        ..Default::default()
    };
    block_on(spec_bob().unpack(&vector(name), &options)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_plaintext(name: &str, got: &Message) {
    let mut want = expected_message();
    assert_eq!(
        normalized_type(&got.type_),
        normalized_type(&want.type_),
        "{name}: type"
    );
    want.type_ = got.type_.clone();
    assert_eq!(got, &want, "{name}: message");
}

struct Expect {
    name: &'static str,
    anon: Option<ContentEnc>,
    auth: Option<&'static str>,
    sign: Option<(SignAlg, &'static str)>,
    to_kids: &'static [&'static str],
}

const X25519_KIDS: &[&str] = &[
    "did:example:bob#key-x25519-1",
    "did:example:bob#key-x25519-2",
    "did:example:bob#key-x25519-3",
];
const P256_KIDS: &[&str] = &["did:example:bob#key-p256-1", "did:example:bob#key-p256-2"];
const P384_KIDS: &[&str] = &["did:example:bob#key-p384-1", "did:example:bob#key-p384-2"];
const P521_KIDS: &[&str] = &["did:example:bob#key-p521-1", "did:example:bob#key-p521-2"];

fn cases() -> Vec<Expect> {
    vec![
        Expect {
            name: "signed-eddsa.json",
            anon: None,
            auth: None,
            sign: Some((SignAlg::EdDsa, "did:example:alice#key-1")),
            to_kids: &[],
        },
        Expect {
            name: "signed-es256.json",
            anon: None,
            auth: None,
            sign: Some((SignAlg::Es256, "did:example:alice#key-2")),
            to_kids: &[],
        },
        Expect {
            name: "signed-es256k.json",
            anon: None,
            auth: None,
            sign: Some((SignAlg::Es256K, "did:example:alice#key-3")),
            to_kids: &[],
        },
        Expect {
            name: "anoncrypt-x25519-xc20p.json",
            anon: Some(ContentEnc::Xc20p),
            auth: None,
            sign: None,
            to_kids: X25519_KIDS,
        },
        Expect {
            name: "anoncrypt-p384-a256cbc.json",
            anon: Some(ContentEnc::A256CbcHs512),
            auth: None,
            sign: None,
            to_kids: P384_KIDS,
        },
        Expect {
            name: "anoncrypt-p521-a256gcm.json",
            anon: Some(ContentEnc::A256Gcm),
            auth: None,
            sign: None,
            to_kids: P521_KIDS,
        },
        Expect {
            name: "authcrypt-x25519-a256cbc.json",
            anon: None,
            auth: Some("did:example:alice#key-x25519-1"),
            sign: None,
            to_kids: X25519_KIDS,
        },
        Expect {
            name: "signed-authcrypt-p256-a256cbc.json",
            anon: None,
            auth: Some("did:example:alice#key-p256-1"),
            sign: Some((SignAlg::EdDsa, "did:example:alice#key-1")),
            to_kids: P256_KIDS,
        },
        Expect {
            name: "signed-authcrypt-anoncrypt-p521-xc20p.json",
            anon: Some(ContentEnc::Xc20p),
            auth: Some("did:example:alice#key-p521-1"),
            sign: Some((SignAlg::EdDsa, "did:example:alice#key-1")),
            to_kids: P521_KIDS,
        },
    ]
}

#[test]
fn all_nine_spec_vectors_unpack_with_the_right_metadata() {
    let cases = cases();
    assert_eq!(cases.len(), 9);
    for case in cases {
        for all_keys in [false, true] {
            let (message, meta) = unpack_as_bob(case.name, all_keys);
            assert_plaintext(case.name, &message);
            let name = case.name;
            assert_eq!(
                meta.encrypted,
                case.anon.is_some() || case.auth.is_some(),
                "{name}: encrypted"
            );
            assert_eq!(
                meta.authenticated,
                case.auth.is_some() || case.sign.is_some(),
                "{name}: authenticated"
            );
            assert_eq!(
                meta.non_repudiation,
                case.sign.is_some(),
                "{name}: non_repudiation"
            );
            assert_eq!(
                meta.anonymous_sender,
                case.anon.is_some(),
                "{name}: anonymous_sender"
            );
            assert_eq!(meta.enc_alg_anon, case.anon, "{name}: enc_alg_anon");
            assert_eq!(
                meta.enc_alg_auth,
                case.auth.map(|_| ContentEnc::A256CbcHs512),
                "{name}: enc_alg_auth"
            );
            assert_eq!(
                meta.encrypted_from_kid.as_deref(),
                case.auth,
                "{name}: encrypted_from_kid"
            );
            assert_eq!(meta.sign_alg, case.sign.map(|s| s.0), "{name}: sign_alg");
            assert_eq!(
                meta.sign_from.as_deref(),
                case.sign.map(|s| s.1),
                "{name}: sign_from"
            );
            let to_kids: Option<Vec<String>> = (!case.to_kids.is_empty())
                .then(|| case.to_kids.iter().map(|s| s.to_string()).collect());
            assert_eq!(meta.encrypted_to_kids, to_kids, "{name}: encrypted_to_kids");
            match &meta.signed_message {
                Some(jws) => {
                    let jws: serde_json::Value = serde_json::from_str(jws).unwrap();
                    assert!(
                        jws.get("payload").is_some(),
                        "{name}: signed_message is the JWS"
                    );
                }
                None => assert!(case.sign.is_none(), "{name}: signed_message missing"),
            }
        }
    }
}

#[test]
fn the_signed_vectors_are_also_read_in_flattened_form() {
    for name in [
        "signed-eddsa.json",
        "signed-es256.json",
        "signed-es256k.json",
    ] {
        let general = vector_json(name);
        let sig = &general["signatures"][0];
        let flattened = serde_json::json!({
            "payload": general["payload"], "protected": sig["protected"],
            "header": sig["header"], "signature": sig["signature"],
        });
        let (message, meta) =
            block_on(spec_bob().unpack(&flattened.to_string(), &UnpackOptions::default())).unwrap();
        assert_plaintext(name, &message);
        assert!(meta.non_repudiation);
    }
}

#[test]
fn apv_of_the_vectors_is_recomputed_exactly() {
    use didcomm_wasm::jose::{b64, jwe::apv_for};
    assert_eq!(
        b64::encode(apv_for(X25519_KIDS)),
        "NcsuAnrRfPK69A-rkZ0L9XWUG4jMvNC3Zg74BPz53PA"
    );
}
