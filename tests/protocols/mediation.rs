//! Coordinate mediation 2.0 and 3.0.

use super::*;

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
