//! Routing: messages to DIDs whose service routes through mediators unwrap hop by hop to
//! the original; forwards parse; forwards addressed to the recipient itself unpack when asked.

#![cfg(feature = "did-methods")]

mod common;

use common::*;
use didcomm_wasm::crypto::{Curve, SecretKey};
use didcomm_wasm::did::identity::{self, Identity, PeerOptions};
use didcomm_wasm::did::{ChainResolver, DidDocument, Endpoint};
use didcomm_wasm::routing::{Forward, FORWARD};
use didcomm_wasm::{
    DidComm, ErrorKind, Message, PackEncryptedOptions, Secret, SecretsStore, StaticResolver,
    UnpackOptions,
};
use serde_json::{json, Map};

type Chained = DidComm<ChainResolver<StaticResolver>, SecretsStore>;

/// An agent holding `secrets`, resolving the spec's Alice and Bob, `docs`, and the built-ins.
fn node(docs: &[DidDocument], secrets: &[Secret]) -> Chained {
    let mut store = SecretsStore::new();
    for s in secrets {
        store.insert(s.clone());
    }
    let mut all = vec![alice_doc(), bob_doc()];
    all.extend(docs.iter().cloned());
    DidComm::new(ChainResolver::new(StaticResolver::new(all)), store)
}

fn peer(services: Vec<Endpoint>) -> Identity {
    identity::create_peer_2(&PeerOptions {
        services,
        ..Default::default()
    })
    .unwrap()
}

fn endpoint(uri: &str, routing_keys: &[&str]) -> Endpoint {
    Endpoint {
        uri: uri.into(),
        accept: vec!["didcomm/v2".into()],
        routing_keys: routing_keys.iter().map(|k| (*k).to_owned()).collect(),
    }
}

/// The X25519 key-agreement kid of a created identity.
fn agreement_kid(id: &Identity) -> String {
    id.document.key_agreement[0].clone()
}

fn message(to: &str) -> Message {
    let mut m = Message::new(
        "routed-1",
        "https://didcomm.org/basicmessage/2.0/message",
        json!({"content": "through the mediators"})
            .as_object()
            .unwrap()
            .clone(),
    );
    m.from = Some("did:example:alice".into());
    m.to = Some(vec![to.into()]);
    m
}

/// Alice authcrypts to `recipient`; each hop in `hops` unpacks a forward naming the next
/// hop and passes the attachment on; the recipient unpacks the original.
fn deliver(recipient: &Identity, hops: &[(&Identity, &str)], expected_uri: &str) {
    let alice = node(&[], &store_secrets(&secrets("secrets-alice.json")));
    let m = message(&recipient.did);
    let options = PackEncryptedOptions {
        from: Some("did:example:alice".into()),
        ..Default::default()
    };
    let (mut packed, meta) = block_on(alice.pack_encrypted(&m, &recipient.did, &options)).unwrap();
    let service = meta.messaging_service.expect("a messaging service");
    assert_eq!(service.uri, expected_uri);
    assert_eq!(service.id, format!("{}#service", recipient.did));
    assert_eq!(
        service.routing_keys.len(),
        hops.len(),
        "{:?}",
        service.routing_keys
    );
    for (hop, expected_next) in hops {
        let mediator = node(&[], &hop.secrets);
        let (forward, hop_meta) =
            block_on(mediator.unpack(&packed, &UnpackOptions::default())).unwrap();
        assert_eq!(forward.type_, FORWARD);
        assert!(hop_meta.anonymous_sender && !hop_meta.authenticated);
        let parsed = Forward::parse(&forward).unwrap().unwrap();
        assert_eq!(parsed.next, *expected_next);
        packed = parsed.forwarded.to_string();
    }
    let me = node(&[], &recipient.secrets);
    let (got, got_meta) = block_on(me.unpack(&packed, &UnpackOptions::default())).unwrap();
    assert_eq!(got, m);
    assert_eq!(
        got_meta.encrypted_from_kid.unwrap(),
        "did:example:alice#key-x25519-1"
    );
}

#[test]
fn two_hops_through_a_mediator_did_with_a_routing_key() {
    // Recipient → service uri = mediator M's DID, routingKeys [K]; M serves https://m.example.
    let m = peer(vec![endpoint("https://m.example/didcomm", &[])]);
    let k = peer(vec![]);
    let k_kid = agreement_kid(&k);
    let r = peer(vec![endpoint(&m.did, &[&k_kid])]);
    // Hops: M (its DID) then K; M passes it to K, K to the recipient.
    deliver(
        &r,
        &[(&m, &k_kid), (&k, &r.did)],
        "https://m.example/didcomm",
    );
}

#[test]
fn three_hops_with_routing_keys_on_both_services() {
    // The mediator's own service has a routing key in front of it.
    let front = peer(vec![]);
    let front_kid = agreement_kid(&front);
    let m = peer(vec![endpoint("https://m.example/didcomm", &[&front_kid])]);
    let k = peer(vec![]);
    let k_kid = agreement_kid(&k);
    let r = peer(vec![endpoint(&m.did, &[&k_kid])]);
    deliver(
        &r,
        &[(&front, &m.did), (&m, &k_kid), (&k, &r.did)],
        "https://m.example/didcomm",
    );
}

#[test]
fn plain_uri_with_routing_keys_and_none() {
    let k1 = peer(vec![]);
    let k2 = peer(vec![]);
    let (kid1, kid2) = (agreement_kid(&k1), agreement_kid(&k2));
    let r = peer(vec![endpoint("https://r.example", &[&kid1, &kid2])]);
    deliver(&r, &[(&k1, &kid2), (&k2, &r.did)], "https://r.example");
    // A routing key given as a DID means all its keyAgreement keys.
    let r = peer(vec![endpoint("https://r.example", &[&k1.did])]);
    deliver(&r, &[(&k1, &r.did)], "https://r.example");
    // No routing keys: the message is not wrapped, but the service is reported.
    let direct = peer(vec![endpoint("wss://direct.example", &[])]);
    deliver(&direct, &[], "wss://direct.example");
}

#[test]
fn forward_off_service_choice_and_no_service() {
    let k = peer(vec![]);
    let kid = agreement_kid(&k);
    let r = peer(vec![
        endpoint("https://first.example", &[&kid]),
        endpoint("https://second.example", &[]),
    ]);
    let alice = node(&[], &store_secrets(&secrets("secrets-alice.json")));
    let me = node(&[], &r.secrets);
    let m = message(&r.did);
    let unpacks_directly = |packed: &str| {
        let (got, _) = block_on(me.unpack(packed, &UnpackOptions::default())).unwrap();
        assert_eq!(got, m);
    };
    let off = PackEncryptedOptions {
        forward: false,
        ..Default::default()
    };
    let (packed, meta) = block_on(alice.pack_encrypted(&m, &r.did, &off)).unwrap();
    assert!(meta.messaging_service.is_none());
    unpacks_directly(&packed);

    let second = PackEncryptedOptions {
        messaging_service: Some(format!("{}#service-1", r.did)),
        ..Default::default()
    };
    let (packed, meta) = block_on(alice.pack_encrypted(&m, &r.did, &second)).unwrap();
    assert_eq!(
        meta.messaging_service.unwrap().uri,
        "https://second.example"
    );
    unpacks_directly(&packed);

    let missing = PackEncryptedOptions {
        messaging_service: Some(format!("{}#nope", r.did)),
        ..Default::default()
    };
    let e = block_on(alice.pack_encrypted(&m, &r.did, &missing)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalArgument, "{e}");
    assert!(e.message().contains("#nope"), "{e}");

    // Bob (spec document) has no service: nothing to wrap, nothing reported.
    let (_, meta) = block_on(alice.pack_encrypted(
        &message("did:example:bob"),
        "did:example:bob",
        &PackEncryptedOptions::default(),
    ))
    .unwrap();
    assert!(meta.messaging_service.is_none());
}

#[test]
fn forward_headers_reach_every_hop() {
    let k = peer(vec![]);
    let r = peer(vec![endpoint("https://r.example", &[&agreement_kid(&k)])]);
    let alice = node(&[], &store_secrets(&secrets("secrets-alice.json")));
    let mut headers = Map::new();
    headers.insert("expires_time".into(), json!(4_102_444_800u64));
    let options = PackEncryptedOptions {
        forward_headers: headers,
        ..Default::default()
    };
    let (packed, _) = block_on(alice.pack_encrypted(&message(&r.did), &r.did, &options)).unwrap();
    let (forward, _) =
        block_on(node(&[], &k.secrets).unpack(&packed, &UnpackOptions::default())).unwrap();
    assert_eq!(forward.expires_time, Some(4_102_444_800));
}

#[test]
fn a_forward_addressed_to_the_recipient_itself_unpacks_when_asked() {
    // The recipient lists its own key as a routing key: the outer forward is for itself.
    let key = SecretKey::generate(Curve::X25519).unwrap();
    let did = "did:example:self";
    let kid = format!("{did}#key-1");
    let jwk = didcomm_wasm::jose::jwk::public_to_jwk(&key.public_key());
    let doc = DidDocument::from_value(&json!({
        "id": did,
        "keyAgreement": [{"id": "#key-1", "type": "JsonWebKey2020", "publicKeyJwk": jwk}],
        "service": [{"id": "#service", "type": "DIDCommMessaging",
            "serviceEndpoint": {"uri": "https://r.example", "routingKeys": [kid]}}],
    }))
    .unwrap();
    let r = Identity {
        did: did.into(),
        document: doc.clone(),
        secrets: vec![Secret { kid, key }],
    };
    let alice = node(
        std::slice::from_ref(&doc),
        &store_secrets(&secrets("secrets-alice.json")),
    );
    let m = message(&r.did);
    let authcrypt = PackEncryptedOptions {
        from: Some("did:example:alice".into()),
        ..Default::default()
    };
    let (packed, meta) = block_on(alice.pack_encrypted(&m, &r.did, &authcrypt)).unwrap();
    assert_eq!(meta.messaging_service.unwrap().routing_keys.len(), 1);
    let me = node(std::slice::from_ref(&doc), &r.secrets);
    let (outer, outer_meta) = block_on(me.unpack(&packed, &UnpackOptions::default())).unwrap();
    assert_eq!(outer.type_, FORWARD);
    assert!(!outer_meta.re_wrapped_in_forward);
    let options = UnpackOptions {
        unwrap_re_wrapping_forward: true,
        ..Default::default()
    };
    let (got, got_meta) = block_on(me.unpack(&packed, &options)).unwrap();
    assert_eq!(got, m);
    assert!(got_meta.re_wrapped_in_forward && got_meta.authenticated);
    // A forward for someone else stays a forward.
    let k = peer(vec![]);
    let other = peer(vec![endpoint("https://o.example", &[&agreement_kid(&k)])]);
    let (packed, _) =
        block_on(alice.pack_encrypted(&message(&other.did), &other.did, &Default::default()))
            .unwrap();
    let (still, meta) = block_on(node(&[], &k.secrets).unpack(&packed, &options)).unwrap();
    assert_eq!(still.type_, FORWARD);
    assert!(!meta.re_wrapped_in_forward);
}

#[test]
fn wrap_in_forward_for_any_chain_and_malformed_forwards() {
    let k1 = peer(vec![]);
    let k2 = peer(vec![]);
    let bob = node(&[], &store_secrets(&secrets("secrets-bob.json")));
    let alice = node(&[], &store_secrets(&secrets("secrets-alice.json")));
    let (inner, _) = block_on(alice.pack_encrypted(
        &message("did:example:bob"),
        "did:example:bob",
        &Default::default(),
    ))
    .unwrap();
    let keys = [agreement_kid(&k1), k2.did.clone()];
    let wrapped = block_on(alice.wrap_in_forward(
        &inner,
        "did:example:bob",
        &keys,
        &Map::new(),
        Default::default(),
    ))
    .unwrap();
    let (f1, _) = block_on(node(&[], &k1.secrets).unpack(&wrapped, &Default::default())).unwrap();
    let f1 = Forward::parse(&f1).unwrap().unwrap();
    assert_eq!(f1.next, k2.did);
    let (f2, _) =
        block_on(node(&[], &k2.secrets).unpack(&f1.forwarded.to_string(), &Default::default()))
            .unwrap();
    let f2 = Forward::parse(&f2).unwrap().unwrap();
    assert_eq!(f2.next, "did:example:bob");
    let (got, _) = block_on(bob.unpack(&f2.forwarded.to_string(), &Default::default())).unwrap();
    assert_eq!(got.id, "routed-1");

    let e = block_on(alice.wrap_in_forward(&inner, "bob", &keys, &Map::new(), Default::default()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalArgument);

    // Forwards as other implementations send them: base64 attachments parse too.
    let with_base64 = Message::from_value(&json!({
        "id": "f", "type": FORWARD, "body": {"next": "did:example:bob"},
        "attachments": [{"data": {"base64": "eyJhIjoxfQ"}}],
    }))
    .unwrap();
    assert_eq!(
        Forward::parse(&with_base64).unwrap().unwrap().forwarded,
        json!({"a": 1})
    );
    for (bad, needle) in [
        (
            json!({"id": "f", "type": FORWARD, "body": {}, "attachments": [{"data": {"json": {}}}]}),
            "next",
        ),
        (
            json!({"id": "f", "type": FORWARD, "body": {"next": "bob"}, "attachments": [{"data": {"json": {}}}]}),
            "next",
        ),
        (
            json!({"id": "f", "type": FORWARD, "body": {"next": "did:x:y"}}),
            "no attachment",
        ),
        (
            json!({"id": "f", "type": FORWARD, "body": {"next": "did:x:y"}, "attachments": [{"data": {"links": ["x"], "hash": "z"}}]}),
            "neither",
        ),
        (
            json!({"id": "f", "type": FORWARD, "body": {"next": "did:x:y"}, "attachments": [{"data": {"base64": "bm9wZQ"}}]}),
            "not a JSON",
        ),
        (
            json!({"id": "f", "type": FORWARD, "body": {"next": "did:x:y"}, "attachments": [{"data": {"json": [1]}}]}),
            "not a JSON object",
        ),
    ] {
        let m = Message::from_value(&bad).unwrap();
        let e = Forward::parse(&m).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{bad}");
        assert!(e.message().contains(needle), "{e}");
    }
    assert!(Forward::parse(&message("did:x:y")).unwrap().is_none());
}

#[test]
fn a_mediator_did_without_a_service_is_a_clear_error() {
    let lonely = peer(vec![]);
    let r = peer(vec![endpoint(&lonely.did, &[])]);
    let alice = node(&[], &store_secrets(&secrets("secrets-alice.json")));
    let e =
        block_on(alice.pack_encrypted(&message(&r.did), &r.did, &Default::default())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed, "{e}");
    assert!(e.message().contains(&lonely.did), "{e}");
}
