//! Created identities and every key shape work for pack and unpack; legacy did:peer:2 kids
//! find their secrets either way round.

#![cfg(feature = "did-methods")]

mod common;

use common::*;
use didcomm_wasm::crypto::Curve;
use didcomm_wasm::did::identity::{self, Identity, PeerOptions};
use didcomm_wasm::did::{multikey, ChainResolver, DidDocument, Endpoint};
use didcomm_wasm::{
    DidComm, Message, PackEncryptedOptions, Secret, SecretsStore, StaticResolver, UnpackOptions,
};
use serde_json::{json, Value};

type Chained = DidComm<ChainResolver<StaticResolver>, SecretsStore>;

/// An agent with the built-in methods in front of the spec documents (and `docs`).
fn chained(docs: &[DidDocument], secrets: impl IntoIterator<Item = Secret>) -> Chained {
    let mut store = SecretsStore::new();
    for s in secrets {
        store.insert(s);
    }
    let mut all = vec![alice_doc(), bob_doc()];
    all.extend(docs.iter().cloned());
    DidComm::new(ChainResolver::new(StaticResolver::new(all)), store)
}

fn spec_alice_chained(docs: &[DidDocument]) -> Chained {
    chained(docs, store_secrets(&secrets("secrets-alice.json")))
}

fn msg(from: &str, to: &str) -> Message {
    let mut m = Message::new(
        "id-1",
        "https://didcomm.org/basicmessage/2.0/message",
        json!({"content": "hi"}).as_object().unwrap().clone(),
    );
    m.from = Some(from.into());
    m.to = Some(vec![to.into()]);
    m
}

/// Alice → `them` signed and authcrypted; `them` → Alice authcrypted (and signed when
/// they can sign); each unpacks. Anoncrypt where Alice (X25519, P-256, P-521) shares no
/// key-agreement curve with them.
fn exchange_with_alice(them: &Identity, to_did: &str) {
    let alice = spec_alice_chained(&[]);
    let me = chained(&[], them.secrets.clone());
    let shared = them
        .secrets
        .iter()
        .any(|s| matches!(s.key.curve(), Curve::X25519 | Curve::P256 | Curve::P521));
    let alice_from = shared.then(|| "did:example:alice".to_owned());
    let to_alice = PackEncryptedOptions {
        from: alice_from,
        sign_by: Some("did:example:alice".into()),
        // Their services route through mediators these tests do not run (tests/routing.rs does).
        forward: false,
        ..Default::default()
    };
    let m = msg("did:example:alice", to_did);
    let (packed, _) = block_on(alice.pack_encrypted(&m, to_did, &to_alice))
        .unwrap_or_else(|e| panic!("{to_did}: {e}"));
    let (got, meta) = block_on(me.unpack(&packed, &UnpackOptions::default()))
        .unwrap_or_else(|e| panic!("{to_did}: {e}"));
    assert_eq!(got, m);
    assert!(meta.authenticated && meta.non_repudiation);

    if them.document.key_agreement.is_empty() {
        return;
    }
    let back = msg(&them.did, "did:example:alice");
    let mut options = PackEncryptedOptions {
        from: shared.then(|| them.did.clone()),
        ..Default::default()
    };
    let can_sign = them.document.authentication.first().is_some_and(|kid| {
        let key = them
            .document
            .verification_method(kid)
            .unwrap()
            .public_key()
            .unwrap();
        didcomm_wasm::SignAlg::for_curve(key.curve()).is_some()
    });
    if can_sign {
        options.sign_by = Some(them.did.clone());
    }
    let (packed, _) = block_on(me.pack_encrypted(&back, "did:example:alice", &options))
        .unwrap_or_else(|e| panic!("{}: {e}", them.did));
    let (got, meta) = block_on(alice.unpack(&packed, &UnpackOptions::default())).unwrap();
    assert_eq!(got, back);
    assert_eq!(meta.authenticated, shared || can_sign);
}

#[test]
fn created_did_peer_2_identities_exchange_messages() {
    let mediated = PeerOptions {
        services: vec![Endpoint {
            uri: "https://mediator.example/didcomm".into(),
            accept: vec!["didcomm/v2".into()],
            routing_keys: vec!["did:example:mediator#key-1".into()],
        }],
        ..Default::default()
    };
    for options in [
        PeerOptions::default(),
        mediated,
        PeerOptions {
            agreement: vec![Curve::P256, Curve::X25519],
            authentication: vec![Curve::P256],
            services: vec![],
        },
        PeerOptions {
            agreement: vec![Curve::P384],
            authentication: vec![Curve::Secp256k1],
            services: vec![],
        },
    ] {
        let id = identity::create_peer_2(&options).unwrap();
        identity::check(&id).unwrap();
        assert!(id.did.starts_with("did:peer:2.E"));
        assert_eq!(id.document.didcomm_services().len(), options.services.len());
        exchange_with_alice(&id, &id.did);
    }
}

#[test]
fn created_did_peer_4_identities_exchange_messages_by_either_form() {
    let id = identity::create_peer_4(&PeerOptions {
        services: vec![Endpoint {
            uri: "wss://m.example/ws".into(),
            ..Default::default()
        }],
        ..Default::default()
    })
    .unwrap();
    identity::check(&id).unwrap();
    let short = didcomm_wasm::did::peer::short_form_4(&id.did)
        .unwrap()
        .to_owned();
    assert_eq!(id.document.also_known_as, std::slice::from_ref(&short));
    exchange_with_alice(&id, &id.did);
    exchange_with_alice(&id, &short);
}

#[test]
fn created_did_keys_exchange_messages() {
    for curve in [Curve::Ed25519, Curve::X25519, Curve::P256, Curve::P384] {
        let id = identity::create_key(curve).unwrap();
        identity::check(&id).unwrap();
        exchange_with_alice(&id, &id.did);
    }
}

fn legacy(case: &str) -> (String, Vec<Secret>) {
    let path = vectors_dir()
        .parent()
        .unwrap()
        .join(format!("did/peer/generated-{case}.json"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let secrets = v["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let mut jwk = s["privateKeyJwk"].clone();
            jwk["kid"] = s["kid"].clone();
            Secret::from_jwk_checked(&jwk).unwrap()
        })
        .collect();
    (v["did"].as_str().unwrap().to_owned(), secrets)
}

#[test]
fn legacy_kids_find_their_secrets_both_ways() {
    for case in [
        "auth-agreement",
        "service-full",
        "two-services",
        "agreement-only",
    ] {
        let (did, legacy_secrets) = legacy(case);
        assert!(
            legacy_secrets.iter().all(|s| !s.kid.contains("#key-")),
            "{case}: legacy kids"
        );
        // Addressed with the spec's #key-N kids; the receiver keeps secrets under the
        // legacy fingerprint ids.
        let alice = spec_alice_chained(&[]);
        let receiver = chained(&[], legacy_secrets.clone());
        let m = msg("did:example:alice", &did);
        let options = PackEncryptedOptions {
            from: Some("did:example:alice".into()),
            forward: false, // the legacy services name a mediator that is not resolvable here
            ..Default::default()
        };
        let (packed, meta) = block_on(alice.pack_encrypted(&m, &did, &options)).unwrap();
        assert!(
            meta.to_kids.iter().all(|k| k.contains("#key-")),
            "{case}: {:?}",
            meta.to_kids
        );
        let (got, _) = block_on(receiver.unpack(&packed, &UnpackOptions::default()))
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(got, m);

        // And back: a peer addresses the legacy kid; the receiver keeps #key-N secrets.
        let doc = didcomm_wasm::did::peer::resolve(&did).unwrap();
        let renamed: Vec<Secret> = legacy_secrets
            .iter()
            .map(|s| Secret {
                kid: doc.canonical_kid(&s.kid).to_owned(),
                key: s.key.clone(),
            })
            .collect();
        assert!(renamed.iter().all(|s| s.kid.contains("#key-")));
        let agreement = legacy_secrets
            .iter()
            .find(|s| s.key.curve() == Curve::X25519)
            .unwrap();
        let public = agreement.key.public_key();
        let recipients = [didcomm_wasm::jose::jwe::Recipient {
            kid: &agreement.kid,
            key: &public,
        }];
        let plaintext = msg("did:example:alice", &did).to_json();
        let jwe = block_on(didcomm_wasm::jose::jwe::encrypt(
            plaintext.as_bytes(),
            Default::default(),
            &recipients,
            None,
        ))
        .unwrap();
        let receiver = chained(&[], renamed.clone());
        block_on(receiver.unpack(&jwe, &UnpackOptions::default()))
            .unwrap_or_else(|e| panic!("{case} back: {e}"));

        // A legacy identity sends with secrets under legacy kids; Alice verifies.
        if doc.authentication.is_empty() {
            continue;
        }
        let sender = chained(&[], legacy_secrets);
        let back = msg(&did, "did:example:alice");
        let options = PackEncryptedOptions {
            from: Some(did.clone()),
            sign_by: Some(did.clone()),
            ..Default::default()
        };
        let (packed, meta) = block_on(sender.pack_encrypted(&back, "did:example:alice", &options))
            .unwrap_or_else(|e| panic!("{case} send: {e}"));
        assert!(meta.from_kid.unwrap().contains("#key-"));
        assert_eq!(
            block_on(alice.unpack(&packed, &UnpackOptions::default()))
                .unwrap()
                .0,
            back
        );
    }
}

/// Bob's keys re-published in each verification-method shape.
#[test]
fn every_verification_method_shape_packs_and_unpacks() {
    let id = identity::create_peer_2(&PeerOptions::default()).unwrap();
    let x = id
        .secrets
        .iter()
        .find(|s| s.key.curve() == Curve::X25519)
        .unwrap();
    let ed = id
        .secrets
        .iter()
        .find(|s| s.key.curve() == Curve::Ed25519)
        .unwrap();
    let raw = |s: &Secret| bs58::encode(s.key.public_key().coordinates().0).into_string();
    let mb = |s: &Secret| multikey::encode(&s.key.public_key());
    let jwk =
        |s: &Secret| Value::Object(didcomm_wasm::jose::jwk::public_to_jwk(&s.key.public_key()));
    let shapes = [
        (
            "JsonWebKey2020",
            json!({"type": "JsonWebKey2020", "publicKeyJwk": jwk(x)}),
            json!({"type": "JsonWebKey2020", "publicKeyJwk": jwk(ed)}),
        ),
        (
            "Multikey",
            json!({"type": "Multikey", "publicKeyMultibase": mb(x)}),
            json!({"type": "Multikey", "publicKeyMultibase": mb(ed)}),
        ),
        (
            "2019/2018 base58",
            json!({"type": "X25519KeyAgreementKey2019", "publicKeyBase58": raw(x)}),
            json!({"type": "Ed25519VerificationKey2018", "publicKeyBase58": raw(ed)}),
        ),
        (
            "2020 multibase",
            json!({"type": "X25519KeyAgreementKey2020", "publicKeyMultibase": mb(x)}),
            json!({"type": "Ed25519VerificationKey2020", "publicKeyMultibase": mb(ed)}),
        ),
    ];
    for (name, mut agreement, mut auth) in shapes {
        let did = "did:example:shapes";
        agreement["id"] = json!("#ka");
        auth["id"] = json!("#auth");
        // Embedded in one relationship, by reference in the other.
        let doc = DidDocument::from_value(&json!({
            "id": did, "verificationMethod": [auth], "authentication": ["#auth"], "keyAgreement": [agreement],
        }))
        .unwrap();
        let secrets = [
            Secret {
                kid: format!("{did}#ka"),
                key: x.key.clone(),
            },
            Secret {
                kid: format!("{did}#auth"),
                key: ed.key.clone(),
            },
        ];
        let me = chained(std::slice::from_ref(&doc), secrets);
        let alice = spec_alice_chained(&[doc]);
        let m = msg("did:example:alice", did);
        let options = PackEncryptedOptions {
            from: Some("did:example:alice".into()),
            ..Default::default()
        };
        let (packed, _) = block_on(alice.pack_encrypted(&m, did, &options))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            block_on(me.unpack(&packed, &UnpackOptions::default()))
                .unwrap()
                .0,
            m,
            "{name}"
        );
        let back = msg(did, "did:example:alice");
        let (signed, _) =
            block_on(me.pack_signed(&back, did)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (got, meta) = block_on(alice.unpack(&signed, &UnpackOptions::default())).unwrap();
        assert_eq!(
            (got, meta.sign_from.unwrap()),
            (back, format!("{did}#auth")),
            "{name}"
        );
    }
}
