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

/// How each of [`KNOWN`]'s members (in its order) is written in wire form.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    /// A string.
    Str,
    /// An array of strings (a lone string is normalized by `from_json`).
    Strs,
    /// An integer as written (`1.0` is normalized by `from_json`).
    Seconds,
    /// Exactly the plaintext media type.
    Typ,
    /// An object: the body, checked and not kept.
    Object,
    /// `attachments`, which `Attachment` normalizes.
    Never,
}

/// `body`'s index in [`KNOWN`].
const BODY: usize = 9;

const FORMS: [Form; KNOWN.len()] = {
    use Form::*;
    // id typ type from to thid pthid created_time expires_time body attachments from_prior
    // please_ack ack
    [
        Str, Typ, Str, Str, Strs, Str, Str, Seconds, Seconds, Object, Never, Str, Strs, Strs,
    ]
};

fn in_form(form: Form, value: &Value) -> bool {
    let is_str = |v: &Value| v.is_string();
    match form {
        Form::Str => is_str(value),
        Form::Strs => value
            .as_array()
            .is_some_and(|items| items.iter().all(is_str)),
        Form::Seconds => value.is_u64(),
        Form::Typ => value.as_str() == Some(MediaType::Plain.as_str()),
        Form::Object => value.is_object(),
        Form::Never => false,
    }
}

/// A member name: its index in [`KNOWN`], or the name itself for an extra header (to find
/// repeats).
enum Name<'de> {
    Known(usize),
    Extra(Cow<'de, str>),
}

fn known(name: &str) -> Option<usize> {
    KNOWN.iter().position(|k| *k == name)
}

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
        Ok(known(name).map_or(Name::Extra(Cow::Borrowed(name)), Name::Known))
    }
    // A name with escapes in it: unescaped into a buffer that does not outlive the call.
    fn visit_str<E>(self, name: &str) -> Result<Name<'de>, E> {
        Ok(known(name).map_or_else(|| Name::Extra(Cow::Owned(name.to_owned())), Name::Known))
    }
}

/// The top level is a JSON object or not in wire form: any other value is `Ok(None)`, not an
/// invalid-type error, so that this reader builds no error text it would throw away (and
/// the wasm carries no code to build one).
macro_rules! other_values_are_none {
    () => {
        // Left unread: the deserializer then fails, which is `None` as well.
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
    };
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
        let mut headers = Map::new();
        let mut seen = 0u32;
        let mut extra: Vec<Cow<'de, str>> = Vec::new();
        while let Some(name) = map.next_key_seed(NameSeed)? {
            // Every value is parsed as `from_json` parses it, so that both take the same
            // texts (a skipping parse would take numbers out of range, for one).
            let value: Value = map.next_value()?;
            match name {
                Name::Extra(name) => {
                    if extra.len() == MAX_EXTRA || extra.contains(&name) {
                        return Ok(None);
                    }
                    extra.push(name);
                }
                Name::Known(i) => {
                    let (Some(name), Some(form)) = (KNOWN.get(i), FORMS.get(i)) else {
                        return Ok(None);
                    };
                    if seen & (1 << i) != 0 || !in_form(*form, &value) {
                        return Ok(None);
                    }
                    seen |= 1 << i;
                    if *form != Form::Object {
                        headers.insert((*name).to_owned(), value);
                    }
                }
            }
        }
        // A body to keep: otherwise `from_json` adds one. Required headers (present, not
        // empty) are `from_object`'s to check; where they fail, `from_json` says why.
        if seen & (1 << BODY) == 0 {
            return Ok(None);
        }
        let has_typ = headers.contains_key("typ");
        Ok(Message::from_object(headers).ok().map(|m| (m, has_typ)))
    }
    other_values_are_none!();
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
    fn the_forms_follow_known() {
        assert_eq!(KNOWN[BODY], "body");
        assert!(FORMS[BODY] == Form::Object);
        assert!(KNOWN
            .iter()
            .zip(FORMS)
            .all(|(k, f)| (*k == "attachments") == (f == Form::Never)));
        assert!(KNOWN
            .iter()
            .zip(FORMS)
            .all(|(k, f)| (*k == "typ") == (f == Form::Typ)));
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
