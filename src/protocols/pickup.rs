//! Message pickup 3.0 (CHECKLIST §10): a recipient asks its mediator for the status of
//! its queue, fetches queued messages, confirms their receipt (only then may the mediator
//! delete them), and switches live delivery on or off.

use serde_json::Value;

use crate::error::{err, Result};
use crate::message::fields::{object, opt_bool, opt_str, opt_str_list, opt_u64, req_u64};
use crate::message::{Attachment, Message};
use crate::protocols::threading::reply;
use crate::protocols::{build, into_map, name_of, type_uri, Parties};

const PROTOCOL: &str = "messagepickup";

fn uri(name: &str) -> String {
    type_uri(PROTOCOL, "3.0", name)
}

/// The queue as the mediator reports it (body of `status`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    pub recipient_did: Option<String>,
    pub message_count: u64,
    pub longest_waited_seconds: Option<u64>,
    pub newest_received_time: Option<u64>,
    pub oldest_received_time: Option<u64>,
    pub total_bytes: Option<u64>,
    pub live_delivery: Option<bool>,
}

/// A delivered message: the attachment `id` (the message id, to confirm with
/// `messages-received`) and the packed message it carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivered {
    pub id: String,
    /// The packed message as text, ready for `unpack`.
    pub packed: String,
    /// The same, parsed.
    pub json: Value,
}

/// A parsed pickup message.
#[derive(Debug, Clone, PartialEq)]
pub enum Pickup {
    StatusRequest {
        recipient_did: Option<String>,
    },
    Status(Status),
    DeliveryRequest {
        limit: u64,
        recipient_did: Option<String>,
    },
    Delivery {
        recipient_did: Option<String>,
        messages: Vec<Delivered>,
    },
    MessagesReceived {
        message_id_list: Vec<String>,
    },
    LiveDeliveryChange {
        live_delivery: bool,
    },
}

/// A `status-request`, for `recipient_did` when given.
pub fn status_request(parties: &Parties, recipient_did: Option<&str>) -> Result<Message> {
    let body = object([("recipient_did", recipient_did.into())]);
    build(uri("status-request"), body, parties)
}

/// The `status` reply to `request` (a status-request, delivery-request with nothing queued,
/// or live-delivery-change).
pub fn status(request: &Message, status: &Status) -> Result<Message> {
    let body = object([
        ("recipient_did", status.recipient_did.clone().into()),
        ("message_count", status.message_count.into()),
        (
            "longest_waited_seconds",
            status.longest_waited_seconds.into(),
        ),
        ("newest_received_time", status.newest_received_time.into()),
        ("oldest_received_time", status.oldest_received_time.into()),
        ("total_bytes", status.total_bytes.into()),
        ("live_delivery", status.live_delivery.into()),
    ]);
    reply(request, &uri("status"), into_map(body))
}

/// A `delivery-request` for at most `limit` messages.
pub fn delivery_request(
    parties: &Parties,
    limit: u64,
    recipient_did: Option<&str>,
) -> Result<Message> {
    let body = object([
        ("limit", limit.into()),
        ("recipient_did", recipient_did.into()),
    ]);
    build(uri("delivery-request"), body, parties)
}

/// The `delivery` reply to `request`: one attachment per `(message id, packed JSON text)`,
/// `id` = the message id, `data.base64` = the packed text. With nothing to deliver the
/// mediator answers with a [`status`] instead, so an empty list is IllegalArgument.
pub fn delivery(
    request: &Message,
    recipient_did: Option<&str>,
    messages: &[(String, String)],
) -> Result<Message> {
    if messages.is_empty() {
        return Err(err!(
            IllegalArgument,
            "a delivery needs at least one message; answer with a status instead"
        ));
    }
    let body = object([("recipient_did", recipient_did.into())]);
    let mut message = reply(request, &uri("delivery"), into_map(body))?;
    message.attachments = messages
        .iter()
        .map(|(id, packed)| {
            let mut a = Attachment::from_bytes(packed.as_bytes());
            a.id = Some(id.clone());
            a
        })
        .collect();
    Ok(message)
}

/// The `messages-received` reply to `delivery`: the mediator may now delete these.
pub fn messages_received(delivery: &Message, message_ids: &[String]) -> Result<Message> {
    let body = object([("message_id_list", message_ids.to_vec().into())]);
    reply(delivery, &uri("messages-received"), into_map(body))
}

/// A `live-delivery-change` switching live delivery on or off.
pub fn live_delivery_change(parties: &Parties, live_delivery: bool) -> Result<Message> {
    let body = object([("live_delivery", live_delivery.into())]);
    build(uri("live-delivery-change"), body, parties)
}

/// The pickup message in `message` (any 3.x), `None` for other types. Missing required
/// members (`message_count`, `limit`, `message_id_list`, `live_delivery`, attachment
/// ids and data) are Malformed. Delivered messages may come as base64 or JSON data.
pub fn parse(message: &Message) -> Result<Option<Pickup>> {
    let Some(name) = name_of(message, PROTOCOL, 3) else {
        return Ok(None);
    };
    let body = &message.body;
    let what = &format!("{name} body");
    let recipient_did = opt_str(body, "recipient_did", what)?;
    Ok(Some(match name {
        "status-request" => Pickup::StatusRequest { recipient_did },
        "status" => Pickup::Status(Status {
            recipient_did,
            message_count: req_u64(body, "message_count", what)?,
            longest_waited_seconds: opt_u64(body, "longest_waited_seconds", what)?,
            newest_received_time: opt_u64(body, "newest_received_time", what)?,
            oldest_received_time: opt_u64(body, "oldest_received_time", what)?,
            total_bytes: opt_u64(body, "total_bytes", what)?,
            live_delivery: opt_bool(body, "live_delivery", what)?,
        }),
        "delivery-request" => Pickup::DeliveryRequest {
            limit: req_u64(body, "limit", what)?,
            recipient_did,
        },
        "delivery" => Pickup::Delivery {
            recipient_did,
            messages: message
                .attachments
                .iter()
                .enumerate()
                .map(|(i, a)| delivered(a, i))
                .collect::<Result<_>>()?,
        },
        "messages-received" => Pickup::MessagesReceived {
            message_id_list: opt_str_list(body, "message_id_list", what)?
                .ok_or_else(|| err!(Malformed, "{what} has no 'message_id_list'"))?,
        },
        "live-delivery-change" => Pickup::LiveDeliveryChange {
            live_delivery: opt_bool(body, "live_delivery", what)?
                .ok_or_else(|| err!(Malformed, "{what} has no 'live_delivery'"))?,
        },
        _ => return Ok(None),
    }))
}

fn delivered(attachment: &Attachment, i: usize) -> Result<Delivered> {
    let what = format!("delivery 'attachments[{i}]'");
    let id = attachment
        .id
        .clone()
        .ok_or_else(|| err!(Malformed, "{what} has no 'id' (the message id)"))?;
    let (packed, json) = match (&attachment.data.json, attachment.base64_bytes()?) {
        (_, Some(bytes)) => {
            let text = String::from_utf8(bytes)
                .map_err(|_| err!(Malformed, "{what} data.base64 is not UTF-8 text"))?;
            let json = serde_json::from_str(&text)
                .map_err(|_| err!(Malformed, "{what} data.base64 is not a JSON message"))?;
            (text, json)
        }
        (Some(json), None) => (json.to_string(), json.clone()),
        (None, None) => {
            return Err(err!(
                Malformed,
                "{what} has neither data.base64 nor data.json"
            ))
        }
    };
    Ok(Delivered { id, packed, json })
}
