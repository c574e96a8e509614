//! Message pickup 3.0.

use super::*;

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
