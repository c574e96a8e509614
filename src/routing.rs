//! Routing (CHECKLIST §7): forward messages, the service a message is sent to, and the
//! wrapping of a packed message for each mediator on its way.
//!
//! A sender encrypts for the recipient, then walks the service's `routingKeys` from last to
//! first, each time wrapping the packed message in a `forward` anoncrypted to that key. When
//! the service `uri` is a DID (a mediator), that DID's own service gives the transport URI,
//! and the mediator itself (its keyAgreement keys) is one more routing hop before the
//! service's `routingKeys`.

use serde_json::{Map, Value};

use crate::did::{did_of, is_did, resolve_known, DidDocument, DidResolver, Endpoint, Service};
use crate::error::{err, Result};
use crate::jose::enc::ContentEnc;
use crate::message::{fields::object, Attachment, Message};
use crate::secrets::SecretsResolver;
use crate::DidComm;

/// The message type of a forward.
pub const FORWARD: &str = "https://didcomm.org/routing/2.0/forward";

/// The service a packed message goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagingService {
    /// The recipient's service entry (`did#service`).
    pub id: String,
    /// Where to send the packed message: an http(s) or ws(s) URL.
    pub uri: String,
    /// The routing hops the message was wrapped for, first hop first (kids or DIDs).
    pub routing_keys: Vec<String>,
}

/// A parsed forward: where to send the attached message next.
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    /// A DID or kid.
    pub next: String,
    /// The attached (packed) message, as JSON.
    pub forwarded: Value,
}

impl Forward {
    /// The forward in `message`, or `None` when it is not a forward. A forward without
    /// `body.next` or without an attached JSON message is [`crate::ErrorKind::Malformed`].
    pub fn parse(message: &Message) -> Result<Option<Forward>> {
        if message.type_ != FORWARD {
            return Ok(None);
        }
        let next = match message.body.get("next") {
            Some(Value::String(next)) if is_did(next) => next.clone(),
            _ => {
                return Err(err!(
                    Malformed,
                    "forward {}: body.next must be a DID or kid",
                    message.id
                ))
            }
        };
        let attachment = message
            .attachments
            .first()
            .ok_or_else(|| err!(Malformed, "forward {} has no attachment", message.id))?;
        let forwarded = match (&attachment.data.json, attachment.base64_bytes()?) {
            (Some(json), _) => json.clone(),
            (None, Some(bytes)) => serde_json::from_slice(&bytes).map_err(|_| {
                err!(
                    Malformed,
                    "forward {}: the base64 attachment is not a JSON message",
                    message.id
                )
            })?,
            (None, None) => {
                return Err(err!(
                    Malformed,
                    "forward {}: the attachment has neither json nor base64 data",
                    message.id
                ))
            }
        };
        if !forwarded.is_object() {
            return Err(err!(
                Malformed,
                "forward {}: the attached message is not a JSON object",
                message.id
            ));
        }
        Ok(Some(Forward { next, forwarded }))
    }
}

/// A forward of `packed` to `next`, with `headers` (e.g. `expires_time`) on it.
pub fn forward_message(packed: Value, next: &str, headers: &Map<String, Value>) -> Result<Message> {
    let mut value = Message::new(random_id()?, FORWARD, Map::new()).to_value();
    if let Value::Object(obj) = &mut value {
        for (name, header) in headers {
            obj.entry(name.as_str()).or_insert_with(|| header.clone());
        }
        obj.insert("body".into(), object([("next", next.into())]));
        obj.insert(
            "attachments".into(),
            vec![Attachment::from_json(packed).to_value()].into(),
        );
    }
    Message::from_value(&value)
}

/// A random message id (UUID v4 form).
pub fn random_id() -> Result<String> {
    let mut bytes = crate::crypto::random::bytes(16)?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        id.push(char::from(HEX[usize::from(b >> 4)]));
        id.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    Ok(id)
}

/// The first endpoint of `service` that takes DIDComm v2 (its `accept` lists `didcomm/v2`,
/// or says nothing).
fn v2_endpoint(service: &Service) -> Option<&Endpoint> {
    service
        .endpoints
        .iter()
        .find(|e| e.accept.is_empty() || e.accept.iter().any(|a| a == "didcomm/v2"))
}

/// The recipient's service (the one named `service_id`, or the first DIDCommMessaging
/// service with a DIDComm v2 endpoint) and its endpoint.
fn choose_service(
    doc: &DidDocument,
    service_id: Option<&str>,
) -> Result<Option<(String, Endpoint)>> {
    let services = doc.didcomm_services();
    let Some(id) = service_id else {
        return Ok(services
            .iter()
            .find_map(|s| v2_endpoint(s).map(|e| (s.id.clone(), e.clone()))));
    };
    let service = services.iter().find(|s| s.id == id).ok_or_else(|| {
        err!(
            IllegalArgument,
            "{} has no DIDCommMessaging service {id}",
            doc.id
        )
    })?;
    let endpoint = v2_endpoint(service)
        .ok_or_else(|| err!(Unsupported, "service {id} accepts no didcomm/v2"))?;
    Ok(Some((service.id.clone(), endpoint.clone())))
}

impl<D: DidResolver, S: SecretsResolver> DidComm<D, S> {
    /// Where a message to `doc` goes, and through which routing hops: `None` when the
    /// document has no DIDCommMessaging service (or `service_id` names none).
    pub async fn messaging_service(
        &self,
        doc: &DidDocument,
        service_id: Option<&str>,
    ) -> Result<Option<MessagingService>> {
        let Some((id, endpoint)) = choose_service(doc, service_id)? else {
            return Ok(None);
        };
        if !is_did(&endpoint.uri) {
            return Ok(Some(MessagingService {
                id,
                uri: endpoint.uri,
                routing_keys: endpoint.routing_keys,
            }));
        }
        // The endpoint is a mediator's DID: its service gives the URI, and the mediator is
        // a hop in front of the recipient's routing keys.
        let mediator = resolve_known(&self.dids, did_of(&endpoint.uri)).await?;
        let (_, outer) = choose_service(&mediator, None)?.ok_or_else(|| {
            err!(
                Malformed,
                "service {id} routes through {}, which has no DIDCommMessaging service",
                mediator.id
            )
        })?;
        if is_did(&outer.uri) {
            return Err(err!(
                Unsupported,
                "service {id}: mediator {} names another DID ({}) as its endpoint; one level of mediator DIDs is supported",
                mediator.id,
                outer.uri
            ));
        }
        let mut routing_keys = outer.routing_keys;
        routing_keys.push(mediator.id.clone());
        routing_keys.extend(endpoint.routing_keys);
        Ok(Some(MessagingService {
            id,
            uri: outer.uri,
            routing_keys,
        }))
    }

    /// Wraps `packed` (a packed message for `next`) in one anoncrypted forward per routing
    /// key, from the last key to the first: the result goes to the mediator of
    /// `routing_keys[0]`. Each key is a kid or a DID (all its keyAgreement keys on one curve).
    pub async fn wrap_in_forward(
        &self,
        packed: &str,
        next: &str,
        routing_keys: &[String],
        headers: &Map<String, Value>,
        enc: ContentEnc,
    ) -> Result<String> {
        if !is_did(next) {
            return Err(err!(
                IllegalArgument,
                "forward 'next' must be a DID or kid, got '{next}'"
            ));
        }
        let mut packed = packed.to_owned();
        let mut next = next;
        for key in routing_keys.iter().rev() {
            let value = self
                .limits
                .parse_json(packed.as_bytes(), "message to forward")?;
            let forward = forward_message(value, next, headers)?;
            packed = self
                .anoncrypt(forward.to_json().as_bytes(), key, enc)
                .await
                .map_err(|e| e.context(format_args!("forward to routing key {key}")))?
                .0;
            next = key;
        }
        Ok(packed)
    }

    /// The forwarded message of a forward addressed to keys of our own (re-wrapping), to
    /// unpack in turn; `None` when `message` is no forward or its `next` is someone else.
    pub(crate) async fn forward_to_self(&self, message: &Message) -> Result<Option<Value>> {
        let Some(forward) = Forward::parse(message)? else {
            return Ok(None);
        };
        let Some(doc) = self.dids.resolve(did_of(&forward.next)).await? else {
            return Ok(None);
        };
        let kids: Vec<&str> = if forward.next.contains('#') {
            vec![forward.next.as_str()]
        } else {
            doc.key_agreement.iter().map(String::as_str).collect()
        };
        let held =
            crate::secrets::find_held(&self.secrets, &kids, std::slice::from_ref(&doc)).await?;
        Ok((!held.is_empty()).then_some(forward.forwarded))
    }
}
