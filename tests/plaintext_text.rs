//! `pack_plaintext_json` against the full path (`Message::from_json` then `pack_plaintext`):
//! the same errors, and output that reads back as the same message. Text in wire form comes
//! back borrowed, as it is.

mod common;

use common::*;
use didcomm_wasm::pack::{plaintext, plaintext_json};
use didcomm_wasm::Message;
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
