//! Every parser over every message type with odd values in every body member it reads:
//! errors, never a panic (ARCHITECTURE: no panic on input).

use super::*;

const TYPES: [&str; 9] = [
    "https://didcomm.org/trust-ping/2.0/{ping,ping-response}",
    "https://didcomm.org/basicmessage/2.0/{message}",
    "https://didcomm.org/empty/1.0/{empty}",
    "https://didcomm.org/report-problem/2.0/{problem-report}",
    "https://didcomm.org/out-of-band/2.0/{invitation}",
    "https://didcomm.org/discover-features/2.0/{queries,disclose}",
    "https://didcomm.org/coordinate-mediation/2.0/{mediate-request,mediate-grant,mediate-deny,keylist-update,keylist-update-response,keylist-query,keylist}",
    "https://didcomm.org/coordinate-mediation/3.0/{mediate-request,mediate-grant,mediate-deny,recipient-update,recipient-update-response,recipient-query,recipient}",
    "https://didcomm.org/messagepickup/3.0/{status-request,status,delivery-request,delivery,messages-received,live-delivery-change}",
];

const MEMBERS: [&str; 23] = [
    "response_requested",
    "content",
    "code",
    "comment",
    "args",
    "escalate_to",
    "goal_code",
    "goal",
    "accept",
    "queries",
    "disclosures",
    "routing_did",
    "updates",
    "updated",
    "paginate",
    "keys",
    "dids",
    "pagination",
    "recipient_did",
    "message_count",
    "limit",
    "message_id_list",
    "live_delivery",
];

fn odd_values() -> Vec<Value> {
    let items = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1.5),
        json!(1e30),
        json!(""),
        json!("x"),
        json!("{1}{99999999999999999999}{"),
        json!({}),
        json!({"limit": -1, "offset": "0", "count": null, "remaining": [], "recipient_did": 1,
            "action": "add", "result": "success", "feature-type": 1, "match": "*", "id": {}}),
    ];
    let mut values = items.to_vec();
    values.push(Value::Array(items.to_vec()));
    values.extend(items.iter().map(|v| json!([v])));
    values
}

fn all_types() -> Vec<String> {
    let mut out = Vec::new();
    for t in TYPES {
        let (base, names) = t.split_once('{').unwrap();
        for name in names.trim_end_matches('}').split(',') {
            for scheme in ["https://", "http://"] {
                out.push(format!(
                    "{scheme}{}{name}",
                    base.trim_start_matches("https://")
                ));
            }
        }
    }
    out
}

fn parse_all(m: &Message) {
    let _ = trust_ping::parse(m);
    let _ = basic_message::parse(m);
    let _ = empty::parse(m);
    let _ = problem_report::parse(m);
    let _ = out_of_band::parse(m);
    let _ = discover_features::parse(m);
    let _ = discover_features::disclose(m, &discover_features::FeatureRegistry::default());
    let _ = mediation::parse(m);
    let _ = pickup::parse(m);
}

#[test]
fn parsers_never_panic_on_odd_bodies() {
    let values = odd_values();
    let attachments = [
        json!([]),
        json!([{"data": {"json": 1}}]),
        json!([{"id": "m", "data": {"base64": "AA"}}, {"id": "n", "data": {"json": "x"}}]),
    ];
    for t in all_types() {
        for member in MEMBERS {
            for value in &values {
                for a in &attachments {
                    let m = msg(
                        json!({"id": "1", "type": t, "from": ALICE, "thid": "t", "pthid": "p",
                        "attachments": a, "body": {member: value}}),
                    );
                    parse_all(&m);
                }
            }
        }
    }
    for t in [
        "https://didcomm.org/",
        "https://didcomm.org/trust-ping",
        "https://didcomm.org/trust-ping/",
        "https://didcomm.org/trust-ping//ping",
        "https://didcomm.org/trust-ping/2.0/",
        "https://didcomm.org/trust-ping/99999999999.0/ping",
        "https://didcomm.org/trust-ping/é.0/ping",
    ] {
        parse_all(&msg(json!({"id": "1", "type": t})));
    }
    for url in [
        "",
        "?",
        "?_oob",
        "?_oob=",
        "?_oob=%",
        "?_oob=%4",
        "?_oob=%é1",
        "?&&=&_oob==",
        "#?_oob=e30",
    ] {
        let _ = out_of_band::invitation_from_url(url);
    }
    for comment in [
        "{",
        "}",
        "{}",
        "{1",
        "{-1}",
        "{é}",
        "é{1}é",
        "{18446744073709551616}",
    ] {
        let _ = problem_report::comment_text(comment, &["a".into()]);
    }
}
