//! Threads (CHECKLIST §2): replies within a thread, replies to an out-of-band invitation,
//! acknowledgements and the `return_route` header.

use serde_json::{Map, Value};

use crate::error::{err, Result};
use crate::message::Message;
use crate::routing::random_id;

/// A reply to `parent` of `type_` with `body`: `thid` = the parent's thread (its `thid`, or
/// its `id` when it has none), `pthid` copied from the parent, `to` = [parent's `from`]
/// when it has one. `from` is left for the caller to set.
pub fn reply(parent: &Message, type_: &str, body: Map<String, Value>) -> Result<Message> {
    let mut message = Message::new(random_id()?, type_, body);
    message.thid = Some(parent.thread_id().to_owned());
    message.pthid.clone_from(&parent.pthid);
    message.to = parent.from.clone().map(|from| vec![from]);
    Ok(message)
}

/// The first message of a thread answering the out-of-band `invitation`: `pthid` = the
/// invitation id, no `thid` (the new message's own id starts the thread), `to` = [the
/// invitation's `from`].
pub fn oob_reply(invitation: &Message, type_: &str, body: Map<String, Value>) -> Result<Message> {
    let mut message = Message::new(random_id()?, type_, body);
    message.pthid = Some(invitation.id.clone());
    message.to = invitation.from.clone().map(|from| vec![from]);
    Ok(message)
}

/// Asks the recipient to acknowledge `message`: `please_ack` = [its id].
pub fn please_ack(message: &mut Message) {
    message.please_ack = Some(vec![message.id.clone()]);
}

/// Acknowledges the messages `message_ids` in `message` (`ack` header).
pub fn ack(message: &mut Message, message_ids: &[String]) {
    message.ack = Some(message_ids.to_vec());
}

/// The `return_route` values DIDComm defines.
const RETURN_ROUTES: [&str; 3] = ["none", "all", "thread"];

/// Sets the `return_route` header: `none`, `all` or `thread`; any other value is
/// [`crate::ErrorKind::IllegalArgument`].
pub fn return_route(message: &mut Message, value: &str) -> Result<()> {
    if !RETURN_ROUTES.contains(&value) {
        return Err(err!(
            IllegalArgument,
            "return_route must be none, all or thread, got '{value}'"
        ));
    }
    message
        .extra_headers
        .insert("return_route".into(), value.into());
    Ok(())
}
