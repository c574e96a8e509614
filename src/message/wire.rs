//! A message's JSON text that is already in wire form, read for its headers only.
//!
//! Packing a message as plaintext must check its headers and emit JSON with `typ`; it need
//! not build a `Message` of every member and write them all out again.
//! When the text is in wire form (each header this library reads has its plain type, `typ`
//! is absent or exactly the plaintext media type, `body` is an object, there are no
//! attachments and no member appears twice) it can go out as it came. Any other text,
//! valid or not, is left to [`Message::from_json`], which normalizes it or names what is
//! wrong: this reader never decides an error, and never builds one.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

use super::Message;
use crate::media_type::MediaType;

/// The headers of `text` when it is in wire form, as a `Message` with an empty body, no
/// attachments and no extra headers, and whether `typ` is present. `None` otherwise.
pub(crate) fn headers(text: &str) -> Option<(Message, bool)> {
    // from_slice, as everywhere else: one copy of the JSON parser in the wasm.
    let mut de = serde_json::Deserializer::from_slice(text.as_bytes());
    let found = de.deserialize_any(HeadersVisitor).ok()?;
    de.end().ok()?;
    found
}

/// The members this reader tells apart; every other name is an extra header.
#[derive(Clone, Copy, PartialEq)]
enum Key {
    Id,
    Typ,
    Type,
    From,
    To,
    Thid,
    Pthid,
    CreatedTime,
    ExpiresTime,
    Body,
    FromPrior,
    PleaseAck,
    Ack,
    /// `attachments`: normalized by `Attachment`, so never in wire form here.
    Attachments,
    Other,
}

impl Key {
    fn of(name: &str) -> Key {
        match name {
            "id" => Key::Id,
            "typ" => Key::Typ,
            "type" => Key::Type,
            "from" => Key::From,
            "to" => Key::To,
            "thid" => Key::Thid,
            "pthid" => Key::Pthid,
            "created_time" => Key::CreatedTime,
            "expires_time" => Key::ExpiresTime,
            "body" => Key::Body,
            "from_prior" => Key::FromPrior,
            "please_ack" => Key::PleaseAck,
            "ack" => Key::Ack,
            "attachments" => Key::Attachments,
            _ => Key::Other,
        }
    }
}

/// A member name: its `Key`, and the name itself for an extra header (to find repeats).
struct Name<'de>(Key, Option<Cow<'de, str>>);

struct NameSeed;

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = Name<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Name<'de>, D::Error> {
        d.deserialize_str(NameSeed)
    }
}

impl<'de> Visitor<'de> for NameSeed {
    type Value = Name<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Name<'de>, E> {
        Ok(match Key::of(name) {
            Key::Other => Name(Key::Other, Some(Cow::Borrowed(name))),
            key => Name(key, None),
        })
    }
    // A name with escapes in it: unescaped into a buffer that does not outlive the call.
    fn visit_str<E>(self, name: &str) -> Result<Name<'de>, E> {
        Ok(match Key::of(name) {
            Key::Other => Name(Key::Other, Some(Cow::Owned(name.to_owned()))),
            key => Name(key, None),
        })
    }
}

/// A header that is a string, as it is.
fn string(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// A header that is an array of strings (a lone string is normalized by `from_json`).
fn strings(value: Value) -> Option<Vec<String>> {
    match value {
        Value::Array(items) => items.into_iter().map(string).collect(),
        _ => None,
    }
}

/// A time that is an integer as written (`1.0` is normalized by `from_json`).
fn seconds(value: Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// Extra headers this reader checks for repeats; a message with more goes to `from_json`.
const MAX_EXTRA: usize = 16;

struct HeadersVisitor;

impl<'de> Visitor<'de> for HeadersVisitor {
    type Value = Option<(Message, bool)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a message")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut m = Message::default();
        let mut seen = 0u32;
        let mut extra: Vec<Cow<'de, str>> = Vec::new();
        let mut has_typ = false;
        while let Some(Name(key, name)) = map.next_key_seed(NameSeed)? {
            // Every value is parsed as `from_json` parses it, so that both take the same
            // texts (a skipping parse would take numbers out of range, for one).
            let value: Value = map.next_value()?;
            if key == Key::Other {
                let name = name.unwrap_or_default();
                if extra.len() == MAX_EXTRA || extra.contains(&name) {
                    return Ok(None);
                }
                extra.push(name);
                continue;
            }
            let bit = 1 << key as u32;
            if seen & bit != 0 {
                return Ok(None);
            }
            seen |= bit;
            let read = match key {
                Key::Id => string(value).map(|v| m.id = v),
                Key::Type => string(value).map(|v| m.type_ = v),
                Key::Typ => {
                    (value.as_str() == Some(MediaType::Plain.as_str())).then(|| has_typ = true)
                }
                Key::From => string(value).map(|v| m.from = Some(v)),
                Key::To => strings(value).map(|v| m.to = Some(v)),
                Key::Thid => string(value).map(|v| m.thid = Some(v)),
                Key::Pthid => string(value).map(|v| m.pthid = Some(v)),
                Key::CreatedTime => seconds(value).map(|v| m.created_time = Some(v)),
                Key::ExpiresTime => seconds(value).map(|v| m.expires_time = Some(v)),
                Key::FromPrior => string(value).map(|v| m.from_prior = Some(v)),
                Key::PleaseAck => strings(value).map(|v| m.please_ack = Some(v)),
                Key::Ack => strings(value).map(|v| m.ack = Some(v)),
                Key::Body => value.is_object().then_some(()),
                Key::Attachments | Key::Other => None,
            };
            if read.is_none() {
                return Ok(None);
            }
        }
        // Required headers present and not empty, a body to keep: otherwise `from_json`
        // adds the body or gives the error.
        let required = [Key::Id, Key::Type, Key::Body]
            .iter()
            .all(|k| seen & (1 << *k as u32) != 0);
        if !required || m.id.is_empty() || m.type_.is_empty() {
            return Ok(None);
        }
        Ok(Some((m, has_typ)))
    }
    // The top level is an object or not in wire form: any other value is `Ok(None)`, not an
    // invalid-type error, so that this reader builds no error text it would throw away (and
    // the wasm carries no code to build one). A sequence is left unread: the deserializer
    // then fails, which is `None` as well.
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<bool> {
        headers(text).map(|(_, typ)| typ)
    }

    #[test]
    fn reads_the_headers_of_wire_form() {
        let text = r#"{"id":"1","typ":"application/didcomm-plain+json","type":"t","from":"did:a:b",
            "to":["did:a:c"],"thid":"th","pthid":"p","created_time":1,"expires_time":2,
            "body":{"k":[1,{"x":null}]},"from_prior":"jwt","please_ack":["1"],"ack":["0"],"x":{"y":[]}}"#;
        let (m, typ) = headers(text).unwrap();
        assert!(typ);
        assert_eq!((m.id.as_str(), m.type_.as_str()), ("1", "t"));
        assert_eq!(m.from.as_deref(), Some("did:a:b"));
        assert_eq!(m.to, Some(vec!["did:a:c".to_owned()]));
        assert_eq!((m.created_time, m.expires_time), (Some(1), Some(2)));
        assert_eq!(m.from_prior.as_deref(), Some("jwt"));
        assert!(m.body.is_empty() && m.extra_headers.is_empty());
        assert_eq!(read(r#"{"id":"1","type":"t","body":{}}"#), Some(false));
        assert_eq!(
            read(r#"{"i\u0064":"1","type":"t","body":{},"\u0078":1,"y":1}"#),
            Some(false)
        );
    }

    #[test]
    fn leaves_every_other_text_to_from_json() {
        for text in [
            r#"{"id":"1","type":"t"}"#,
            r#"{"id":"1","type":"t","body":null}"#,
            r#"{"id":"1","type":"t","body":[]}"#,
            r#"{"id":"","type":"t","body":{}}"#,
            r#"{"id":1,"type":"t","body":{}}"#,
            r#"{"id":"1","type":"t","body":{},"from":null}"#,
            r#"{"id":"1","type":"t","body":{},"to":"did:a:b"}"#,
            r#"{"id":"1","type":"t","body":{},"created_time":1.0}"#,
            r#"{"id":"1","type":"t","body":{},"typ":"application/didcomm-plain+json;x"}"#,
            r#"{"id":"1","type":"t","body":{},"attachments":[]}"#,
            r#"{"id":"1","id":"2","type":"t","body":{}}"#,
            r#"{"id":"1","type":"t","body":{},"x":1,"\u0078":2}"#,
            r#"{"id":"1","type":"t","body":{}} x"#,
            r#"{"id":"1","type":"t","body":{"#,
            r#"["id"]"#,
            "",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}
