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

#[test]
fn problem_report_round_trips() {
    let options = problem_report::ProblemReportOptions {
        parties: alice_to_bob(),
        pthid: "thread-1".into(),
        ack: Some(vec!["msg-1".into()]),
        code: "e.p.xfer.cant-use-endpoint".into(),
        comment: Some("Unable to use the {1} endpoint for {2}.".into()),
        args: vec![
            "https://agents.r.us/inbox".into(),
            "did:sov:C805sNYhMrjHiqZDTUASHg".into(),
        ],
        escalate_to: Some("mailto:admin@foo.org".into()),
    };
    let got = send(problem_report::problem_report(&options).unwrap());
    assert_eq!(got.type_, problem_report::PROBLEM_REPORT);
    assert_eq!(got.pthid.as_deref(), Some("thread-1"));
    let parsed = problem_report::parse(&got).unwrap().unwrap();
    assert_eq!(parsed.code.sorter, problem_report::Sorter::Error);
    assert_eq!(parsed.code.scope, "p");
    assert_eq!(parsed.code.descriptors, ["xfer", "cant-use-endpoint"]);
    assert_eq!(parsed.code.raw, options.code);
    assert_eq!(
        (parsed.comment, parsed.args),
        (options.comment, options.args)
    );
    assert_eq!(
        (parsed.escalate_to, parsed.pthid, parsed.ack),
        (options.escalate_to, options.pthid, options.ack)
    );

    let minimal = problem_report::ProblemReportOptions {
        pthid: "t".into(),
        code: "w.awaiting-response.me.res.storage".into(),
        ..Default::default()
    };
    let m = problem_report::problem_report(&minimal).unwrap();
    assert_eq!(
        Value::Object(m.body.clone()),
        json!({"code": "w.awaiting-response.me.res.storage"})
    );
    let parsed = problem_report::parse(&send(m)).unwrap().unwrap();
    assert_eq!(parsed.code.sorter, problem_report::Sorter::Warning);
    assert_eq!(parsed.code.scope, "awaiting-response");
    assert!(parsed.args.is_empty() && parsed.comment.is_none() && parsed.ack.is_none());
}

#[test]
fn problem_comments_fill_placeholders() {
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let cases = [
        (
            "Unable to use {1} for {2}.",
            args(&["x", "y"]),
            "Unable to use x for y.",
        ),
        ("{2} before {1}", args(&["a", "b"]), "b before a"),
        ("missing {1} and {2}", args(&["only"]), "missing only and ?"),
        ("no args {1}", args(&[]), "no args ?"),
        ("{0} is not an arg", args(&["a"]), "? is not an arg, a"),
        ("Failed", args(&["a", "b"]), "Failed, a, b"),
        ("Used {1}", args(&["a", "b", "c"]), "Used a, b, c"),
        ("braces {x} {1 } {", args(&["a"]), "braces {x} {1 } {, a"),
        ("{1}{1}", args(&["é"]), "éé"),
    ];
    for (comment, a, expected) in cases {
        assert_eq!(
            problem_report::comment_text(comment, &a),
            expected,
            "{comment}"
        );
    }
    // As another implementation sends it: numeric args, http type, minor version.
    let m = msg(
        json!({"id": "1", "pthid": "t", "type": "http://didcomm.org/report-problem/2.1/problem-report",
        "body": {"code": "e.m.msg.too-big", "comment": "{1} bytes over {2}", "args": [1200, "limit"]}}),
    );
    let parsed = problem_report::parse(&m).unwrap().unwrap();
    assert_eq!(parsed.args, ["1200", "limit"]);
    assert_eq!(
        parsed.comment_text().as_deref(),
        Some("1200 bytes over limit")
    );
}

#[test]
fn problem_codes_are_checked() {
    for bad in [
        "",
        "e",
        "e.p",
        "x.p.trust",
        "e..trust",
        "e.p.",
        "e.P.trust",
        "e.p.trust..crypto",
        "e.p.tr ust",
        "E.p.trust",
    ] {
        assert_err(
            problem_report::ProblemCode::parse(bad),
            ErrorKind::Malformed,
            "problem code",
        );
        let options = problem_report::ProblemReportOptions {
            pthid: "t".into(),
            code: bad.into(),
            ..Default::default()
        };
        assert_err(
            problem_report::problem_report(&options),
            ErrorKind::IllegalArgument,
            "problem code",
        );
    }
    for good in [
        "e.p.trust",
        "w.m.trust.crypto",
        "e.state_1.req.time",
        "e.p.me.res.net",
    ] {
        problem_report::ProblemCode::parse(good).unwrap();
    }
    let no_pthid = problem_report::ProblemReportOptions {
        code: "e.p.trust".into(),
        ..Default::default()
    };
    assert_err(
        problem_report::problem_report(&no_pthid),
        ErrorKind::IllegalArgument,
        "'pthid'",
    );
    let t = problem_report::PROBLEM_REPORT;
    let cases = [
        (
            json!({"id": "1", "type": t, "body": {"code": "e.p.trust"}}),
            "'pthid'",
        ),
        (
            json!({"id": "1", "type": t, "pthid": "p", "body": {}}),
            "'code'",
        ),
        (
            json!({"id": "1", "type": t, "pthid": "p", "body": {"code": "bad"}}),
            "problem code 'bad'",
        ),
        (
            json!({"id": "1", "type": t, "pthid": "p", "body": {"code": "e.p.x", "args": "a"}}),
            "'args'",
        ),
        (
            json!({"id": "1", "type": t, "pthid": "p", "body": {"code": "e.p.x", "comment": 3}}),
            "'comment'",
        ),
    ];
    for (value, needle) in cases {
        assert_err(
            problem_report::parse(&msg(value)),
            ErrorKind::Malformed,
            needle,
        );
    }
}

#[test]
fn out_of_band_round_trips() {
    let attachment = attachments::json(
        json!({"offer": 1}),
        &attachments::AttachmentOptions {
            id: Some("req-0".into()),
            ..Default::default()
        },
    );
    let options = out_of_band::InvitationOptions {
        from: ALICE.into(),
        goal_code: Some("issue-vc".into()),
        goal: Some("To issue a Faber College Graduate credential".into()),
        accept: None,
        attachments: vec![attachment],
    };
    let m = out_of_band::invitation(&options).unwrap();
    assert_eq!(m.body["accept"], json!(["didcomm/v2"]));
    assert_eq!(m.to, None);
    // An invitation has no recipient; send it to Bob anyway to cross the wire.
    let mut wire = m.clone();
    wire.to = Some(vec![BOB.into()]);
    send(wire);
    let parsed = out_of_band::parse(&m).unwrap().unwrap();
    assert_eq!(
        (parsed.id.as_str(), parsed.from.as_str()),
        (m.id.as_str(), ALICE)
    );
    assert_eq!(parsed.goal_code, options.goal_code);
    assert_eq!(parsed.goal, options.goal);
    assert_eq!(parsed.accept, ["didcomm/v2"]);
    assert_eq!(parsed.attachments, options.attachments);

    let url = out_of_band::invitation_url(&m, "https://example.com/path?lang=en#top");
    let (prefix, rest) = url.split_once("_oob=").unwrap();
    assert_eq!(prefix, "https://example.com/path?lang=en&");
    assert!(rest.ends_with("#top") && !rest.contains('='));
    assert_eq!(out_of_band::invitation_from_url(&url).unwrap(), m);
    let again = out_of_band::invitation_url(&m, &url);
    assert_eq!(again.matches("_oob=").count(), 1);

    // The reply to an invitation carries its id as pthid.
    let r = threading::oob_reply(&m, trust_ping::PING, Map::new()).unwrap();
    assert_eq!(
        (r.pthid.as_deref(), r.thid.as_deref()),
        (Some(m.id.as_str()), None)
    );
}

#[test]
fn out_of_band_urls_as_others_write_them() {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    use base64::Engine;
    // A goal whose standard base64 has '+', '/' and padding ("?>" gives "Pz4", "/Pj4+"…).
    let text = (0..12)
        .map(|n| {
            json!({"id": "inv-1", "type": "http://didcomm.org/out-of-band/2.1/invitation", "from": ALICE,
                "body": {"goal_code": "connect", "goal": format!("{}{}", "?>".repeat(6), "x".repeat(n)),
                    "accept": ["didcomm/v2", "didcomm/aip2;env=rfc587"]}})
            .to_string()
        })
        .find(|t| {
            let b = STANDARD.encode(t);
            b.contains('+') && b.contains('/') && b.ends_with('=')
        })
        .expect("a payload with + / and =");
    let std_b64 = STANDARD.encode(&text);
    let urls = [
        format!("https://x.example/?_oob={}", URL_SAFE.encode(&text)),
        format!("https://x.example/?_oob={std_b64}"),
        format!("https://x.example/?oob={}", std_b64.trim_end_matches('=')),
        format!(
            "https://x.example/?a=1&_oob={}",
            std_b64
                .replace('=', "%3D")
                .replace('+', "%2B")
                .replace('/', "%2F")
        ),
        format!("didcomm://invite?_oob={}#frag", URL_SAFE.encode(&text)),
    ];
    for url in urls {
        let m = out_of_band::invitation_from_url(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        let parsed = out_of_band::parse(&m).unwrap().unwrap();
        assert_eq!(parsed.id, "inv-1");
        assert_eq!(parsed.accept, ["didcomm/v2", "didcomm/aip2;env=rfc587"]);
    }
    let no_from = msg(json!({"id": "1", "type": out_of_band::INVITATION}));
    assert_err(out_of_band::parse(&no_from), ErrorKind::Malformed, "'from'");
    assert_err(
        out_of_band::invitation(&Default::default()),
        ErrorKind::IllegalArgument,
        "'from'",
    );
    let ping = URL_SAFE.encode(json!({"id": "1", "type": trust_ping::PING}).to_string());
    let bad = [
        ("https://x.example/?c_i=abc".to_owned(), "no '_oob'"),
        ("https://x.example/?_oob=%zz".to_owned(), "% escape"),
        ("https://x.example/?_oob=!!!".to_owned(), "base64"),
        (
            format!("https://x.example/?_oob={}", URL_SAFE.encode("not json")),
            "not JSON",
        ),
        (
            format!("https://x.example/?_oob={ping}"),
            "not an invitation",
        ),
    ];
    for (url, needle) in bad {
        assert_err(
            out_of_band::invitation_from_url(&url),
            ErrorKind::Malformed,
            needle,
        );
    }
}
