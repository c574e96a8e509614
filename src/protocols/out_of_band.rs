//! Out-of-band 2.0 (CHECKLIST §10): invitations, and their URL form
//! `…?_oob=<base64url of the JSON>`. Replies to an invitation carry its id as `pthid`
//! ([`crate::protocols::threading::oob_reply`]).

use serde_json::Value;

use crate::error::{err, json_error, Result};
use crate::jose::b64;
use crate::message::fields::{object, opt_str, opt_str_list};
use crate::message::{Attachment, Message};
use crate::protocols::{build, name_of, Parties};

/// The type URI of an invitation.
pub const INVITATION: &str = "https://didcomm.org/out-of-band/2.0/invitation";

/// What an invitation offers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InvitationOptions {
    /// The inviter's DID (REQUIRED).
    pub from: String,
    pub goal_code: Option<String>,
    pub goal: Option<String>,
    /// Media types / profiles the inviter takes; `None` means `["didcomm/v2"]`.
    pub accept: Option<Vec<String>>,
    pub attachments: Vec<Attachment>,
}

/// A parsed invitation.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    pub id: String,
    pub from: String,
    pub goal_code: Option<String>,
    pub goal: Option<String>,
    /// As sent; empty when the invitation has no `accept`.
    pub accept: Vec<String>,
    pub attachments: Vec<Attachment>,
}

/// An invitation from `options.from`; an empty `from` is
/// [`crate::ErrorKind::IllegalArgument`].
pub fn invitation(options: &InvitationOptions) -> Result<Message> {
    if options.from.is_empty() {
        return Err(err!(IllegalArgument, "an invitation needs a 'from'"));
    }
    let accept = options
        .accept
        .clone()
        .unwrap_or_else(|| vec!["didcomm/v2".to_owned()]);
    let body = object([
        ("goal_code", options.goal_code.clone().into()),
        ("goal", options.goal.clone().into()),
        ("accept", accept.into()),
    ]);
    let parties = Parties {
        from: Some(options.from.clone()),
        to: Vec::new(),
    };
    let mut message = build(INVITATION.to_owned(), body, &parties)?;
    message.attachments.clone_from(&options.attachments);
    Ok(message)
}

/// The invitation in `message`, `None` for other types; no `from` is Malformed.
pub fn parse(message: &Message) -> Result<Option<Invitation>> {
    if name_of(message, "out-of-band", 2) != Some("invitation") {
        return Ok(None);
    }
    let what = "invitation body";
    let from = message
        .from
        .clone()
        .ok_or_else(|| err!(Malformed, "invitation has no 'from'"))?;
    Ok(Some(Invitation {
        id: message.id.clone(),
        from,
        goal_code: opt_str(&message.body, "goal_code", what)?,
        goal: opt_str(&message.body, "goal", what)?,
        accept: opt_str_list(&message.body, "accept", what)?.unwrap_or_default(),
        attachments: message.attachments.clone(),
    }))
}

/// `base_url` with `_oob=` the invitation as base64url (no padding) of its JSON without
/// whitespace. Other query parameters and a fragment are kept; an `_oob` already there is
/// replaced.
pub fn invitation_url(invitation: &Message, base_url: &str) -> String {
    let encoded = b64::encode(invitation.to_json());
    let (rest, fragment) = match base_url.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (base_url, None),
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut url = String::with_capacity(base_url.len() + encoded.len() + 6);
    url.push_str(path);
    url.push('?');
    for param in query.split('&').filter(|p| !p.is_empty()) {
        if param.split('=').next() != Some("_oob") {
            url.push_str(param);
            url.push('&');
        }
    }
    url.push_str("_oob=");
    url.push_str(&encoded);
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// The invitation message of an invitation URL: its `_oob` (or `oob`) parameter, base64url
/// or standard base64, padded or not, percent-encoded or not. No such parameter, text that
/// does not decode to a message, or a message that is no invitation is Malformed.
pub fn invitation_from_url(url: &str) -> Result<Message> {
    let without_fragment = url.split('#').next().unwrap_or(url);
    let query = without_fragment.split_once('?').map_or("", |(_, q)| q);
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|p| p.split_once('=').filter(|(k, _)| *k == name))
            .map(|(_, v)| v)
    };
    let raw = param("_oob")
        .or_else(|| param("oob"))
        .ok_or_else(|| err!(Malformed, "invitation URL has no '_oob' or 'oob' parameter"))?;
    let text = percent_decode(raw)?;
    let bytes = b64::decode(&text, "invitation URL '_oob'")?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        err!(
            Malformed,
            "invitation URL '_oob' is not JSON: {}",
            json_error(&e)
        )
    })?;
    let message = Message::from_value(&value)?;
    match parse(&message)? {
        Some(_) => Ok(message),
        None => Err(err!(
            Malformed,
            "invitation URL '_oob' holds a '{}', not an invitation",
            message.type_
        )),
    }
}

/// Undoes URL query encoding: `%XX` escapes, and `+` or space left by form encoding of a
/// standard-base64 `+`.
fn percent_decode(text: &str) -> Result<String> {
    let bytes = crate::uri::percent_decode(&text.replace(' ', "+"))
        .ok_or_else(|| err!(Malformed, "invitation URL '_oob' has a bad % escape"))?;
    String::from_utf8(bytes).map_err(|_| err!(Malformed, "invitation URL '_oob' is not UTF-8"))
}
