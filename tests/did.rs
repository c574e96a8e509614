//! DID resolution against ../shared/vectors/did: did:key's own vectors, the did:peer spec
//! examples and reference resolutions, and legacy did:peer:2 DIDs from older libraries.

#![cfg(feature = "did-methods")]

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use didcomm_wasm::did::{self, key, peer, DidDocument, Endpoint, Relationship};
use serde_json::Value;

fn did_dir() -> PathBuf {
    common::vectors_dir().parent().unwrap().join("did")
}

fn read(path: &str) -> Value {
    let path = did_dir().join(path);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

fn resolve(did: &str) -> DidDocument {
    let result = if did.starts_with("did:key:") {
        key::resolve(did)
    } else {
        peer::resolve(did)
    };
    result.unwrap_or_else(|e| panic!("{did}: {e}"))
}

fn endpoints(doc: &DidDocument) -> Vec<Endpoint> {
    doc.didcomm_services()
        .into_iter()
        .flat_map(|s| s.endpoints)
        .collect()
}

/// Same keys (by id, through aliases), same relationships, same DIDComm endpoints.
/// `legacy`: the expected document comes from an older resolver that also puts
/// authentication keys in assertionMethod; only authentication and keyAgreement count.
fn assert_same(ours: &DidDocument, expected: &Value, label: &str, legacy: bool) {
    let rels: &[Relationship] = if legacy {
        &[Relationship::Authentication, Relationship::KeyAgreement]
    } else {
        &[
            Relationship::Authentication,
            Relationship::KeyAgreement,
            Relationship::AssertionMethod,
        ]
    };
    assert_same_in(ours, expected, label, rels);
}

fn assert_same_in(ours: &DidDocument, expected: &Value, label: &str, rels: &[Relationship]) {
    let exp = DidDocument::from_value(expected)
        .unwrap_or_else(|e| panic!("{label}: expected document: {e}"));
    assert!(
        !exp.verification_methods.is_empty(),
        "{label}: expected document has keys"
    );
    for vm in &exp.verification_methods {
        let mine = ours
            .verification_method(&vm.id)
            .unwrap_or_else(|| panic!("{label}: no key {}", vm.id));
        let want = vm
            .public_key()
            .unwrap_or_else(|e| panic!("{label}: expected key {}: {e}", vm.id));
        assert_eq!(mine.public_key().unwrap(), want, "{label}: key {}", vm.id);
    }
    for &rel in rels {
        let want: BTreeSet<&str> = exp
            .relationship(rel)
            .iter()
            .map(|k| ours.canonical_kid(k))
            .collect();
        let got: BTreeSet<&str> = ours.relationship(rel).iter().map(String::as_str).collect();
        assert_eq!(got, want, "{label}: {}", rel.name());
    }
    assert_eq!(endpoints(ours), endpoints(&exp), "{label}: services");
}

#[test]
fn did_key_vectors_resolve() {
    let mut count = 0;
    for file in [
        "key/ed25519-x25519.json",
        "key/nist-curves.json",
        "key/secp256k1.json",
    ] {
        for (did, entry) in read(file).as_object().unwrap() {
            assert_same(&resolve(did), &entry["didDocument"], did, false);
            count += 1;
        }
    }
    for (did, doc) in read("key/x25519.json")["didDocument"].as_object().unwrap() {
        assert_same(&resolve(did), doc, did, false);
        count += 1;
    }
    assert!(count >= 10, "{count} did:key vectors");
}

#[test]
fn did_peer_spec_and_reference_resolutions() {
    // Long form first: the short did:peer:4 resolves from it.
    for file in [
        "peer/peer2-spec.json",
        "peer/peer2-spec.did-peer-2.json",
        "peer/peer2-spec-method3.did-peer-2.json",
        "peer/peer4-long-spec.json",
        "peer/peer4-long-spec.did-peer-4.json",
        "peer/peer4-short-spec.json",
        "peer/peer4-short-spec.did-peer-4.json",
    ] {
        let v = read(file);
        let did = v["did"].as_str().unwrap();
        assert_same(&resolve(did), &v["document"], file, false);
    }
}

#[test]
fn did_peer_2_spec_ids_are_normative() {
    let v = read("peer/peer2-spec.json");
    let did = v["did"].as_str().unwrap();
    let doc = resolve(did);
    assert_eq!(doc.authentication, [format!("{did}#key-1")]);
    assert_eq!(doc.key_agreement, [format!("{did}#key-2")]);
    let ids: Vec<&str> = doc
        .services
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [format!("{did}#service"), format!("{did}#service-1")]);
    assert!(doc.also_known_as[0].starts_with("did:peer:3z"));
}

#[test]
fn did_peer_3_is_the_hash_of_the_did_peer_2() {
    let v = read("peer/peer2-spec-method3.json");
    assert_eq!(
        resolve(v["did"].as_str().unwrap()).also_known_as,
        [v["did_peer_3"].as_str().unwrap()]
    );
}

#[test]
fn did_peer_0_resolves_like_did_key() {
    // peerdid's resolution lacks the X25519 key that did:key derives from an Ed25519 key
    // (did:peer:0 is did:key by the spec), so only keys and authentication compare.
    let v = read("peer/peer0-spec.peerdid.json");
    let did = v["did"].as_str().unwrap();
    let doc = resolve(did);
    assert_same_in(&doc, &v["document"], did, &[Relationship::Authentication]);
    assert_eq!(doc.key_agreement.len(), 1, "the derived X25519 key");
}

#[test]
fn legacy_did_peer_2_resolves_to_the_same_keys_and_services() {
    let mut count = 0;
    for entry in std::fs::read_dir(did_dir().join("peer")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let legacy = (name.starts_with("generated-") && name.matches('.').count() == 1
            || name.ends_with(".peerdid.json"))
            && !name.starts_with("peer0"); // did:peer:0: see did_peer_0_resolves_like_did_key
        if !legacy {
            continue;
        }
        let v = read(&format!("peer/{name}"));
        let did = v["did"].as_str().unwrap();
        assert_same(&resolve(did), &v["document"], &name, true);
        count += 1;
    }
    assert!(count >= 8, "{count} legacy DIDs");
}

#[test]
fn the_generated_did_peer_2_forms_resolve_alike() {
    // The same keys and services through the spec library's encoding.
    for case in [
        "agreement-only",
        "auth-agreement",
        "two-agreement",
        "service-endpoint-string",
        "service-full",
        "service-uri-only",
        "two-services",
    ] {
        let spec = read(&format!("peer/generated-{case}.did-peer-2.json"));
        let did = spec["did"].as_str().unwrap();
        assert_same(&resolve(did), &spec["document"], case, false);
    }
}

#[test]
fn malformed_dids_give_clear_errors() {
    use didcomm_wasm::ErrorKind::*;
    let cases = [
        ("did:key:z6MkBAD0", Malformed),                 // '0' is not base58
        ("did:key:m6MkpTHR8", Unsupported),              // not base58btc
        ("did:key:zQmNotAKey111111111111111111111111111111111", Unsupported), // multicodec is a hash
        ("did:peer:2.Xz6Mkpw", Malformed),               // unknown purpose
        ("did:peer:2.Sinvalid*base64", Malformed),       // bad base64 in a service
        ("did:peer:2.SbnVsbA", Malformed),               // base64 of "null": not a service
        ("did:peer:9abc", Unsupported),
        ("did:peer:4zQmd8CpeFPci817KDsbSAKWcXAE2mjvCQSasRewvbSF54Bd:z2M1k7h4psgp4CmJcnQn2Ljp7Pz7ktsd7oBhMU3dWY5s4fhFNj17qcRTQ427C7", Malformed),
        ("did:peer:4zQmUnknownShortForm1111111111111111111111111", DidNotFound),
    ];
    for (input, kind) in cases {
        let e = if input.starts_with("did:key:") {
            key::resolve(input)
        } else {
            peer::resolve(input)
        }
        .unwrap_err();
        assert_eq!(e.kind(), kind, "{input}: {e}");
        assert!(
            e.message().contains("did:"),
            "{input}: error names the DID: {e}"
        );
    }
    // An Ed25519 multicodec with a 31-byte key.
    let mut short = vec![0xed, 0x01];
    short.extend([7u8; 31]);
    let did = format!("did:key:z{}", bs58::encode(short).into_string());
    assert_eq!(key::resolve(&did).unwrap_err().kind(), Malformed, "{did}");
    let mut short = vec![0xec, 0x01];
    short.extend([7u8; 31]);
    let did = format!("did:peer:2.Ez{}", bs58::encode(short).into_string());
    assert_eq!(peer::resolve(&did).unwrap_err().kind(), Malformed, "{did}");
    // A did:peer:4 whose document was changed after hashing.
    let v = read("peer/peer4-long-spec.json");
    let long = v["did"].as_str().unwrap();
    let tampered = format!(
        "{}{}",
        &long[..long.len() - 1],
        if long.ends_with('1') { '2' } else { '1' }
    );
    let e = peer::resolve(&tampered).unwrap_err();
    assert!(matches!(e.kind(), Malformed), "{e}");
    assert!(
        e.message().contains("hash") || e.message().contains("document"),
        "{e}"
    );
    assert!(did::is_did(long));
}
