//! Protocol messages (CHECKLIST §9–§10): every message built travels Alice → Bob
//! authcrypted with the spec identities and parses back to what was built; messages as
//! other implementations write them parse; malformed ones fail naming the field.

mod common;

use common::*;
use didcomm_wasm::protocols::*;
use didcomm_wasm::{ErrorKind, Message, PackEncryptedOptions, UnpackOptions};
use serde_json::{json, Map, Value};

const ALICE: &str = "did:example:alice";
const BOB: &str = "did:example:bob";

fn alice_to_bob() -> Parties {
    Parties::new(ALICE, BOB)
}

/// `m` from Alice, authcrypted to Bob and unpacked by him: it must arrive unchanged.
fn send(mut m: Message) -> Message {
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
fn from_bob(type_: &str, body: Value) -> Message {
    let mut m = msg(json!({"id": "parent-1", "type": type_, "body": body}));
    m.from = Some(BOB.into());
    m.to = Some(vec![ALICE.into()]);
    m
}

fn msg(value: Value) -> Message {
    Message::from_value(&value).unwrap()
}

fn body(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn assert_err<T: std::fmt::Debug>(r: didcomm_wasm::Result<T>, kind: ErrorKind, needle: &str) {
    let e = r.unwrap_err();
    assert_eq!(e.kind(), kind, "{e}");
    assert!(
        e.message().contains(needle),
        "'{}' lacks {needle}",
        e.message()
    );
}

#[test]
fn threading_replies_carry_the_thread() {
    let mut parent = from_bob("https://didcomm.org/x/1.0/a", json!({}));
    let r = threading::reply(&parent, "https://didcomm.org/x/1.0/b", Map::new()).unwrap();
    assert_eq!(r.thid.as_deref(), Some("parent-1"));
    assert_eq!(r.pthid, None);
    assert_eq!(r.to, Some(vec![BOB.to_owned()]));
    assert_ne!(r.id, parent.id);
    send(r);
    parent.thid = Some("thread-0".into());
    parent.pthid = Some("outer".into());
    let r = threading::reply(&parent, "https://didcomm.org/x/1.0/b", Map::new()).unwrap();
    assert_eq!(r.thid.as_deref(), Some("thread-0"));
    assert_eq!(r.pthid.as_deref(), Some("outer"));

    let invitation = from_bob(out_of_band::INVITATION, json!({}));
    let r = threading::oob_reply(&invitation, "https://didcomm.org/x/1.0/b", Map::new()).unwrap();
    assert_eq!(
        (r.pthid.as_deref(), r.thid.as_deref()),
        (Some("parent-1"), None)
    );
    assert_eq!(r.to, Some(vec![BOB.to_owned()]));

    let mut m = empty::empty(&alice_to_bob()).unwrap();
    threading::please_ack(&mut m);
    threading::ack(&mut m, &["earlier".into()]);
    threading::return_route(&mut m, "all").unwrap();
    assert_eq!(m.please_ack, Some(vec![m.id.clone()]));
    assert_eq!(m.ack, Some(vec!["earlier".to_owned()]));
    let got = send(m);
    assert_eq!(got.extra_headers["return_route"], json!("all"));
    let mut m = empty::empty(&alice_to_bob()).unwrap();
    assert_err(
        threading::return_route(&mut m, "some"),
        ErrorKind::IllegalArgument,
        "'some'",
    );
}

#[test]
fn attachments_build_and_decode() {
    let options = attachments::AttachmentOptions {
        id: Some("a1".into()),
        media_type: Some("text/plain".into()),
        filename: Some("hello.txt".into()),
        description: Some("a greeting".into()),
    };
    let b = attachments::base64(b"hello", &options);
    assert_eq!(b.data.base64.as_deref(), Some("aGVsbG8"));
    let j = attachments::json(json!({"k": 1}), &Default::default());
    let urls = vec!["https://x.example/f".to_owned()];
    let l = attachments::links(&urls, "zQmHash", &Default::default()).unwrap();
    let mut m = empty::empty(&alice_to_bob()).unwrap();
    m.attachments = vec![b.clone(), j, l.clone()];
    let got = send(m);
    assert_eq!(got.attachments[0], b);
    assert_eq!(attachments::bytes(&got.attachments[0]).unwrap(), b"hello");
    assert_eq!(got.attachments[2].data.hash.as_deref(), Some("zQmHash"));
    // Standard alphabet, padded: as other implementations send it.
    let mut padded = b.clone();
    padded.data.base64 = Some("+/8=".into());
    assert_eq!(attachments::bytes(&padded).unwrap(), [0xfb, 0xff]);
    assert_err(
        attachments::bytes(&l),
        ErrorKind::Malformed,
        "no data.base64",
    );
    padded.data.base64 = Some("!!".into());
    assert_err(attachments::bytes(&padded), ErrorKind::Malformed, "base64");
    let none: Vec<String> = Vec::new();
    assert_err(
        attachments::links(&urls, "", &Default::default()),
        ErrorKind::IllegalArgument,
        "hash",
    );
    assert_err(
        attachments::links(&none, "h", &Default::default()),
        ErrorKind::IllegalArgument,
        "URL",
    );
}

#[test]
fn trust_ping_round_trips() {
    for requested in [true, false] {
        let got = send(trust_ping::ping(&alice_to_bob(), requested).unwrap());
        assert_eq!(got.type_, trust_ping::PING);
        assert_eq!(got.body["response_requested"], json!(requested));
        let parsed = trust_ping::parse(&got).unwrap();
        assert_eq!(
            parsed,
            Some(trust_ping::TrustPing::Ping {
                response_requested: requested
            })
        );
    }
    let ping = from_bob(trust_ping::PING, json!({}));
    let got = send(trust_ping::ping_response(&ping).unwrap());
    assert_eq!(got.to, Some(vec![BOB.to_owned()]));
    let parsed = trust_ping::parse(&got).unwrap();
    assert_eq!(
        parsed,
        Some(trust_ping::TrustPing::PingResponse {
            thid: "parent-1".into()
        })
    );
}

#[test]
fn trust_ping_as_others_send_it() {
    use trust_ping::TrustPing::*;
    let cases = [
        (
            json!({"id": "1", "type": "https://didcomm.org/trust-ping/2.0/ping"}),
            Ping {
                response_requested: true,
            },
        ),
        (
            json!({"id": "1", "type": "http://didcomm.org/trust-ping/2.1/ping", "body": {"response_requested": false}}),
            Ping {
                response_requested: false,
            },
        ),
        (
            json!({"id": "1", "thid": "p", "type": "https://didcomm.org/trust-ping/2.0/ping-response"}),
            PingResponse { thid: "p".into() },
        ),
    ];
    for (value, expected) in cases {
        assert_eq!(trust_ping::parse(&msg(value)).unwrap(), Some(expected));
    }
    for other in [
        "https://didcomm.org/trust-ping/1.0/ping",
        "https://didcomm.org/trust-ping/2.0/pong",
        "https://example.org/trust-ping/2.0/ping",
    ] {
        assert_eq!(
            trust_ping::parse(&msg(json!({"id": "1", "type": other}))).unwrap(),
            None
        );
    }
    let bad =
        msg(json!({"id": "1", "type": trust_ping::PING, "body": {"response_requested": "yes"}}));
    assert_err(
        trust_ping::parse(&bad),
        ErrorKind::Malformed,
        "'response_requested'",
    );
    let bad = msg(json!({"id": "1", "type": trust_ping::PING_RESPONSE}));
    assert_err(trust_ping::parse(&bad), ErrorKind::Malformed, "'thid'");
}

#[test]
fn basic_message_round_trips() {
    let now = unix_time_now();
    let m = basic_message::basic_message(&alice_to_bob(), "Hi Bob", Some("en"), now).unwrap();
    let got = send(m);
    let parsed = basic_message::parse(&got).unwrap().unwrap();
    assert_eq!(
        parsed,
        basic_message::BasicMessage {
            content: "Hi Bob".into(),
            lang: Some("en".into()),
            created_time: Some(now)
        }
    );
    let m = basic_message::basic_message(&alice_to_bob(), "", None, 1).unwrap();
    assert_eq!(basic_message::parse(&send(m)).unwrap().unwrap().lang, None);

    let other = msg(
        json!({"id": "1", "type": "http://didcomm.org/basicmessage/2.1/message", "created_time": 1.0e9, "body": {"content": "x"}}),
    );
    assert_eq!(
        basic_message::parse(&other).unwrap().unwrap().created_time,
        Some(1_000_000_000)
    );
    for (b, needle) in [
        (json!({}), "no 'content'"),
        (json!({"content": 5}), "'content' must be a string"),
    ] {
        let bad = msg(json!({"id": "1", "type": basic_message::BASIC_MESSAGE, "body": b}));
        assert_err(basic_message::parse(&bad), ErrorKind::Malformed, needle);
    }
}

#[test]
fn empty_round_trips() {
    let got = send(empty::empty(&alice_to_bob()).unwrap());
    assert_eq!(got.type_, empty::EMPTY);
    assert!(got.body.is_empty());
    assert_eq!(empty::parse(&got).unwrap(), Some(empty::Empty));
    let other = msg(json!({"id": "1", "type": "http://didcomm.org/empty/1.1/empty"}));
    assert_eq!(empty::parse(&other).unwrap(), Some(empty::Empty));
    assert_eq!(
        empty::parse(&msg(json!({"id": "1", "type": trust_ping::PING}))).unwrap(),
        None
    );
}
