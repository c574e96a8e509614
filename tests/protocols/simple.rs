//! Trust ping, basic message and empty.

use super::*;

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
        "https://didcomm.org/trust-ping/2./ping",
        "https://didcomm.org/trust-ping/+2.0/ping",
        "https://didcomm.org/trust-ping/2.0/ping/x",
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
