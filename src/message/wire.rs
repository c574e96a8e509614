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
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

use super::{Message, KNOWN};
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

/// [`KNOWN`]'s members, in its order, as keys.
const KEYS: [Key; KNOWN.len()] = [
    Key::Id,
    Key::Typ,
    Key::Type,
    Key::From,
    Key::To,
    Key::Thid,
    Key::Pthid,
    Key::CreatedTime,
    Key::ExpiresTime,
    Key::Body,
    Key::Attachments,
    Key::FromPrior,
    Key::PleaseAck,
    Key::Ack,
];

impl Key {
    fn of(name: &str) -> Key {
        // A search of the names the message already lists: smaller in the wasm than a match.
        KNOWN
            .iter()
            .zip(KEYS)
            .find_map(|(known, key)| (*known == name).then_some(key))
            .unwrap_or(Key::Other)
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

/// Whether a known member is written as `from_json` would keep it: a string, an array of
/// strings (a lone string is normalized), an integer as written (`1.0` is normalized),
/// exactly the plaintext media type, an object; `attachments` never (`Attachment`
/// normalizes them).
fn in_form(key: Key, value: &Value) -> bool {
    match key {
        Key::Id | Key::Type | Key::From | Key::Thid | Key::Pthid | Key::FromPrior => {
            value.is_string()
        }
        Key::To | Key::PleaseAck | Key::Ack => value
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string)),
        Key::CreatedTime | Key::ExpiresTime => value.is_u64(),
        Key::Typ => value.as_str() == Some(MediaType::Plain.as_str()),
        Key::Body => value.is_object(),
        Key::Attachments | Key::Other => false,
    }
}

/// The strings of a value `in_form` passed as an array of strings.
fn strings(value: Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.into_iter().filter_map(string).collect(),
        _ => Vec::new(),
    }
}

fn string(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// Whether `obj`, a message parsed already, is in wire form (members checked as [`headers`]
/// checks them; a repeated member has been merged by the parse, as JS's `JSON.parse` merges
/// it), and whether it has `typ`.
pub(crate) fn object_in_wire_form(obj: &Map<String, Value>) -> Option<bool> {
    let mut required = 0;
    for (name, value) in obj {
        let key = Key::of(name);
        if key == Key::Other {
            continue;
        }
        if !in_form(key, value) {
            return None;
        }
        let non_empty = value.as_str().is_some_and(|s| !s.is_empty());
        required += usize::from(matches!(key, Key::Id | Key::Type) && non_empty);
        required += usize::from(key == Key::Body);
    }
    (required == 3).then(|| obj.contains_key("typ"))
}

/// `text`, a message in wire form, with `typ` in front when it has none.
pub(crate) fn with_typ(text: &str, has_typ: bool) -> Cow<'_, str> {
    if has_typ {
        return Cow::Borrowed(text);
    }
    // The text is an object, so its first character past any whitespace is the brace.
    let (head, rest) = text.split_at(text.find('{').map_or(0, |i| i + 1));
    let mut out = String::with_capacity(text.len() + 48);
    out.push_str(head);
    out.push_str("\"typ\":");
    crate::json::push_string(&mut out, MediaType::Plain.as_str());
    out.push(',');
    out.push_str(rest);
    Cow::Owned(out)
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
            if seen & bit != 0 || !in_form(key, &value) {
                return Ok(None);
            }
            seen |= bit;
            match key {
                Key::Id => m.id = string(value).unwrap_or_default(),
                Key::Type => m.type_ = string(value).unwrap_or_default(),
                Key::Typ => has_typ = true,
                Key::From => m.from = string(value),
                Key::To => m.to = Some(strings(value)),
                Key::Thid => m.thid = string(value),
                Key::Pthid => m.pthid = string(value),
                Key::CreatedTime => m.created_time = value.as_u64(),
                Key::ExpiresTime => m.expires_time = value.as_u64(),
                Key::FromPrior => m.from_prior = string(value),
                Key::PleaseAck => m.please_ack = Some(strings(value)),
                Key::Ack => m.ack = Some(strings(value)),
                Key::Body | Key::Attachments | Key::Other => {}
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
    fn passes_exactly_the_texts_a_value_parse_passes() {
        let deep = |n| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let bodies = [
            r#"{}"#.to_owned(),
            r#"{"a":[1,-2,3.5e10,true,null,"\u00e9\n"],"a":{}}"#.to_owned(),
            r#"{"n":1e400}"#.to_owned(),
            r#"{"n":-1e400}"#.to_owned(),
            r#"{"n":18446744073709551616}"#.to_owned(),
            r#"{"n":01}"#.to_owned(),
            r#"{"s":"\x"}"#.to_owned(),
            r#"{"s":"\ud800"}"#.to_owned(),
            "{\"s\":\"\u{1}\"}".to_owned(),
            r#"{"s":"a"#.to_owned(),
            r#"{1:2}"#.to_owned(),
            r#"{"a":1,}"#.to_owned(),
            r#"[]"#.to_owned(),
            r#""text""#.to_owned(),
            format!(r#"{{"d":{}}}"#, deep(120)),
            format!(r#"{{"d":{}}}"#, deep(140)),
        ];
        for body in &bodies {
            let text = format!(r#"{{"id":"1","type":"t","body":{body}}}"#);
            let value = serde_json::from_str::<Value>(&text);
            let object = value.ok().and_then(|v| v.get("body").cloned());
            assert_eq!(
                read(&text).is_some(),
                object.is_some_and(|b| b.is_object()),
                "{body}"
            );
            let extra = format!(r#"{{"id":"1","type":"t","body":{{}},"x":{body}}}"#);
            let parses = serde_json::from_str::<Value>(&extra).is_ok();
            assert_eq!(read(&extra).is_some(), parses, "x: {body}");
        }
    }

    #[test]
    fn keys_follow_known() {
        for (i, name) in KNOWN.iter().enumerate() {
            assert!(Key::of(name) == KEYS[i] && KEYS[..i].iter().all(|k| *k != KEYS[i]));
        }
        assert!(Key::of("Id") == Key::Other && Key::of("") == Key::Other);
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
