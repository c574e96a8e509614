//! DID documents as resolvers return them: parsing, and every reading the core does of one.
#![no_main]

use didcomm_wasm::did::Relationship;
use didcomm_wasm::DidDocument;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(doc) = DidDocument::from_value(&value) else {
        return;
    };
    let _ = doc.to_value();
    let _ = doc.didcomm_services();
    for service in doc.typed_services() {
        let _ = service;
    }
    for rel in [
        Relationship::Authentication,
        Relationship::KeyAgreement,
        Relationship::AssertionMethod,
    ] {
        for kid in doc.relationship(rel).to_vec() {
            let _ = doc.method_in(&kid, rel).map(|m| m.public_key());
            let _ = doc.equivalent_kids(&kid);
            let _ = doc.canonical_kid(&kid);
        }
    }
});
