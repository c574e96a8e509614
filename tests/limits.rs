//! `DidComm::with_limits`: each limit refuses one past it with `LimitExceeded` naming the
//! limit, and takes the value at it. (js-tests/limits.test.js covers the JS face and the
//! DID document limits, which apply where documents arrive as JSON text.)

mod common;

use common::*;
use didcomm_wasm::{Attachment, ErrorKind, Limits, Message, PackEncryptedOptions, UnpackOptions};
use serde_json::{json, Map};

const BOB: &str = "did:example:bob";

fn bob(limits: Limits) -> Agent {
    spec_bob().with_limits(limits).unwrap()
}

fn message() -> Message {
    Message::from_value(&vector_json("plaintext.json")).unwrap()
}

fn authcrypt(m: &Message) -> String {
    let options = PackEncryptedOptions {
        from: Some("did:example:alice".into()),
        forward: false,
        ..Default::default()
    };
    block_on(spec_alice().pack_encrypted(m, BOB, &options))
        .unwrap()
        .0
}

/// Unpacks with `at` and fails with `past`, naming `name`.
#[track_caller]
fn at_and_past(packed: &str, options: &UnpackOptions, at: Limits, past: Limits, name: &str) {
    assert!(block_on(bob(at).unpack(packed, options)).is_ok());
    let e = block_on(bob(past).unpack(packed, options)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    assert!(e.message().contains(&format!("limits.{name}")), "{e}");
}

fn with(f: impl FnOnce(&mut Limits)) -> Limits {
    let mut limits = Limits::default();
    f(&mut limits);
    limits
}

#[test]
fn packed_bytes() {
    let packed = authcrypt(&message());
    let n = packed.len();
    let opts = UnpackOptions::default();
    at_and_past(
        &packed,
        &opts,
        with(|l| l.max_packed_bytes = n),
        with(|l| l.max_packed_bytes = n - 1),
        "maxPackedBytes",
    );
    let value = serde_json::from_str(&packed).unwrap();
    let e = block_on(bob(with(|l| l.max_packed_bytes = n - 1)).unpack_value(&value, &opts));
    assert_eq!(e.unwrap_err().kind(), ErrorKind::LimitExceeded);
}

#[test]
fn json_depth_of_the_decrypted_payload() {
    let mut m = message();
    m.body = json!({"a": {"b": {"c": 1}}}).as_object().unwrap().clone();
    // The message 1, the body 2, then a and b: 4 deep.
    let packed = authcrypt(&m);
    at_and_past(
        &packed,
        &UnpackOptions::default(),
        with(|l| l.max_json_depth = 4),
        with(|l| l.max_json_depth = 3),
        "maxJsonDepth",
    );
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let e = block_on(spec_bob().unpack(&deep, &UnpackOptions::default())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    let value = serde_json::from_str(&packed).unwrap();
    let e = block_on(bob(with(|l| l.max_json_depth = 2)).unpack_value(&value, &Default::default()));
    assert_eq!(e.unwrap_err().kind(), ErrorKind::LimitExceeded);
}

#[test]
fn recipients_of_a_jwe() {
    let (packed, meta) =
        block_on(spec_alice().pack_encrypted(&message(), BOB, &Default::default())).unwrap();
    assert_eq!(meta.to_kids.len(), 3);
    at_and_past(
        &packed,
        &UnpackOptions::default(),
        with(|l| l.max_recipients = 3),
        with(|l| l.max_recipients = 2),
        "maxRecipients",
    );
}

#[test]
fn attachments_of_the_message() {
    let mut m = message();
    m.attachments = (0..4)
        .map(|i| Attachment::from_json(json!({ "i": i })))
        .collect();
    at_and_past(
        &authcrypt(&m),
        &UnpackOptions::default(),
        with(|l| l.max_attachments = 4),
        with(|l| l.max_attachments = 3),
        "maxAttachments",
    );
}

#[test]
fn forwards_to_ourselves() {
    let mut packed = authcrypt(&message());
    let keys = vec!["did:example:bob#key-x25519-1".to_owned()];
    for _ in 0..3 {
        packed = block_on(spec_bob().wrap_in_forward(
            &packed,
            BOB,
            &keys,
            &Map::new(),
            Default::default(),
        ))
        .unwrap();
    }
    let options = UnpackOptions {
        unwrap_re_wrapping_forward: true,
        ..Default::default()
    };
    at_and_past(
        &packed,
        &options,
        with(|l| l.max_forward_nesting = 3),
        with(|l| l.max_forward_nesting = 2),
        "maxForwardNesting",
    );
}

#[test]
fn limits_must_be_positive() {
    let e = spec_bob()
        .with_limits(with(|l| l.max_recipients = 0))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalArgument);
    assert_eq!(*spec_bob().limits(), Limits::default());
}
