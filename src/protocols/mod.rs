//! Builders and parsers for the protocol messages of CHECKLIST §9–§10, following the shared
//! design in protocols-spec/API.md (the JS API implements the same design).
//!
//! Builders return a [`Message`] with a fresh random id, the type, the body, and `from`/`to`
//! when given; they are exact in what they emit. Parsers take a [`Message`] and return
//! `Ok(None)` when it belongs to another protocol or type, the typed value otherwise, or a
//! [`crate::ErrorKind::Malformed`] error naming the field. They accept the type URI with
//! `http://` as well as `https://` and any minor version of the major they implement.

pub mod attachments;
pub mod basic_message;
pub mod discover_features;
pub mod empty;
pub mod mediation;
pub mod out_of_band;
pub mod pickup;
pub mod problem_report;
pub mod threading;
pub mod trust_ping;

use serde_json::{Map, Value};

use crate::error::{err, Result};
use crate::message::fields::type_name;
use crate::message::Message;
use crate::routing::random_id;

/// Sender and recipients of a message a builder starts (replies take theirs from the
/// parent). An empty `to` leaves the header out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parties {
    pub from: Option<String>,
    pub to: Vec<String>,
}

impl Parties {
    /// From `from` to the one recipient `to`.
    pub fn new(from: impl Into<String>, to: impl Into<String>) -> Parties {
        Parties {
            from: Some(from.into()),
            to: vec![to.into()],
        }
    }
}

/// The current time in seconds since the Unix epoch, for `created_time`. Not on
/// wasm32-unknown-unknown, where `SystemTime::now()` panics: there the caller passes the time.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub fn unix_time_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `https://didcomm.org/<protocol>/<version>/<name>`, the form builders emit.
pub(crate) fn type_uri(protocol: &str, version: &str, name: &str) -> String {
    format!("https://didcomm.org/{protocol}/{version}/{name}")
}

/// The major version and message name of `message` when its type is of `protocol`
/// (`http://` or `https://`, any minor version); `None` for any other type.
pub(crate) fn type_of<'a>(message: &'a Message, protocol: &str) -> Option<(u32, &'a str)> {
    let t = message.type_.as_str();
    let rest = t
        .strip_prefix("https://didcomm.org/")
        .or_else(|| t.strip_prefix("http://didcomm.org/"))?;
    let rest = rest.strip_prefix(protocol)?.strip_prefix('/')?;
    let (version, name) = rest.split_once('/')?;
    let (major, minor) = version.split_once('.').unwrap_or((version, "0"));
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if name.is_empty() || name.contains('/') || !numeric(major) || !numeric(minor) {
        return None;
    }
    Some((major.parse().ok()?, name))
}

/// The message name when `message` is of `protocol` with major version `major`.
pub(crate) fn name_of<'a>(message: &'a Message, protocol: &str, major: u32) -> Option<&'a str> {
    type_of(message, protocol).and_then(|(m, name)| (m == major).then_some(name))
}

/// A new message of `type_` with `body`, addressed as `parties` say.
pub(crate) fn build(type_: String, body: Value, parties: &Parties) -> Result<Message> {
    let mut message = Message::new(random_id()?, type_, into_map(body));
    message.from.clone_from(&parties.from);
    if !parties.to.is_empty() {
        message.to = Some(parties.to.clone());
    }
    Ok(message)
}

/// The members of a JSON object built with `fields::object` (which always gives one).
pub(crate) fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A member that must be an array of objects, each read by `item` (given the object and
/// its name for errors, e.g. `updates[0]`). Absent reads as empty when `required` is false.
pub(crate) fn objects<T>(
    obj: &Map<String, Value>,
    name: &str,
    what: &str,
    required: bool,
    mut item: impl FnMut(&Map<String, Value>, &str) -> Result<T>,
) -> Result<Vec<T>> {
    let list = match obj.get(name) {
        None | Some(Value::Null) if !required => return Ok(Vec::new()),
        None | Some(Value::Null) => return Err(err!(Malformed, "{what} has no '{name}'")),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(err!(
                Malformed,
                "{what} '{name}' must be an array, got {}",
                type_name(other)
            ))
        }
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        let label = format!("{what} '{name}[{i}]'");
        let o = v
            .as_object()
            .ok_or_else(|| err!(Malformed, "{label} must be an object, got {}", type_name(v)))?;
        out.push(item(o, &label)?);
    }
    Ok(out)
}

/// The `thid` a response must carry; its absence is Malformed.
pub(crate) fn req_thid(message: &Message, what: &str) -> Result<String> {
    message
        .thid
        .clone()
        .ok_or_else(|| err!(Malformed, "{what} has no 'thid'"))
}
