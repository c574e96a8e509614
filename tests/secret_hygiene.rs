//! Secrets leave no trace: every heap block freed while keys are read, used for every
//! envelope and dropped is searched for each private key (its bytes and its JWK text) and
//! each static-static shared secret the keys keep, and no error message or `Debug` output
//! shows one.
//!
//! One test in this binary, since the allocator below watches the whole process.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

use common::*;
use didcomm_wasm::crypto::ecdh;
use didcomm_wasm::jose::b64;
use didcomm_wasm::{
    DidComm, Message, PackEncryptedOptions, Secret, SecretsStore, StaticResolver, UnpackOptions,
};
use serde_json::Value;
use zeroize::Zeroize;

/// The system allocator, searching each block it frees (while armed) for the patterns.
struct Watch;

static ARMED: AtomicBool = AtomicBool::new(false);
static FOUND: AtomicUsize = AtomicUsize::new(0);
static PATTERNS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();

unsafe impl GlobalAlloc for Watch {
    // Zeroed, so a block shows only what was written into it during its life, never what
    // an earlier block left in that memory.
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }

    // `realloc` is left to the default, which frees through `dealloc`, so moved blocks are
    // searched too.
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::Relaxed) {
            if let Some(patterns) = PATTERNS.get() {
                // SAFETY: the block is live until System.dealloc below.
                let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
                if patterns
                    .iter()
                    .any(|p| block.windows(p.len()).any(|w| w == p))
                {
                    FOUND.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Watch = Watch;

/// Each private key of the spec's Alice and Bob: raw and as its JWK `d`.
fn secret_patterns(jwks: &[Value]) -> (Vec<Vec<u8>>, Vec<String>) {
    let mut raw = Vec::new();
    let mut text = Vec::new();
    for jwk in jwks {
        let d = jwk["d"].as_str().unwrap();
        raw.push(b64::decode_secret(d, "d").unwrap().to_vec());
        text.push(d.to_owned());
    }
    (raw, text)
}

/// The static-static shared secrets (ECDH-1PU's Zs) of every pair of Alice's and Bob's keys
/// on one key-agreement curve: the keys keep them once used, and must wipe them too.
fn static_agreements(alice: &[Value], bob: &[Value]) -> Vec<Vec<u8>> {
    let key = |jwk: &Value| Secret::from_jwk(jwk).unwrap().key;
    let mut out = Vec::new();
    for a in alice {
        for b in bob {
            let (a, b) = (key(a), key(b));
            if a.curve() == b.curve() && a.curve().is_key_agreement() {
                out.push(ecdh::agree(&a, &b.public_key()).unwrap().to_vec());
            }
        }
    }
    out
}

fn scrub(jwks: &mut [Value]) {
    for jwk in jwks {
        if let Some(Value::String(d)) = jwk.get_mut("d") {
            d.zeroize();
        }
    }
}

#[test]
fn no_secret_survives_in_freed_memory_errors_or_debug_output() {
    let mut alice_jwks: Vec<Value> = vector_json("secrets-alice.json")
        .as_array()
        .unwrap()
        .clone();
    let mut bob_jwks: Vec<Value> = vector_json("secrets-bob.json").as_array().unwrap().clone();
    let all: Vec<Value> = alice_jwks.iter().chain(&bob_jwks).cloned().collect();
    let (raw, texts) = secret_patterns(&all);
    let agreements = static_agreements(&alice_jwks, &bob_jwks);
    assert!(agreements.len() >= 5, "{} pairs", agreements.len());
    let hex: Vec<String> = raw
        .iter()
        .map(|d| d.iter().map(|b| format!("{b:02x}")).collect())
        .collect();
    PATTERNS
        .set(
            raw.iter()
                .cloned()
                .chain(texts.iter().map(|t| t.clone().into_bytes()))
                .chain(agreements)
                .collect(),
        )
        .unwrap();
    let docs = [alice_doc(), bob_doc()];
    let message = Message::from_value(&vector_json("plaintext.json")).unwrap();
    let shown_texts: Vec<String> = texts.iter().chain(&hex).cloned().collect();
    let never_shown = |what: &str, shown: &str| {
        for t in &shown_texts {
            assert!(
                !shown.contains(t.as_str()),
                "{what} shows a private key: {shown}"
            );
        }
    };

    ARMED.store(true, Ordering::SeqCst);
    {
        let alice = DidComm::new(
            StaticResolver::new(docs.iter().cloned()),
            SecretsStore::from_jwks(&alice_jwks).unwrap(),
        );
        let bob = DidComm::new(
            StaticResolver::new(docs.iter().cloned()),
            SecretsStore::from_jwks(&bob_jwks).unwrap(),
        );
        // Every sender key Alice has (X25519, P-256, P-521 agreement; Ed25519, P-256,
        // secp256k1 signing), and anoncrypt and protect_sender; Bob unpacks each.
        let mut packed = Vec::new();
        for from in alice.secrets_resolver().kids() {
            let options = PackEncryptedOptions {
                from: Some(from.to_owned()),
                forward: false,
                ..Default::default()
            };
            let signed = PackEncryptedOptions {
                from: None,
                sign_by: Some(from.to_owned()),
                forward: false,
                ..Default::default()
            };
            for options in [options, signed] {
                match block_on(alice.pack_encrypted(&message, "did:example:bob", &options)) {
                    Ok((p, _)) => packed.push(p),
                    // A signing key cannot authcrypt, nor an agreement key sign.
                    Err(e) => never_shown("a pack error", &e.to_string()),
                }
            }
        }
        let protect = PackEncryptedOptions {
            from: Some("did:example:alice".into()),
            protect_sender: true,
            forward: false,
            ..Default::default()
        };
        packed.push(
            block_on(alice.pack_encrypted(&message, "did:example:bob", &protect))
                .unwrap()
                .0,
        );
        assert!(packed.len() >= 6, "{} envelopes", packed.len());
        for p in &packed {
            let options = UnpackOptions {
                expect_decrypt_by_all_keys: true,
                ..Default::default()
            };
            let (got, _) = block_on(bob.unpack(p, &options)).unwrap();
            assert_eq!(got.id, message.id);
            // Alice holds none of Bob's keys: the error names kids, not keys.
            never_shown(
                "an unpack error",
                &block_on(alice.unpack(p, &options)).unwrap_err().to_string(),
            );
        }

        // Debug output of every type that holds keys.
        for shown in [
            format!("{alice:?}"),
            format!("{:?}", bob.secrets_resolver()),
            format!(
                "{:?}",
                bob.secrets_resolver().get("did:example:bob#key-x25519-1")
            ),
        ] {
            never_shown("Debug output", &shown);
            assert!(shown.contains("redacted"), "{shown}");
        }

        // Errors about broken private JWKs name the kid, never the key.
        for jwk in &all {
            let mut wrong_x = jwk.clone();
            let x = wrong_x["x"].as_str().unwrap().to_owned();
            let other = all.iter().find(|j| j["crv"] == jwk["crv"] && j["x"] != x);
            if let Some(other) = other {
                wrong_x["x"] = other["x"].clone();
                wrong_x["y"] = other.get("y").cloned().unwrap_or(Value::Null);
                if wrong_x["y"].is_null() {
                    wrong_x.as_object_mut().unwrap().remove("y");
                }
                let e = Secret::from_jwk_checked(&wrong_x).unwrap_err();
                never_shown("a mismatched JWK's error", &e.to_string());
                let mut store = SecretsStore::new();
                store.insert_jwk(&wrong_x).unwrap();
                let kid = jwk["kid"].as_str().unwrap();
                let e = store.secret(kid).unwrap_err();
                assert!(e.message().contains(kid), "{e}");
                never_shown("a mismatched JWK's error on use", &e.to_string());
                never_shown("a store's Debug output", &format!("{store:?}"));
            }
            scrub(std::slice::from_mut(&mut wrong_x));
            let d = jwk["d"].as_str().unwrap();
            for suffix in ["AA", "*", ""] {
                // Built at full size, then swapped in: no copy of `d` freed unwiped.
                let mut bad_d = String::with_capacity(d.len() + 2);
                match suffix {
                    "" => bad_d.extend(std::iter::repeat_n('_', d.len())),
                    _ => bad_d.extend([d, suffix]),
                }
                let mut bad = jwk.clone();
                if let Some(Value::String(old)) = bad.get_mut("d") {
                    std::mem::replace(old, bad_d).zeroize();
                }
                if let Err(e) = Secret::from_jwk_checked(&bad) {
                    never_shown("a bad d's error", &e.to_string());
                }
                scrub(std::slice::from_mut(&mut bad));
            }
        }
        // Keys written back out are the caller's to wipe, as the JS face does.
        let mut exported: Vec<Value> = bob
            .secrets_resolver()
            .kids()
            .filter_map(|kid| bob.secrets_resolver().get(kid))
            .map(|s| Value::Object(s.to_jwk()))
            .collect();
        assert_eq!(exported.len(), bob_jwks.len());
        scrub(&mut exported);
    }
    scrub(&mut alice_jwks);
    scrub(&mut bob_jwks);
    let mut all = all;
    scrub(&mut all);
    drop((alice_jwks, bob_jwks, all));
    let mut texts = texts;
    texts.iter_mut().for_each(Zeroize::zeroize);
    drop(texts);
    let mut raw = raw;
    raw.iter_mut().for_each(Zeroize::zeroize);
    drop(raw);
    let mut hex = hex;
    hex.iter_mut().for_each(Zeroize::zeroize);
    drop(hex);
    ARMED.store(false, Ordering::SeqCst);
    assert_eq!(
        FOUND.load(Ordering::SeqCst),
        0,
        "freed heap blocks still held a private key"
    );
}
