//! Trust ping 2.0 (CHECKLIST §10): `ping`, answered by a `ping-response` in its thread.

use crate::error::Result;
use crate::message::fields::{object, opt_bool};
use crate::message::Message;
use crate::protocols::{build, name_of, req_thid, Parties};

const PROTOCOL: &str = "trust-ping";

/// The type URI of a ping.
pub const PING: &str = "https://didcomm.org/trust-ping/2.0/ping";
/// The type URI of a ping response.
pub const PING_RESPONSE: &str = "https://didcomm.org/trust-ping/2.0/ping-response";

/// A parsed trust-ping message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustPing {
    /// `response_requested` is true when the body leaves it out (the protocol's default).
    Ping { response_requested: bool },
    /// `thid` is the id of the ping answered.
    PingResponse { thid: String },
}

/// A ping, body `{response_requested}`.
pub fn ping(parties: &Parties, response_requested: bool) -> Result<Message> {
    let body = object([("response_requested", response_requested.into())]);
    build(PING.to_owned(), body, parties)
}

/// The response to `ping`: `thid` = the ping's id, `to` = [the ping's `from`], empty body.
/// `from` is left for the caller to set.
pub fn ping_response(ping: &Message) -> Result<Message> {
    let mut response = build(PING_RESPONSE.to_owned(), object([]), &Parties::default())?;
    response.thid = Some(ping.id.clone());
    response.to = ping.from.clone().map(|from| vec![from]);
    Ok(response)
}

/// The trust ping in `message`, `None` for other types.
pub fn parse(message: &Message) -> Result<Option<TrustPing>> {
    match name_of(message, PROTOCOL, 2) {
        Some("ping") => Ok(Some(TrustPing::Ping {
            response_requested: opt_bool(&message.body, "response_requested", "ping body")?
                .unwrap_or(true),
        })),
        Some("ping-response") => Ok(Some(TrustPing::PingResponse {
            thid: req_thid(message, "ping-response")?,
        })),
        _ => Ok(None),
    }
}
