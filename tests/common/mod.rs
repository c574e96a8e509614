//! Test fixtures: the spec's vectors from ../shared/vectors/spec (or $DIDCOMM_VECTORS), and
//! generated identities with keys on every curve.
#![allow(dead_code)]

use std::path::PathBuf;

use didcomm_wasm::crypto::{Curve, SecretKey};
use didcomm_wasm::jose::jwk;
use didcomm_wasm::{DidComm, DidDocument, Secret, SecretsStore, StaticResolver};
use serde_json::{json, Value};

/// The spec's packed vectors (CHECKLIST §13), by envelope kind.
pub const JWS_VECTORS: [&str; 3] = [
    "signed-eddsa.json",
    "signed-es256.json",
    "signed-es256k.json",
];
pub const JWE_VECTORS: [&str; 6] = [
    "anoncrypt-x25519-xc20p.json",
    "anoncrypt-p384-a256cbc.json",
    "anoncrypt-p521-a256gcm.json",
    "authcrypt-x25519-a256cbc.json",
    "signed-authcrypt-p256-a256cbc.json",
    "signed-authcrypt-anoncrypt-p521-xc20p.json",
];

pub fn vectors_dir() -> PathBuf {
    std::env::var_os("DIDCOMM_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors"))
        .join("spec")
}

pub fn vector(name: &str) -> String {
    let path = vectors_dir().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read spec vector {}: {e}", path.display()))
}

pub fn vector_json(name: &str) -> Value {
    serde_json::from_str(&vector(name)).unwrap()
}

pub fn secrets(name: &str) -> SecretsStore {
    let list = vector_json(name);
    SecretsStore::from_jwks(list.as_array().unwrap()).unwrap()
}

pub fn alice_doc() -> DidDocument {
    DidDocument::from_value(&vector_json("diddoc-alice.json")).unwrap()
}

pub fn bob_doc() -> DidDocument {
    DidDocument::from_value(&vector_json("diddoc-bob.json")).unwrap()
}

/// A generated identity: `did:example:<name>` with one keyAgreement key on each curve in
/// `agreement` and one authentication key on each curve in `auth`, ids `#ka-<curve>`
/// and `#auth-<curve>` (`#ka-<curve>-2`, ... for a curve listed again).
pub struct Identity {
    pub doc: DidDocument,
    pub secrets: Vec<Secret>,
}

pub fn identity(name: &str, agreement: &[Curve], auth: &[Curve]) -> Identity {
    let did = format!("did:example:{name}");
    let mut secrets = Vec::new();
    let mut methods = |prefix: &str, curves: &[Curve]| -> Vec<Value> {
        curves
            .iter()
            .enumerate()
            .map(|(i, curve)| {
                let key = SecretKey::generate(*curve).unwrap();
                // A curve listed again gets a numbered id: #ka-x25519, #ka-x25519-2, ...
                let n = curves[..i].iter().filter(|c| *c == curve).count();
                let suffix = if n == 0 {
                    String::new()
                } else {
                    format!("-{}", n + 1)
                };
                let kid = format!("{did}#{prefix}-{}{suffix}", curve.name().to_lowercase());
                let vm = json!({"id": kid, "type": "JsonWebKey2020", "controller": did,
                    "publicKeyJwk": jwk::public_to_jwk(&key.public_key())});
                secrets.push(Secret { kid, key });
                vm
            })
            .collect()
    };
    let ka = methods("ka", agreement);
    let au = methods("auth", auth);
    let doc =
        DidDocument::from_value(&json!({"id": did, "keyAgreement": ka, "authentication": au}))
            .unwrap();
    Identity { doc, secrets }
}

pub type Agent = DidComm<StaticResolver, SecretsStore>;

/// An agent that resolves every document in `docs` and holds `secrets`.
pub fn agent(docs: &[DidDocument], secrets: impl IntoIterator<Item = Secret>) -> Agent {
    let mut store = SecretsStore::new();
    for s in secrets {
        store.insert(s);
    }
    DidComm::new(StaticResolver::new(docs.iter().cloned()), store)
}

pub fn store_secrets(store: &SecretsStore) -> Vec<Secret> {
    store.kids().filter_map(|k| store.get(k).cloned()).collect()
}

/// Alice and Bob of the spec vectors, each holding their own secrets.
pub fn spec_alice() -> Agent {
    agent(
        &[alice_doc(), bob_doc()],
        store_secrets(&secrets("secrets-alice.json")),
    )
}

pub fn spec_bob() -> Agent {
    agent(
        &[alice_doc(), bob_doc()],
        store_secrets(&secrets("secrets-bob.json")),
    )
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

/// The spec's plaintext message, with `type` compared modulo the URL scheme (CHECKLIST §13).
pub fn normalized_type(t: &str) -> String {
    t.strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(t)
        .to_owned()
}
