//! Property tests: random input and mutated envelopes never make unpack panic. A panic in
//! wasm poisons the module, so every failure must come back as an error value.

mod common;

use std::sync::OnceLock;

use common::*;
use didcomm_wasm::jose::b64;
use didcomm_wasm::{Message, PackEncryptedOptions, UnpackOptions};
use proptest::prelude::*;
use serde_json::Value;

/// Every packed form: the nine spec vectors plus fresh packs of each layering.
fn corpus() -> &'static [String] {
    static CORPUS: OnceLock<Vec<String>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut out: Vec<String> = JWS_VECTORS
            .iter()
            .chain(&JWE_VECTORS)
            .chain(&["plaintext.json"])
            .map(|n| vector(n))
            .collect();
        let msg = Message::from_value(&vector_json("plaintext.json")).unwrap();
        let alice = spec_alice();
        let from = Some("did:example:alice".to_owned());
        for options in [
            PackEncryptedOptions {
                from: from.clone(),
                protect_sender: true,
                sign_by: from.clone(),
                ..Default::default()
            },
            PackEncryptedOptions {
                from: Some("did:example:alice#key-p256-1".into()),
                ..Default::default()
            },
        ] {
            out.push(
                block_on(alice.pack_encrypted(&msg, "did:example:bob", &options))
                    .unwrap()
                    .0,
            );
        }
        out
    })
}

fn bob() -> &'static Agent {
    static BOB: OnceLock<Agent> = OnceLock::new();
    BOB.get_or_init(spec_bob)
}

fn unpack_quietly(input: &str) {
    let bob = bob();
    // Every option on and off; the re-wrapping one also parses forwards found inside.
    for (all, rewrap) in [(false, false), (true, true)] {
        let _ = block_on(bob.unpack(
            input,
            &UnpackOptions {
                expect_decrypt_by_all_keys: all,
                unwrap_re_wrapping_forward: rewrap,
            },
        ));
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,24}".prop_map(Value::from),
        "[A-Za-z0-9_-]{0,90}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("protected".to_owned()),
                    Just("recipients".to_owned()),
                    Just("ciphertext".to_owned()),
                    Just("payload".to_owned()),
                    Just("signatures".to_owned()),
                    Just("header".to_owned()),
                    Just("kid".to_owned()),
                    Just("id".to_owned()),
                    Just("type".to_owned()),
                    Just("body".to_owned()),
                    Just("epk".to_owned()),
                    Just("attachments".to_owned()),
                    ".{0,8}".prop_map(|s| s),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Walks to a random member or element of `v`, choosing by `path` entropy.
fn pick<'a>(v: &'a mut Value, path: &[usize]) -> &'a mut Value {
    let Some((&step, rest)) = path.split_first() else {
        return v;
    };
    // Decide where to go before borrowing mutably (one borrow per branch).
    let key = match &*v {
        Value::Object(map) if !map.is_empty() => map.keys().nth(step % map.len()).cloned().map(Ok),
        Value::Array(items) if !items.is_empty() => Some(Err(step % items.len())),
        _ => None,
    };
    match key {
        Some(Ok(k)) => pick(&mut v[k.as_str()], rest),
        Some(Err(i)) => pick(&mut v[i], rest),
        None => v,
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Vec<usize>, Value),
    Remove(Vec<usize>),
    /// Flip a bit of a base64url string's decoded bytes.
    FlipDecoded(Vec<usize>, usize, u8),
    /// Edit the decoded protected header (JSON inside base64url).
    EditHeader(Vec<usize>, Value),
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    let path = prop::collection::vec(any::<usize>(), 0..5);
    prop_oneof![
        (path.clone(), arb_json()).prop_map(|(p, v)| Mutation::Replace(p, v)),
        path.clone().prop_map(Mutation::Remove),
        (path.clone(), any::<usize>(), 0u8..8).prop_map(|(p, i, b)| Mutation::FlipDecoded(p, i, b)),
        (path, arb_json()).prop_map(|(p, v)| Mutation::EditHeader(p, v)),
    ]
}

fn apply(v: &mut Value, m: &Mutation) {
    match m {
        Mutation::Replace(path, new) => *pick(v, path) = new.clone(),
        Mutation::Remove(path) => {
            if let Some((last, parent)) = path.split_last() {
                match pick(v, parent) {
                    Value::Object(map) if !map.is_empty() => {
                        let key = map.keys().nth(last % map.len()).cloned();
                        if let Some(k) = key {
                            map.remove(&k);
                        }
                    }
                    Value::Array(items) if !items.is_empty() => {
                        let len = items.len();
                        items.remove(last % len);
                    }
                    _ => {}
                }
            }
        }
        Mutation::FlipDecoded(path, index, bit) => {
            if let Value::String(s) = pick(v, path) {
                if let Ok(mut bytes) = b64::decode(s, "") {
                    if !bytes.is_empty() {
                        let len = bytes.len();
                        bytes[index % len] ^= 1 << bit;
                        *s = b64::encode(bytes);
                    }
                }
            }
        }
        Mutation::EditHeader(path, new) => {
            if let Some(Value::String(s)) = v.get_mut("protected") {
                if let Ok(mut header) = b64::decode(s, "")
                    .map(|b| serde_json::from_slice::<Value>(&b).unwrap_or(Value::Null))
                {
                    *pick(&mut header, path) = new.clone();
                    *s = b64::encode(header.to_string());
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        unpack_quietly(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_json_never_panics(value in arb_json()) {
        unpack_quietly(&value.to_string());
    }

    #[test]
    fn mutated_envelopes_never_panic(which in any::<usize>(), mutations in prop::collection::vec(arb_mutation(), 1..4)) {
        let corpus = corpus();
        let mut value: Value = serde_json::from_str(&corpus[which % corpus.len()]).unwrap();
        for m in &mutations {
            apply(&mut value, m);
        }
        unpack_quietly(&value.to_string());
    }

    #[test]
    fn byte_level_damage_never_panics(which in any::<usize>(), cut in any::<usize>(), flip in any::<usize>(), byte in any::<u8>()) {
        let corpus = corpus();
        let text = &corpus[which % corpus.len()];
        let mut bytes = text.as_bytes().to_vec();
        let at = flip % bytes.len();
        bytes[at] = byte;
        bytes.truncate(cut % (bytes.len() + 1) + bytes.len() / 2);
        unpack_quietly(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn the_corpus_itself_unpacks() {
    // The mutations start from envelopes that are valid, so damage is what they test.
    let bob = bob();
    for packed in corpus() {
        block_on(bob.unpack(packed, &UnpackOptions::default())).unwrap();
    }
}
