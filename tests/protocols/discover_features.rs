//! Discover features: queries, disclosures, glob matching.

use super::*;

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
