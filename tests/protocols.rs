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
        ("https://x.example/?_oob=%+1".to_owned(), "% escape"),
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

fn registry() -> discover_features::FeatureRegistry {
    use discover_features::ProtocolFeature;
    discover_features::FeatureRegistry {
        protocols: vec![
            ProtocolFeature {
                id: "https://didcomm.org/trust-ping/2.0".into(),
                roles: vec!["sender".into(), "receiver".into()],
            },
            ProtocolFeature {
                id: "https://didcomm.org/trust-ping/1.0".into(),
                roles: vec![],
            },
            ProtocolFeature {
                id: "https://didcomm.org/basicmessage/2.0".into(),
                roles: vec![],
            },
        ],
        goal_codes: vec![
            "org.didcomm.sell.goods.consumer".into(),
            "aries.vc.issue".into(),
        ],
        headers: vec!["return_route".into()],
    }
}

#[test]
fn discover_features_round_trips() {
    use discover_features::{Disclosure, DiscoverFeatures, FeatureType, Query};
    let queries = vec![
        Query {
            feature_type: FeatureType::Protocol,
            match_: "https://didcomm.org/trust-ping/2.*".into(),
        },
        Query {
            feature_type: FeatureType::GoalCode,
            match_: "org.didcomm.*".into(),
        },
        Query {
            feature_type: FeatureType::Header,
            match_: "*".into(),
        },
    ];
    let got = send(discover_features::queries(&alice_to_bob(), &queries).unwrap());
    assert_eq!(
        got.body["queries"][0],
        json!({"feature-type": "protocol", "match": "https://didcomm.org/trust-ping/2.*"})
    );
    let parsed = discover_features::parse(&got).unwrap();
    assert_eq!(parsed, Some(DiscoverFeatures::Queries(queries.clone())));

    let from_bob = {
        let mut m = discover_features::queries(&Parties::new(BOB, ALICE), &queries).unwrap();
        m.id = "q-1".into();
        m
    };
    let got = send(discover_features::disclose(&from_bob, &registry()).unwrap());
    assert_eq!(
        got.body["disclosures"][0],
        json!({"feature-type": "protocol", "id": "https://didcomm.org/trust-ping/2.0", "roles": ["sender", "receiver"]})
    );
    let expected = vec![
        Disclosure {
            feature_type: FeatureType::Protocol,
            id: "https://didcomm.org/trust-ping/2.0".into(),
            roles: Some(vec!["sender".into(), "receiver".into()]),
        },
        Disclosure {
            feature_type: FeatureType::GoalCode,
            id: "org.didcomm.sell.goods.consumer".into(),
            roles: None,
        },
        Disclosure {
            feature_type: FeatureType::Header,
            id: "return_route".into(),
            roles: None,
        },
    ];
    let parsed = discover_features::parse(&got).unwrap();
    assert_eq!(
        parsed,
        Some(DiscoverFeatures::Disclose {
            thid: "q-1".into(),
            disclosures: expected
        })
    );
}

#[test]
fn discover_features_as_others_send_it() {
    use discover_features::{glob_match, DiscoverFeatures};
    // Unknown feature types are ignored; the same feature matched twice is disclosed once.
    let q = msg(
        json!({"id": "q", "from": BOB, "type": "http://didcomm.org/discover-features/2.1/queries", "body": {"queries": [
        {"feature-type": "protocol", "match": "https://didcomm.org/*"},
        {"feature-type": "protocol", "match": "*trust-ping*"},
        {"feature-type": "goal-code", "match": "aries.vc.issue"},
        {"feature-type": "role", "match": "*"}]}}),
    );
    let d = discover_features::disclose(&q, &registry()).unwrap();
    let ids: Vec<&str> = d.body["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "https://didcomm.org/trust-ping/2.0",
            "https://didcomm.org/trust-ping/1.0",
            "https://didcomm.org/basicmessage/2.0",
            "aries.vc.issue"
        ]
    );
    assert_eq!(d.thid.as_deref(), Some("q"));
    assert_eq!(d.to, Some(vec![BOB.to_owned()]));
    let nothing =
        msg(json!({"id": "q", "type": discover_features::QUERIES, "body": {"queries": []}}));
    let d = discover_features::disclose(&nothing, &registry()).unwrap();
    assert_eq!(d.body["disclosures"], json!([]));

    let cases = [
        ("a*c", "abc", true),
        ("a*c", "ac", true),
        ("a*c", "abd", false),
        ("*", "", true),
        ("a.b", "aXb", false),
        ("*a*b*", "xxaxxbxx", true),
        ("ab", "abc", false),
        ("abc*", "ab", false),
        ("**", "x", true),
        ("a?c", "abc", false),
    ];
    for (pattern, text, expected) in cases {
        assert_eq!(glob_match(pattern, text), expected, "{pattern} vs {text}");
    }
    let disclose = msg(
        json!({"id": "d", "thid": "q", "type": discover_features::DISCLOSE, "body": {"disclosures": [
        {"feature-type": "protocol", "id": "https://didcomm.org/x/1.0", "roles": ["a"]}, {"feature-type": "custom", "id": "y"}]}}),
    );
    let Some(DiscoverFeatures::Disclose { disclosures, .. }) =
        discover_features::parse(&disclose).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        disclosures[1].feature_type,
        discover_features::FeatureType::Other("custom".into())
    );

    let bad = [
        (
            json!({"id": "1", "type": discover_features::QUERIES, "body": {}}),
            "'queries'",
        ),
        (
            json!({"id": "1", "type": discover_features::QUERIES, "body": {"queries": [{"match": "*"}]}}),
            "'queries[0]' has no 'feature-type'",
        ),
        (
            json!({"id": "1", "type": discover_features::QUERIES, "body": {"queries": [{"feature-type": "protocol"}]}}),
            "'match'",
        ),
        (
            json!({"id": "1", "type": discover_features::QUERIES, "body": {"queries": ["x"]}}),
            "must be an object",
        ),
        (
            json!({"id": "1", "thid": "q", "type": discover_features::DISCLOSE, "body": {"disclosures": [{"feature-type": "header"}]}}),
            "'id'",
        ),
        (
            json!({"id": "1", "type": discover_features::DISCLOSE, "body": {"disclosures": []}}),
            "'thid'",
        ),
    ];
    for (value, needle) in bad {
        assert_err(
            discover_features::parse(&msg(value)),
            ErrorKind::Malformed,
            needle,
        );
    }
    let ping = msg(json!({"id": "1", "type": trust_ping::PING}));
    assert_err(
        discover_features::disclose(&ping, &registry()),
        ErrorKind::IllegalArgument,
        "queries",
    );
}

/// Sends `m` and parses it as mediation, checking the version came back.
fn mediation_of(m: Message, version: mediation::Version) -> mediation::MediationMessage {
    let parsed = mediation::parse(&send(m)).unwrap().unwrap();
    assert_eq!(parsed.version, version);
    parsed.message
}

#[test]
fn mediation_round_trips_in_both_versions() {
    use mediation::{
        Action::*, MediationMessage as M, Paginate, Pagination, Update, UpdateResult::*, Updated,
        Version,
    };
    let dids = vec!["did:peer:2.Ez6LSrouting".to_owned()];
    let updates = vec![
        Update {
            recipient_did: "did:peer:2.Ez6LSone".into(),
            action: Add,
        },
        Update {
            recipient_did: "did:peer:2.Ez6LStwo".into(),
            action: Remove,
        },
    ];
    let updated = vec![
        Updated {
            recipient_did: "did:peer:2.Ez6LSone".into(),
            action: Add,
            result: Success,
        },
        Updated {
            recipient_did: "did:peer:2.Ez6LStwo".into(),
            action: Remove,
            result: NoChange,
        },
        Updated {
            recipient_did: "did:peer:2.Ez6LSthree".into(),
            action: Add,
            result: ClientError,
        },
        Updated {
            recipient_did: "did:peer:2.Ez6LSfour".into(),
            action: Add,
            result: ServerError,
        },
    ];
    let paginate = Paginate {
        limit: 30,
        offset: 0,
    };
    let pagination = Pagination {
        count: 30,
        offset: 30,
        remaining: 100,
    };
    for (version, v, update_name, list_name, list_member) in [
        (Version::V2, "2.0", "keylist-update", "keylist", "keys"),
        (Version::V3, "3.0", "recipient-update", "recipient", "dids"),
    ] {
        let uri = |name: &str| format!("https://didcomm.org/coordinate-mediation/{v}/{name}");
        let req = mediation::mediate_request(version, &alice_to_bob()).unwrap();
        assert_eq!(req.type_, uri("mediate-request"));
        assert_eq!(mediation_of(req, version), M::Request);

        let parent = from_bob(&uri("mediate-request"), json!({}));
        let grant = mediation::mediate_grant(version, &parent, &dids).unwrap();
        let wire = if version == Version::V2 {
            json!(dids[0])
        } else {
            json!(dids)
        };
        assert_eq!(grant.body["routing_did"], wire);
        assert_eq!(grant.thid.as_deref(), Some("parent-1"));
        assert_eq!(
            mediation_of(grant, version),
            M::Grant {
                routing_did: dids.clone()
            }
        );
        let deny = mediation::mediate_deny(version, &parent).unwrap();
        assert_eq!(deny.thid.as_deref(), Some("parent-1"));
        assert_eq!(mediation_of(deny, version), M::Deny);

        let update = mediation::recipient_update(version, &alice_to_bob(), &updates).unwrap();
        assert_eq!(update.type_, uri(update_name));
        assert_eq!(
            update.body["updates"][1],
            json!({"recipient_did": "did:peer:2.Ez6LStwo", "action": "remove"})
        );
        assert_eq!(
            mediation_of(update, version),
            M::Update {
                updates: updates.clone()
            }
        );
        let parent = from_bob(&uri(update_name), json!({}));
        let response = mediation::recipient_update_response(version, &parent, &updated).unwrap();
        assert_eq!(response.type_, uri(&format!("{update_name}-response")));
        assert_eq!(response.body["updated"][1]["result"], json!("no_change"));
        assert_eq!(
            mediation_of(response, version),
            M::UpdateResponse {
                updated: updated.clone()
            }
        );

        for p in [None, Some(paginate)] {
            let query = mediation::recipient_query(version, &alice_to_bob(), p).unwrap();
            assert_eq!(
                query.type_,
                uri(&format!(
                    "{}-query",
                    update_name.trim_end_matches("-update")
                ))
            );
            assert_eq!(mediation_of(query, version), M::Query { paginate: p });
        }
        let parent = from_bob(&uri("x-query"), json!({}));
        for p in [None, Some(pagination)] {
            let list = mediation::recipient_list(version, &parent, &dids, p).unwrap();
            assert_eq!(list.type_, uri(list_name));
            assert_eq!(list.body[list_member], json!([{"recipient_did": dids[0]}]));
            assert_eq!(
                mediation_of(list, version),
                M::List {
                    recipient_dids: dids.clone(),
                    pagination: p
                }
            );
        }
    }
    let parent = from_bob(
        mediation::mediate_request(Version::V2, &Parties::default())
            .unwrap()
            .type_
            .as_str(),
        json!({}),
    );
    assert_err(
        mediation::mediate_grant(Version::V2, &parent, &[]),
        ErrorKind::IllegalArgument,
        "exactly one",
    );
    let two = vec!["did:a:1".to_owned(), "did:a:2".to_owned()];
    assert_err(
        mediation::mediate_grant(Version::V2, &parent, &two),
        ErrorKind::IllegalArgument,
        "exactly one",
    );
    assert_eq!(
        mediation::mediate_grant(Version::V3, &parent, &[])
            .unwrap()
            .body["routing_did"],
        json!([])
    );
}

#[test]
fn mediation_as_others_send_it() {
    use mediation::{MediationMessage as M, Version};
    let m = |t: &str, body: Value| msg(json!({"id": "1", "type": t, "body": body}));
    let grant = |v: &str, did: Value| {
        m(
            &format!("https://didcomm.org/coordinate-mediation/{v}/mediate-grant"),
            json!({"routing_did": did}),
        )
    };
    // routing_did as a string or an array, in either version.
    for (v, version) in [
        ("2.0", Version::V2),
        ("3.0", Version::V3),
        ("2.1", Version::V2),
    ] {
        for did in [json!("did:peer:2.x"), json!(["did:peer:2.x"])] {
            let parsed = mediation::parse(&grant(v, did)).unwrap().unwrap();
            assert_eq!(parsed.version, version);
            assert_eq!(
                parsed.message,
                M::Grant {
                    routing_did: vec!["did:peer:2.x".into()]
                }
            );
        }
    }
    let http = m(
        "http://didcomm.org/coordinate-mediation/3.0/recipient",
        json!({"dids": [], "pagination": {"count": 0, "offset": 0, "remaining": 0}}),
    );
    assert!(matches!(
        mediation::parse(&http).unwrap().unwrap().message,
        M::List { .. }
    ));
    // The list under the other version's member name.
    let mixed = m(
        "https://didcomm.org/coordinate-mediation/2.0/keylist",
        json!({"dids": [{"recipient_did": "did:x:1"}]}),
    );
    assert_eq!(
        mediation::parse(&mixed).unwrap().unwrap().message,
        M::List {
            recipient_dids: vec!["did:x:1".into()],
            pagination: None
        }
    );
    // Names of the other version, other majors and other protocols are not mediation messages.
    for t in [
        "https://didcomm.org/coordinate-mediation/3.0/keylist-update",
        "https://didcomm.org/coordinate-mediation/2.0/recipient-query",
        "https://didcomm.org/coordinate-mediation/1.0/mediate-request",
        "https://didcomm.org/coordinate-mediation-x/2.0/mediate-request",
    ] {
        assert_eq!(mediation::parse(&m(t, json!({}))).unwrap(), None, "{t}");
    }
    let v2 = |name: &str, body: Value| {
        m(
            &format!("https://didcomm.org/coordinate-mediation/2.0/{name}"),
            body,
        )
    };
    let v3 = |name: &str, body: Value| {
        m(
            &format!("https://didcomm.org/coordinate-mediation/3.0/{name}"),
            body,
        )
    };
    let bad = [
        (grant("2.0", json!(null)), "'routing_did'"),
        (grant("3.0", json!([1])), "'routing_did[0]'"),
        (v2("keylist-update", json!({})), "'updates'"),
        (
            v2(
                "keylist-update",
                json!({"updates": [{"recipient_did": "did:x:1", "action": "replace"}]}),
            ),
            "'action' must be add or remove, got 'replace'",
        ),
        (
            v3("recipient-update", json!({"updates": [{"action": "add"}]})),
            "'updates[0]' has no 'recipient_did'",
        ),
        (
            v3(
                "recipient-update-response",
                json!({"updated": [{"recipient_did": "did:x:1", "action": "add", "result": "ok"}]}),
            ),
            "'result' must be success",
        ),
        (
            v3(
                "recipient-update-response",
                json!({"updated": [{"recipient_did": "did:x:1", "action": "add"}]}),
            ),
            "no 'result'",
        ),
        (
            v2("keylist-query", json!({"paginate": {"limit": 1}})),
            "'paginate' has no 'offset'",
        ),
        (
            v2("keylist-query", json!({"paginate": 5})),
            "'paginate' must be an object",
        ),
        (v2("keylist", json!({})), "'keys'"),
        (
            v3("recipient", json!({"dids": [{}]})),
            "'dids[0]' has no 'recipient_did'",
        ),
        (
            v3(
                "recipient",
                json!({"dids": [], "pagination": {"count": -1, "offset": 0, "remaining": 0}}),
            ),
            "'count'",
        ),
    ];
    for (message, needle) in bad {
        assert_err(mediation::parse(&message), ErrorKind::Malformed, needle);
    }
}

fn pickup_of(m: Message) -> pickup::Pickup {
    pickup::parse(&send(m)).unwrap().unwrap()
}

#[test]
fn pickup_round_trips() {
    use pickup::{Pickup, Status};
    let uri = |name: &str| format!("https://didcomm.org/messagepickup/3.0/{name}");
    let r = pickup::status_request(&alice_to_bob(), Some("did:x:me")).unwrap();
    assert_eq!(r.type_, uri("status-request"));
    assert_eq!(
        pickup_of(r),
        Pickup::StatusRequest {
            recipient_did: Some("did:x:me".into())
        }
    );
    let r = pickup::status_request(&alice_to_bob(), None).unwrap();
    assert!(r.body.is_empty());
    assert_eq!(
        pickup_of(r),
        Pickup::StatusRequest {
            recipient_did: None
        }
    );

    let parent = from_bob(&uri("status-request"), json!({}));
    let full = Status {
        recipient_did: Some("did:x:me".into()),
        message_count: 7,
        longest_waited_seconds: Some(3600),
        newest_received_time: Some(1_658_085_169),
        oldest_received_time: Some(1_658_084_293),
        total_bytes: Some(8096),
        live_delivery: Some(false),
    };
    for status in [
        full,
        Status {
            message_count: 0,
            ..Default::default()
        },
    ] {
        let m = pickup::status(&parent, &status).unwrap();
        assert_eq!(m.thid.as_deref(), Some("parent-1"));
        assert_eq!(pickup_of(m), Pickup::Status(status));
    }

    let r = pickup::delivery_request(&alice_to_bob(), 10, Some("did:x:me")).unwrap();
    assert_eq!(r.body["limit"], json!(10));
    assert_eq!(
        pickup_of(r),
        Pickup::DeliveryRequest {
            limit: 10,
            recipient_did: Some("did:x:me".into())
        }
    );

    // Deliver a real packed message, then unpack what was delivered.
    let inner = basic_message::basic_message(&alice_to_bob(), "queued", None, 1).unwrap();
    let options = PackEncryptedOptions {
        from: Some(ALICE.into()),
        ..Default::default()
    };
    let (packed, _) = block_on(spec_alice().pack_encrypted(&inner, BOB, &options)).unwrap();
    let parent = from_bob(&uri("delivery-request"), json!({"limit": 10}));
    let m = pickup::delivery(&parent, None, &[(inner.id.clone(), packed.clone())]).unwrap();
    assert_eq!(m.attachments[0].id.as_deref(), Some(inner.id.as_str()));
    let Pickup::Delivery {
        recipient_did,
        messages,
    } = pickup_of(m)
    else {
        panic!("not a delivery")
    };
    assert_eq!((recipient_did, messages.len()), (None, 1));
    assert_eq!(
        (messages[0].id.as_str(), messages[0].packed.as_str()),
        (inner.id.as_str(), packed.as_str())
    );
    assert_eq!(
        messages[0].json,
        serde_json::from_str::<Value>(&packed).unwrap()
    );
    let (got, _) =
        block_on(spec_bob().unpack(&messages[0].packed, &UnpackOptions::default())).unwrap();
    assert_eq!(got, inner);
    assert_err(
        pickup::delivery(&parent, None, &[]),
        ErrorKind::IllegalArgument,
        "status",
    );

    let delivery = from_bob(&uri("delivery"), json!({}));
    let ids = vec![inner.id.clone(), "other".to_owned()];
    let m = pickup::messages_received(&delivery, &ids).unwrap();
    assert_eq!(m.thid.as_deref(), Some("parent-1"));
    assert_eq!(
        pickup_of(m),
        Pickup::MessagesReceived {
            message_id_list: ids
        }
    );
    for live in [true, false] {
        let m = pickup::live_delivery_change(&alice_to_bob(), live).unwrap();
        assert_eq!(
            pickup_of(m),
            Pickup::LiveDeliveryChange {
                live_delivery: live
            }
        );
    }
}

#[test]
fn pickup_as_others_send_it() {
    use pickup::Pickup;
    let m = |name: &str, body: Value| {
        msg(
            json!({"id": "1", "type": format!("https://didcomm.org/messagepickup/3.0/{name}"), "body": body}),
        )
    };
    let http = msg(
        json!({"id": "1", "type": "http://didcomm.org/messagepickup/3.1/live-delivery-change", "body": {"live_delivery": true}}),
    );
    assert_eq!(
        pickup::parse(&http).unwrap(),
        Some(Pickup::LiveDeliveryChange {
            live_delivery: true
        })
    );
    let older =
        msg(json!({"id": "1", "type": "https://didcomm.org/messagepickup/2.0/status-request"}));
    assert_eq!(pickup::parse(&older).unwrap(), None);
    // Delivered messages as standard padded base64 and as inline JSON.
    let packed = json!({"protected": "e30", "ciphertext": "AA"});
    let padded = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(packed.to_string())
    };
    let d = msg(
        json!({"id": "1", "type": "https://didcomm.org/messagepickup/3.0/delivery", "body": {"recipient_did": "did:x:me"},
        "attachments": [{"id": "m1", "data": {"base64": padded}}, {"id": "m2", "data": {"json": packed}}]}),
    );
    let Some(Pickup::Delivery {
        recipient_did,
        messages,
    }) = pickup::parse(&d).unwrap()
    else {
        panic!("not a delivery")
    };
    assert_eq!(recipient_did.as_deref(), Some("did:x:me"));
    assert_eq!(
        messages.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        ["m1", "m2"]
    );
    assert!(messages.iter().all(|d| d.json == packed));
    // An integral float count, as some JSON encoders write it.
    assert!(
        matches!(pickup::parse(&m("status", json!({"message_count": 3.0}))).unwrap(), Some(Pickup::Status(s)) if s.message_count == 3)
    );

    let attached = |a: Value| {
        msg(
            json!({"id": "1", "type": "https://didcomm.org/messagepickup/3.0/delivery", "attachments": [a]}),
        )
    };
    let bad = [
        (m("status", json!({})), "'message_count'"),
        (
            m("status", json!({"message_count": "7"})),
            "'message_count' must be an integer",
        ),
        (
            m("status", json!({"message_count": 1, "live_delivery": "no"})),
            "'live_delivery' must be a boolean",
        ),
        (m("delivery-request", json!({})), "'limit'"),
        (m("messages-received", json!({})), "'message_id_list'"),
        (
            m("messages-received", json!({"message_id_list": [1]})),
            "'message_id_list[0]'",
        ),
        (m("live-delivery-change", json!({})), "'live_delivery'"),
        (
            m("status-request", json!({"recipient_did": 5})),
            "'recipient_did'",
        ),
        (attached(json!({"data": {"base64": "e30"}})), "has no 'id'"),
        (
            attached(json!({"id": "m", "data": {"base64": "bm90IGpzb24"}})),
            "not a JSON message",
        ),
        (
            attached(json!({"id": "m", "data": {"links": ["https://x"], "hash": "h"}})),
            "neither data.base64 nor data.json",
        ),
    ];
    for (message, needle) in bad {
        assert_err(pickup::parse(&message), ErrorKind::Malformed, needle);
    }
}
