//! Round trips through pack and unpack for every combination the core supports.

mod common;

use common::*;
use didcomm_wasm::crypto::Curve;
use didcomm_wasm::{Attachment, ContentEnc, Message, PackEncryptedOptions, SignAlg, UnpackOptions};
use serde_json::json;

const AGREEMENT: [Curve; 4] = [Curve::X25519, Curve::P256, Curve::P384, Curve::P521];

fn message(from: &str, to: &str) -> Message {
    let mut m = Message::new(
        "7c1d3b2a-0e9f-4d8c-b1a2-3f4e5d6c7b8a",
        "https://didcomm.org/basicmessage/2.0/message",
        json!({"content": "Hello, Bob!", "lang": "en"})
            .as_object()
            .unwrap()
            .clone(),
    );
    m.from = Some(from.into());
    m.to = Some(vec![to.into()]);
    m.created_time = Some(1_700_000_000);
    m.thid = Some("thread-1".into());
    m.extra_headers.insert("return_route".into(), json!("all"));
    m.attachments = vec![
        Attachment::from_bytes(b"\x00\x01binary\xff"),
        Attachment::from_json(json!({"nested": [1, 2, {"x": null}]})),
    ];
    m
}

fn unpack_all(agent: &Agent, packed: &str) -> (Message, didcomm_wasm::UnpackMetadata) {
    let options = UnpackOptions {
        expect_decrypt_by_all_keys: true,
        ..Default::default()
    };
    block_on(agent.unpack(packed, &options)).unwrap_or_else(|e| panic!("unpack: {e}"))
}

#[test]
fn anoncrypt_every_content_algorithm_on_every_curve() {
    for curve in AGREEMENT {
        let bob = identity("bob", &[curve, curve], &[]);
        let sender = agent(std::slice::from_ref(&bob.doc), []);
        let receiver = agent(std::slice::from_ref(&bob.doc), bob.secrets.clone());
        for enc in ContentEnc::ALL {
            let msg = message("did:example:alice", "did:example:bob");
            let options = PackEncryptedOptions {
                enc_alg_anon: enc,
                ..Default::default()
            };
            let (packed, meta) =
                block_on(sender.pack_encrypted(&msg, "did:example:bob", &options)).unwrap();
            assert_eq!(
                meta.to_kids.len(),
                2,
                "{curve} {enc}: both keys of the curve"
            );
            assert_eq!(meta.from_kid, None);
            let (got, um) = unpack_all(&receiver, &packed);
            assert_eq!(got, msg, "{curve} {enc}");
            assert!(
                um.encrypted && um.anonymous_sender && !um.authenticated,
                "{curve} {enc}"
            );
            assert_eq!(um.enc_alg_anon, Some(enc));
            assert_eq!(
                um.encrypted_to_kids.as_deref(),
                Some(meta.to_kids.as_slice())
            );
        }
    }
}

#[test]
fn authcrypt_on_every_curve() {
    for curve in AGREEMENT {
        let alice = identity("alice", &[curve], &[]);
        let bob = identity("bob", &[curve, curve, curve], &[]);
        let docs = [alice.doc.clone(), bob.doc.clone()];
        let sender = agent(&docs, alice.secrets.clone());
        let receiver = agent(&docs, bob.secrets.clone());
        let msg = message("did:example:alice", "did:example:bob");
        let options = PackEncryptedOptions {
            from: Some("did:example:alice".into()),
            ..Default::default()
        };
        let (packed, meta) =
            block_on(sender.pack_encrypted(&msg, "did:example:bob", &options)).unwrap();
        let skid = format!("did:example:alice#ka-{}", curve.name().to_lowercase());
        assert_eq!(meta.from_kid.as_deref(), Some(skid.as_str()));
        assert_eq!(meta.to_kids.len(), 3);
        let (got, um) = unpack_all(&receiver, &packed);
        assert_eq!(got, msg, "{curve}");
        assert!(um.encrypted && um.authenticated && !um.anonymous_sender && !um.non_repudiation);
        assert_eq!(um.encrypted_from_kid.as_deref(), Some(skid.as_str()));
        assert_eq!(um.enc_alg_auth, Some(ContentEnc::A256CbcHs512));
    }
}

#[test]
fn signed_with_every_algorithm() {
    for (curve, alg) in [
        (Curve::Ed25519, SignAlg::EdDsa),
        (Curve::P256, SignAlg::Es256),
        (Curve::Secp256k1, SignAlg::Es256K),
    ] {
        let alice = identity("alice", &[], &[curve]);
        let docs = [alice.doc.clone()];
        let signer = agent(&docs, alice.secrets.clone());
        let verifier = agent(&docs, []);
        let msg = message("did:example:alice", "did:example:bob");
        let (packed, meta) = block_on(signer.pack_signed(&msg, "did:example:alice")).unwrap();
        assert_eq!(meta.sign_alg, alg);
        let (got, um) = block_on(verifier.unpack(&packed, &UnpackOptions::default())).unwrap();
        assert_eq!(got, msg, "{alg}");
        assert!(um.non_repudiation && um.authenticated && !um.encrypted);
        assert_eq!(um.sign_alg, Some(alg));
        assert_eq!(um.sign_from, Some(meta.sign_by_kid));
        assert_eq!(um.signed_message.as_deref(), Some(packed.as_str()));
    }
}

#[test]
fn plaintext_round_trip() {
    let alice = spec_alice();
    let msg = message("did:example:alice", "did:example:bob");
    let packed = alice.pack_plaintext(&msg).unwrap();
    let (got, um) = block_on(spec_bob().unpack(&packed, &UnpackOptions::default())).unwrap();
    assert_eq!(got, msg);
    assert_eq!(um, Default::default());
}

#[test]
fn sign_then_authcrypt_with_the_spec_identities() {
    let msg = message("did:example:alice", "did:example:bob");
    let options = PackEncryptedOptions {
        from: Some("did:example:alice".into()),
        sign_by: Some("did:example:alice".into()),
        ..Default::default()
    };
    let (packed, meta) =
        block_on(spec_alice().pack_encrypted(&msg, "did:example:bob", &options)).unwrap();
    assert_eq!(meta.sign_by_kid.as_deref(), Some("did:example:alice#key-1"));
    assert_eq!(
        meta.from_kid.as_deref(),
        Some("did:example:alice#key-x25519-1")
    );
    assert_eq!(
        meta.to_kids,
        [
            "did:example:bob#key-x25519-1",
            "did:example:bob#key-x25519-2",
            "did:example:bob#key-x25519-3"
        ]
    );
    let (got, um) = unpack_all(&spec_bob(), &packed);
    assert_eq!(got, msg);
    assert!(um.encrypted && um.authenticated && um.non_repudiation && !um.anonymous_sender);
    assert_eq!(um.sign_from.as_deref(), Some("did:example:alice#key-1"));
    assert_eq!(um.sign_alg, Some(SignAlg::EdDsa));
}

#[test]
fn protect_sender_wraps_authcrypt_in_anoncrypt() {
    for enc in ContentEnc::ALL {
        let msg = message("did:example:alice", "did:example:bob");
        let options = PackEncryptedOptions {
            from: Some("did:example:alice".into()),
            sign_by: Some("did:example:alice#key-2".into()),
            protect_sender: true,
            enc_alg_anon: enc,
            ..Default::default()
        };
        let (packed, _) =
            block_on(spec_alice().pack_encrypted(&msg, "did:example:bob", &options)).unwrap();
        // The outer header must not reveal the sender.
        let outer: serde_json::Value = serde_json::from_str(&packed).unwrap();
        let header =
            didcomm_wasm::jose::b64::decode(outer["protected"].as_str().unwrap(), "").unwrap();
        let header = String::from_utf8(header).unwrap();
        assert!(
            header.contains("ECDH-ES+A256KW")
                && !header.contains("skid")
                && !header.contains("alice")
        );
        let (got, um) = unpack_all(&spec_bob(), &packed);
        assert_eq!(got, msg);
        assert!(um.anonymous_sender && um.authenticated && um.non_repudiation);
        assert_eq!(um.enc_alg_anon, Some(enc));
        assert_eq!(um.enc_alg_auth, Some(ContentEnc::A256CbcHs512));
        assert_eq!(um.sign_alg, Some(SignAlg::Es256));
        assert_eq!(
            um.encrypted_from_kid.as_deref(),
            Some("did:example:alice#key-x25519-1")
        );
    }
}

#[test]
fn several_recipients_each_decrypt_alone() {
    // Three X25519 keys of Bob; each key alone unpacks the message.
    let msg = message("did:example:alice", "did:example:bob");
    let options = PackEncryptedOptions {
        from: Some("did:example:alice".into()),
        ..Default::default()
    };
    let (packed, meta) =
        block_on(spec_alice().pack_encrypted(&msg, "did:example:bob", &options)).unwrap();
    let bob_secrets = store_secrets(&secrets("secrets-bob.json"));
    for kid in &meta.to_kids {
        let only = bob_secrets.iter().filter(|s| &s.kid == kid).cloned();
        let receiver = agent(&[alice_doc(), bob_doc()], only);
        let (got, _) = block_on(receiver.unpack(&packed, &UnpackOptions::default())).unwrap();
        assert_eq!(got, msg, "{kid}");
    }
}

#[test]
fn a_kid_selects_exactly_that_key() {
    let msg = message("did:example:alice", "did:example:bob");
    for (from, to) in [
        ("did:example:alice#key-p256-1", "did:example:bob#key-p256-2"),
        ("did:example:alice#key-p521-1", "did:example:bob#key-p521-1"),
        (
            "did:example:alice#key-x25519-1",
            "did:example:bob#key-x25519-3",
        ),
    ] {
        let options = PackEncryptedOptions {
            from: Some(from.into()),
            ..Default::default()
        };
        let (packed, meta) = block_on(spec_alice().pack_encrypted(&msg, to, &options)).unwrap();
        assert_eq!(meta.to_kids, [to]);
        assert_eq!(meta.from_kid.as_deref(), Some(from));
        let (got, um) = unpack_all(&spec_bob(), &packed);
        assert_eq!(got, msg);
        assert_eq!(um.encrypted_to_kids, Some(vec![to.to_owned()]));
    }
    // Anoncrypt to a P-384 kid; Alice has no P-384 key, which anoncrypt does not need.
    let (packed, meta) = block_on(spec_alice().pack_encrypted(
        &msg,
        "did:example:bob#key-p384-2",
        &Default::default(),
    ))
    .unwrap();
    assert_eq!(meta.to_kids, ["did:example:bob#key-p384-2"]);
    assert_eq!(unpack_all(&spec_bob(), &packed).0, msg);
}

#[test]
fn authcrypt_picks_the_first_curve_both_sides_have() {
    // Alice holds secrets only for P-521 (and not X25519/P-256): the P-521 keys are used.
    let alice_secrets = store_secrets(&secrets("secrets-alice.json"))
        .into_iter()
        .filter(|s| s.kid.ends_with("p521-1"));
    let sender = agent(&[alice_doc(), bob_doc()], alice_secrets);
    let msg = message("did:example:alice", "did:example:bob");
    let options = PackEncryptedOptions {
        from: Some("did:example:alice".into()),
        ..Default::default()
    };
    let (packed, meta) =
        block_on(sender.pack_encrypted(&msg, "did:example:bob", &options)).unwrap();
    assert_eq!(
        meta.from_kid.as_deref(),
        Some("did:example:alice#key-p521-1")
    );
    assert_eq!(
        meta.to_kids,
        ["did:example:bob#key-p521-1", "did:example:bob#key-p521-2"]
    );
    assert_eq!(unpack_all(&spec_bob(), &packed).0, msg);
}

#[test]
fn a_message_without_to_or_from_round_trips_anonymously() {
    let mut msg = Message::new(
        "1",
        "https://didcomm.org/empty/1.0/empty",
        Default::default(),
    );
    msg.to = None;
    let (packed, _) =
        block_on(spec_alice().pack_encrypted(&msg, "did:example:bob", &Default::default()))
            .unwrap();
    let (got, um) = unpack_all(&spec_bob(), &packed);
    assert_eq!(got, msg);
    assert!(um.anonymous_sender && !um.authenticated);
}

/// The README's Rust example, kept verbatim so the README cannot drift.
async fn hello(alice: &Agent, bob: &Agent) -> didcomm_wasm::Result<()> {
    let mut msg = Message::new(
        "1234567890",
        "https://didcomm.org/basicmessage/2.0/message",
        Default::default(),
    );
    msg.from = Some("did:example:alice".into());
    msg.to = Some(vec!["did:example:bob".into()]);

    // Authcrypt from Alice to all of Bob's keyAgreement keys on a curve they share.
    let options = PackEncryptedOptions {
        from: Some("did:example:alice".into()),
        ..Default::default()
    };
    let (packed, _meta) = alice
        .pack_encrypted(&msg, "did:example:bob", &options)
        .await?;

    let (received, info) = bob.unpack(&packed, &UnpackOptions::default()).await?;
    assert_eq!(received, msg);
    assert!(info.authenticated && info.encrypted);
    Ok(())
}

#[test]
fn readme_example_runs() {
    block_on(hello(&spec_alice(), &spec_bob())).unwrap();
}
