//! Basic message 2.0 (CHECKLIST §10): a human-readable `content`, with `lang` and
//! `created_time` headers.

use serde_json::Value;

use crate::error::{err, Result};
use crate::message::fields::{object, opt_str, type_name};
use crate::message::Message;
use crate::protocols::{build, name_of, Parties};

/// The type URI of a basic message.
pub const BASIC_MESSAGE: &str = "https://didcomm.org/basicmessage/2.0/message";

/// A parsed basic message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicMessage {
    pub content: String,
    /// The `lang` header: the language of `content`.
    pub lang: Option<String>,
    pub created_time: Option<u64>,
}

/// A basic message, body `{content}`, `lang` header when given, `created_time` =
/// `created_time` (seconds since the epoch: the design says "now", which the caller passes,
/// e.g. [`crate::protocols::unix_time_now`], since wasm32-unknown-unknown has no clock).
pub fn basic_message(
    parties: &Parties,
    content: &str,
    lang: Option<&str>,
    created_time: u64,
) -> Result<Message> {
    let mut message = build(
        BASIC_MESSAGE.to_owned(),
        object([("content", content.into())]),
        parties,
    )?;
    message.created_time = Some(created_time);
    if let Some(lang) = lang {
        message.extra_headers.insert("lang".into(), lang.into());
    }
    Ok(message)
}

/// The basic message in `message`, `None` for other types. `body.content` missing or not a
/// string is Malformed; so is a `lang` header that is not a string.
pub fn parse(message: &Message) -> Result<Option<BasicMessage>> {
    if name_of(message, "basicmessage", 2) != Some("message") {
        return Ok(None);
    }
    let content = match message.body.get("content") {
        Some(Value::String(s)) => s.clone(),
        None => return Err(err!(Malformed, "basic message body has no 'content'")),
        Some(other) => {
            return Err(err!(
                Malformed,
                "basic message body 'content' must be a string, got {}",
                type_name(other)
            ))
        }
    };
    Ok(Some(BasicMessage {
        content,
        lang: opt_str(&message.extra_headers, "lang", "basic message header")?,
        created_time: message.created_time,
    }))
}
