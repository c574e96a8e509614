//! A message given or found as JSON text. `pack_plaintext_json` against the full path
//! (`Message::from_json` then `pack_plaintext`): the same errors, and output that reads back
//! as the same message; text in wire form comes back borrowed, as it is. The signed and
//! encrypted `_json` packs carry text in wire form as it is, and `unpack_with_text` gives
//! it back.

mod common;

use common::*;
use didcomm_wasm::pack::{plaintext, plaintext_json};
use didcomm_wasm::{Message, PackEncryptedOptions, UnpackOptions};
use serde_json::Value;
use std::borrow::Cow;

/// Both paths on `text`: equal results, and whether the text came back as it is.
fn same_as_full_path(text: &str) -> Option<bool> {
    let fast = plaintext_json(text);
    let full = Message::from_json(text).and_then(|m| plaintext(&m));
    match (fast, full) {
        (Ok(fast), Ok(full)) => {
            let a: Value = serde_json::from_str(&fast).unwrap();
            let b: Value = serde_json::from_str(&full).unwrap();
            assert_eq!(a, b, "{text}");
            assert_eq!(
                Message::from_json(&fast).unwrap(),
                Message::from_json(text).unwrap()
            );
            Some(matches!(fast, Cow::Borrowed(_)))
        }
        (Err(a), Err(b)) => {
            assert_eq!((a.kind(), a.message()), (b.kind(), b.message()), "{text}");
            None
        }
        (a, b) => panic!("{text}: {a:?} against {b:?}"),
    }
}

const PLAIN: &str = "application/didcomm-plain+json";

#[test]
fn wire_form_comes_back_as_it_is() {
    let text = format!(
        r#"{{"id":"1","typ":"{PLAIN}","type":"t","from":"did:a:b","to":["did:a:c"],"thid":"th",
        "created_time":1700000000,"body":{{"content":"é\"\\n"}},"zz":null,"a":[1.5e3]}}"#
    );
    assert_eq!(same_as_full_path(&text), Some(true));
    assert!(matches!(plaintext_json(&text).unwrap(), Cow::Borrowed(t) if t == text));
}

#[test]
fn typ_is_added_in_front() {
    let text = r#"  {"id":"1","type":"t","body":{}}"#;
    assert_eq!(same_as_full_path(text), Some(false));
    assert_eq!(
        plaintext_json(text).unwrap(),
        format!(r#"  {{"typ":"{PLAIN}","id":"1","type":"t","body":{{}}}}"#)
    );
}

#[test]
fn other_text_is_normalized_or_refused_as_before() {
    let cases = [
        // Normalized by the full path.
        r#"{"id":"1","type":"t"}"#.to_owned(),
        r#"{"id":"1","type":"t","body":null,"from":null}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{},"to":"did:a:b","created_time":5.0}"#.to_owned(),
        r#"{"id":"1","id":"2","type":"t","body":{}}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{},"x":1,"x":2}"#.to_owned(),
        format!(
            r#"{{"id":"1","type":"t","typ":"{PLAIN}","body":{{}},"attachments":[{{"data":{{"json":1}}}}]}}"#
        ),
        format!(
            r#"{{"id":"1","type":"t","body":{{}},{}"z":0}}"#,
            (0..16).map(|i| format!(r#""x{i}":0,"#)).collect::<String>()
        ),
        // Refused, with the full path's error.
        r#"{"id":"","type":"t","body":{}}"#.to_owned(),
        r#"{"id":"1","type":"","body":{}}"#.to_owned(),
        r#"{"type":"t","body":{}}"#.to_owned(),
        r#"{"id":"1","type":"t","body":[]}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{},"typ":"application/json"}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{},"from":"alice"}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{},"from":"did:a:b#k"}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{},"to":["did:a:b","bob"]}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{},"from_prior":"a.b.c"}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{},"created_time":-1}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{},"attachments":[{"data":{}}]}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{}"#.to_owned(),
        // What a parse that skips values would take (found by fuzzing).
        r#"{"id":"1","type":"t","body":{"n":1E400}}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{},"x":-1e999}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{"s":"\ud800"}}"#.to_owned(),
        r#"{"id":"1","type":"t","body":{"s":"\u12"}}"#.to_owned(),
        r#"[1]"#.to_owned(),
        format!("{}1{}", "[".repeat(200), "]".repeat(200)),
        format!(
            r#"{{"id":"1","type":"t","body":{}{}}}"#,
            "{\"a\":".repeat(200),
            "}".repeat(200)
        ),
    ];
    for text in &cases {
        assert_ne!(same_as_full_path(text), Some(true), "{text}");
    }
}

#[test]
fn the_spec_plaintext_message_comes_back_as_it_is() {
    // As the file has it (pretty-printed, no typ), and with typ.
    assert_eq!(same_as_full_path(&vector("plaintext.json")), Some(false));
    let mut value = vector_json("plaintext.json");
    value
        .as_object_mut()
        .unwrap()
        .insert("typ".into(), PLAIN.into());
    assert_eq!(same_as_full_path(&value.to_string()), Some(true));
}

fn auth(sign_by: Option<&str>) -> PackEncryptedOptions {
    PackEncryptedOptions {
        from: Some("did:example:alice".into()),
        sign_by: sign_by.map(Into::into),
        forward: false,
        ..Default::default()
    }
}

#[test]
fn encrypted_and_signed_packs_carry_wire_text_as_it_is() {
    let (alice, bob) = (spec_alice(), spec_bob());
    let wire = r#"{"type":"t","id":"1","from":"did:example:alice","to":["did:example:bob"],"body":{"z":1.5,"a":"é"},"x":null}"#;
    let with_typ = format!(r#"{{"typ":"{PLAIN}",{}"#, &wire[1..]);
    let loose = r#"{"type":"t","id":"1","from":"did:example:alice","to":"did:example:bob","body":{"a":1},"thid":null}"#;
    for sign_by in [None, Some("did:example:alice#key-1")] {
        for (text, kept) in [(wire, true), (loose, false)] {
            let options = auth(sign_by);
            let (packed, _) =
                block_on(alice.pack_encrypted_json(text, "did:example:bob", &options)).unwrap();
            let got = block_on(bob.unpack_with_text(&packed, &UnpackOptions::default())).unwrap();
            let from_message = block_on(alice.pack_encrypted(
                &Message::from_json(text).unwrap(),
                "did:example:bob",
                &options,
            ))
            .unwrap()
            .0;
            let via_message =
                block_on(bob.unpack(&from_message, &UnpackOptions::default())).unwrap();
            assert_eq!(got.message, via_message.0, "{text}");
            assert_eq!(
                got.meta.encrypted_from_kid,
                via_message.1.encrypted_from_kid
            );
            assert_eq!(got.meta.sign_from, via_message.1.sign_from);
            // Wire text travels as it was written (typ added); other text is written anew,
            // which is wire form on the way back too.
            let expected = if kept {
                with_typ.clone()
            } else {
                got.message.to_json()
            };
            assert_eq!(got.text.as_deref(), Some(expected.as_str()), "{text}");
        }
    }
    let (signed, _) = block_on(alice.pack_signed_json(wire, "did:example:alice#key-1")).unwrap();
    let got = block_on(bob.unpack_with_text(&signed, &UnpackOptions::default())).unwrap();
    assert_eq!(got.text.as_deref(), Some(with_typ.as_str()));
}

#[test]
fn json_packs_refuse_what_the_message_packs_refuse() {
    let alice = spec_alice();
    for text in [
        r#"{"id":"1","type":"t","body":{},"from":"did:example:mallory"}"#,
        r#"{"id":"","type":"t","body":{}}"#,
        r#"{"id":"1","type":"t","body":{},"to":["did:example:carol"]}"#,
        r#"{"id":"1","type":"t","body":[]}"#,
    ] {
        let options = auth(None);
        let a = block_on(alice.pack_encrypted_json(text, "did:example:bob", &options)).unwrap_err();
        let b = Message::from_json(text)
            .and_then(|m| block_on(alice.pack_encrypted(&m, "did:example:bob", &options)))
            .unwrap_err();
        assert_eq!((a.kind(), a.message()), (b.kind(), b.message()), "{text}");
        let a = block_on(alice.pack_signed_json(text, "did:example:alice")).unwrap_err();
        let b = Message::from_json(text)
            .and_then(|m| block_on(alice.pack_signed(&m, "did:example:alice")))
            .unwrap_err();
        assert_eq!((a.kind(), a.message()), (b.kind(), b.message()), "{text}");
    }
}

#[test]
fn unpack_gives_no_text_for_a_message_it_normalizes() {
    let (alice, bob) = (spec_alice(), spec_bob());
    // Attachments are written in one form by `Attachment`: never wire form.
    let text = r#"{"id":"1","type":"t","from":"did:example:alice","body":{},"attachments":[{"data":{"json":{"k":1}}}]}"#;
    let (packed, _) =
        block_on(alice.pack_encrypted_json(text, "did:example:bob", &auth(None))).unwrap();
    let got = block_on(bob.unpack_with_text(&packed, &UnpackOptions::default())).unwrap();
    assert_eq!(got.text, None);
    assert_eq!(got.message.attachments.len(), 1);
    // A plaintext without typ comes back with it, in front.
    let plain = r#"{"id":"1","type":"t","body":{}}"#;
    let got = block_on(bob.unpack_with_text(plain, &UnpackOptions::default())).unwrap();
    assert_eq!(
        got.text.unwrap(),
        format!(r#"{{"typ":"{PLAIN}","id":"1","type":"t","body":{{}}}}"#)
    );
}
