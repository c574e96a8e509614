//! Empty 1.0 (CHECKLIST §10): a message with nothing to say, e.g. to carry `ack` or to
//! open a return route.

use crate::error::Result;
use crate::message::fields::object;
use crate::message::Message;
use crate::protocols::{build, name_of, Parties};

/// The type URI of the empty message.
pub const EMPTY: &str = "https://didcomm.org/empty/1.0/empty";

/// A parsed empty message: there is nothing in it but its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Empty;

/// An empty message, body `{}`.
pub fn empty(parties: &Parties) -> Result<Message> {
    build(EMPTY.to_owned(), object([]), parties)
}

/// `Some(Empty)` when `message` is an empty message (any 1.x), `None` otherwise.
pub fn parse(message: &Message) -> Result<Option<Empty>> {
    Ok((name_of(message, "empty", 1) == Some("empty")).then_some(Empty))
}
