//! Protocol messages (CHECKLIST §9–§10): every message built travels Alice → Bob
//! authcrypted with the spec identities and parses back to what was built; messages as
//! other implementations write them parse; malformed ones fail naming the field.

mod common;

pub(crate) use common::*;

#[path = "protocols/discover_features.rs"]
mod discover_features_cases;
#[path = "protocols/mediation.rs"]
mod mediation_cases;
#[path = "protocols/out_of_band.rs"]
mod out_of_band_cases;
#[path = "protocols/pickup.rs"]
mod pickup_cases;
#[path = "protocols/problem_report.rs"]
mod problem_report_cases;
#[path = "protocols/robustness.rs"]
mod robustness_cases;
#[path = "protocols/simple.rs"]
mod simple_cases;
#[path = "protocols/threading.rs"]
mod threading_cases;

pub(crate) use didcomm_wasm::protocols::*;
pub(crate) use didcomm_wasm::{ErrorKind, Message, PackEncryptedOptions, UnpackOptions};
pub(crate) use serde_json::{json, Map, Value};

pub(crate) const ALICE: &str = "did:example:alice";
pub(crate) const BOB: &str = "did:example:bob";

pub(crate) fn alice_to_bob() -> Parties {
    Parties::new(ALICE, BOB)
}

/// `m` from Alice, authcrypted to Bob and unpacked by him: it must arrive unchanged.
pub(crate) fn send(mut m: Message) -> Message {
    m.from = Some(ALICE.into());
    let options = PackEncryptedOptions {
        from: Some(ALICE.into()),
        ..Default::default()
    };
    let (packed, _) = block_on(spec_alice().pack_encrypted(&m, BOB, &options)).unwrap();
    let (got, _) = block_on(spec_bob().unpack(&packed, &UnpackOptions::default())).unwrap();
    assert_eq!(got, m);
    got
}

/// A message Bob sent to Alice (not packed): the parent of the replies Alice sends.
pub(crate) fn from_bob(type_: &str, body: Value) -> Message {
    let mut m = msg(json!({"id": "parent-1", "type": type_, "body": body}));
    m.from = Some(BOB.into());
    m.to = Some(vec![ALICE.into()]);
    m
}

pub(crate) fn msg(value: Value) -> Message {
    Message::from_value(&value).unwrap()
}

pub(crate) fn assert_err<T: std::fmt::Debug>(
    r: didcomm_wasm::Result<T>,
    kind: ErrorKind,
    needle: &str,
) {
    let e = r.unwrap_err();
    assert_eq!(e.kind(), kind, "{e}");
    assert!(
        e.message().contains(needle),
        "'{}' lacks {needle}",
        e.message()
    );
}
