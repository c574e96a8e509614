//! The plaintext message (CHECKLIST §2): every standard header, unknown headers kept and
//! returned, attachments, and validation with errors that name the header.

mod attachment;
pub(crate) mod fields;
pub(crate) mod wire;

pub use attachment::{Attachment, AttachmentData};

use crate::json::push_string;
use serde_json::{Map, Value};

use crate::did;
use crate::error::{err, json_error, Result};
use crate::media_type::MediaType;
use attachment::unknown_members_of;
use fields::{put_opt, required_str, str_list_of, str_of, type_name, u64_of};

/// The headers `Message` has fields for; the rest are extra headers.
const KNOWN: [&str; 14] = [
    "id",
    "typ",
    "type",
    "from",
    "to",
    "thid",
    "pthid",
    "created_time",
    "expires_time",
    "body",
    "attachments",
    "from_prior",
    "please_ack",
    "ack",
];

/// A DIDComm plaintext message.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    pub id: String,
    /// The message type URI (`type` on the wire).
    pub type_: String,
    pub from: Option<String>,
    pub to: Option<Vec<String>>,
    pub thid: Option<String>,
    pub pthid: Option<String>,
    pub created_time: Option<u64>,
    pub expires_time: Option<u64>,
    /// Always emitted; an absent body reads as `{}` (v2.1 made it optional).
    pub body: Map<String, Value>,
    pub attachments: Vec<Attachment>,
    /// A JWT announcing a DID rotation.
    pub from_prior: Option<String>,
    pub please_ack: Option<Vec<String>>,
    pub ack: Option<Vec<String>>,
    /// Headers this library does not interpret, kept and re-emitted as they came.
    pub extra_headers: Map<String, Value>,
}

impl Message {
    /// A message with the required headers and a body.
    pub fn new(
        id: impl Into<String>,
        type_: impl Into<String>,
        body: Map<String, Value>,
    ) -> Message {
        Message {
            id: id.into(),
            type_: type_.into(),
            body,
            ..Default::default()
        }
    }

    /// The thread id: `thid`, which defaults to `id`.
    pub fn thread_id(&self) -> &str {
        self.thid.as_deref().unwrap_or(&self.id)
    }

    /// Reads a plaintext message from its JSON form.
    pub fn from_value(value: &Value) -> Result<Message> {
        match value {
            Value::Object(obj) => Message::from_object(obj.clone()),
            other => Err(err!(
                Malformed,
                "a plaintext message must be a JSON object, got {}",
                type_name(other)
            )),
        }
    }

    /// [`Message::from_value`] of an object it takes: the members move into the message.
    pub fn from_object(mut obj: Map<String, Value>) -> Result<Message> {
        let what = "message";
        let mut take = |name: &str| fields::take(&mut obj, name);
        if let Some(typ) = take("typ") {
            if !typ.as_str().is_some_and(|t| MediaType::Plain.matches(t)) {
                return Err(err!(
                    Malformed,
                    "message 'typ' must be {}, got {typ}",
                    MediaType::Plain.as_str()
                ));
            }
        }
        let body = match take("body") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(b)) => b,
            Some(other) => {
                return Err(err!(
                    Malformed,
                    "message 'body' must be an object, got {}",
                    type_name(&other)
                ))
            }
        };
        let attachments = match take("attachments") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    Attachment::from_value(a)
                        .map_err(|e| e.context(format_args!("message 'attachments[{i}]'")))
                })
                .collect::<Result<_>>()?,
            Some(other) => {
                return Err(err!(
                    Malformed,
                    "message 'attachments' must be an array, got {}",
                    type_name(&other)
                ))
            }
        };
        Ok(Message {
            id: required_str(take("id"), "id", what)?,
            type_: required_str(take("type"), "type", what)?,
            from: str_of(take("from"), "from", what)?,
            to: str_list_of(take("to"), "to", what)?,
            thid: str_of(take("thid"), "thid", what)?,
            pthid: str_of(take("pthid"), "pthid", what)?,
            created_time: u64_of(take("created_time").as_ref(), "created_time", what)?,
            expires_time: u64_of(take("expires_time").as_ref(), "expires_time", what)?,
            body,
            attachments,
            from_prior: str_of(take("from_prior"), "from_prior", what)?,
            please_ack: str_list_of(take("please_ack"), "please_ack", what)?,
            ack: str_list_of(take("ack"), "ack", what)?,
            // Taking a member leaves a null (BTreeMap::remove would link 2 KB of rebalancing).
            extra_headers: unknown_members_of(obj, &KNOWN),
        })
    }

    /// Parses a plaintext message from JSON text.
    pub fn from_json(json: &str) -> Result<Message> {
        // from_slice, as everywhere else: one copy of the JSON parser in the wasm.
        let value: Value = serde_json::from_slice(json.as_bytes())
            .map_err(|e| err!(Malformed, "message is not JSON: {}", json_error(&e)))?;
        Message::from_value(&value)
    }

    /// The wire form, with `typ` set to the plaintext media type.
    pub fn to_value(&self) -> Value {
        let mut obj = self.extra_headers.clone();
        obj.insert("id".into(), self.id.clone().into());
        obj.insert("typ".into(), MediaType::Plain.as_str().into());
        obj.insert("type".into(), self.type_.clone().into());
        put_opt(&mut obj, "from", self.from.clone());
        put_opt(&mut obj, "to", self.to.clone());
        put_opt(&mut obj, "thid", self.thid.clone());
        put_opt(&mut obj, "pthid", self.pthid.clone());
        put_opt(&mut obj, "created_time", self.created_time);
        put_opt(&mut obj, "expires_time", self.expires_time);
        obj.insert("body".into(), Value::Object(self.body.clone()));
        if !self.attachments.is_empty() {
            obj.insert(
                "attachments".into(),
                self.attachments.iter().map(Attachment::to_value).collect(),
            );
        }
        put_opt(&mut obj, "from_prior", self.from_prior.clone());
        put_opt(&mut obj, "please_ack", self.please_ack.clone());
        put_opt(&mut obj, "ack", self.ack.clone());
        Value::Object(obj)
    }

    /// The message's JSON text: byte for byte `to_value()`'s (members in key order, as
    /// serde_json's map keeps them), written straight from the fields, without first copying
    /// the body and the headers into a new map. Every pack and unpack makes this text once.
    pub fn to_json(&self) -> String {
        // The members in key order, so that a merge with the (sorted) headers needs no sort.
        fn opt_str(v: &Option<String>) -> Option<Member<'_>> {
            v.as_deref().map(Member::Str)
        }
        fn opt_list(v: &Option<Vec<String>>) -> Option<Member<'_>> {
            v.as_deref().map(Member::Strs)
        }
        let members = [
            ("ack", opt_list(&self.ack)),
            (
                "attachments",
                (!self.attachments.is_empty()).then_some(Member::Attachments(&self.attachments)),
            ),
            ("body", Some(Member::Object(&self.body))),
            ("created_time", self.created_time.map(Member::Int)),
            ("expires_time", self.expires_time.map(Member::Int)),
            ("from", opt_str(&self.from)),
            ("from_prior", opt_str(&self.from_prior)),
            ("id", Some(Member::Str(&self.id))),
            ("please_ack", opt_list(&self.please_ack)),
            ("pthid", opt_str(&self.pthid)),
            ("thid", opt_str(&self.thid)),
            ("to", opt_list(&self.to)),
            ("typ", Some(Member::Str(MediaType::Plain.as_str()))),
            ("type", Some(Member::Str(&self.type_))),
        ];
        let mut known = members
            .iter()
            .filter_map(|(name, m)| m.as_ref().map(|m| (*name, m)))
            .peekable();
        // A header named like a member that is present gives way to it, as in `to_value`.
        let present = |name: &str| members.iter().any(|(m, v)| *m == name && v.is_some());
        let mut headers = self
            .extra_headers
            .iter()
            .filter(|(name, _)| !present(name))
            .peekable();
        let mut out = String::with_capacity(256);
        out.push('{');
        let mut first = true;
        loop {
            let take_header = match (known.peek(), headers.peek()) {
                (Some((k, _)), Some((h, _))) => h.as_str() < *k,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (None, None) => break,
            };
            if !first {
                out.push(',');
            }
            first = false;
            if take_header {
                if let Some((name, value)) = headers.next() {
                    push_string(&mut out, name);
                    out.push(':');
                    push_json(&mut out, serde_json::to_string(value));
                }
            } else if let Some((name, member)) = known.next() {
                push_string(&mut out, name);
                out.push(':');
                member.write(&mut out);
            }
        }
        out.push('}');
        out
    }

    /// Checks what a sender must get right (CHECKLIST §2): non-empty `id` and `type`, `from`
    /// and `to` entries are DIDs without fragments, valid attachments.
    pub fn validate(&self) -> Result<()> {
        if self.id.is_empty() {
            return Err(err!(Malformed, "message 'id' must not be empty"));
        }
        if self.type_.is_empty() {
            return Err(err!(Malformed, "message 'type' must not be empty"));
        }
        if let Some(from) = &self.from {
            check_bare_did(from, "from", None)?;
        }
        for (i, to) in self.to.iter().flatten().enumerate() {
            check_bare_did(to, "to", Some(i))?;
        }
        for a in &self.attachments {
            a.validate()?;
        }
        Ok(())
    }
}

/// `header` (with its index in the list, if any: named only when there is an error).
fn check_bare_did(value: &str, header: &str, index: Option<usize>) -> Result<()> {
    let name = || match index {
        Some(i) => format!("{header}[{i}]"),
        None => header.to_owned(),
    };
    if !did::is_did(value) {
        return Err(err!(
            Malformed,
            "message '{}' must be a DID, got '{value}'",
            name()
        ));
    }
    if value.bytes().any(did::ends_did) {
        return Err(err!(
            Malformed,
            "message '{}' must be a DID without path, query or fragment, got '{value}'",
            name()
        ));
    }
    Ok(())
}

/// One member of a message's JSON text, borrowed from its field (`Message::to_json`).
enum Member<'a> {
    Str(&'a str),
    Strs(&'a [String]),
    Int(u64),
    Object(&'a Map<String, Value>),
    Attachments(&'a [Attachment]),
}

impl Member<'_> {
    fn write(&self, out: &mut String) {
        match self {
            Member::Str(v) => push_string(out, v),
            Member::Strs(list) => {
                out.push('[');
                for (k, v) in list.iter().enumerate() {
                    if k > 0 {
                        out.push(',');
                    }
                    push_string(out, v);
                }
                out.push(']');
            }
            Member::Int(v) => out.push_str(&v.to_string()),
            Member::Object(v) => push_json(out, serde_json::to_string(v)),
            Member::Attachments(list) => push_json(
                out,
                serde_json::to_string(&Value::Array(
                    list.iter().map(Attachment::to_value).collect(),
                )),
            ),
        }
    }
}

/// Appends a piece of JSON text. Serializing these values cannot fail (keys are strings).
fn push_json(out: &mut String, piece: serde_json::Result<String>) {
    out.push_str(&piece.unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_known_header_is_a_field_not_an_extra_one() {
        let mut obj = Map::new();
        for name in KNOWN {
            obj.insert(name.into(), Value::Null);
        }
        obj.insert("id".into(), "1".into());
        obj.insert("typ".into(), MediaType::Plain.as_str().into());
        obj.insert("type".into(), "t".into());
        obj.insert("custom".into(), 5.into());
        let m = Message::from_object(obj).unwrap();
        assert_eq!(m.extra_headers.keys().collect::<Vec<_>>(), ["custom"]);
    }

    #[test]
    fn keeps_unknown_headers_and_emits_typ_and_body() {
        let value = json!({"id": "1", "type": "t", "return_route": "all", "custom": {"a": 1}});
        let m = Message::from_value(&value).unwrap();
        assert_eq!(m.extra_headers.get("return_route"), Some(&json!("all")));
        let out = m.to_value();
        assert_eq!(out["custom"], json!({"a": 1}));
        assert_eq!(out["typ"], json!("application/didcomm-plain+json"));
        assert_eq!(out["body"], json!({}));
        assert_eq!(Message::from_value(&out).unwrap(), m);
    }

    #[test]
    fn json_text_is_to_values_byte_for_byte() {
        let full = json!({
            "id": "1", "type": "t", "from": "did:example:a", "to": ["did:example:b", "did:example:c"],
            "thid": "th", "pthid": "pth", "created_time": 1516269022, "expires_time": 1516385931,
            "body": {"z": [1, 2.5, null], "a": {"nested": "\"q\"\n\u{1}é"}},
            "attachments": [{"id": "x", "data": {"json": {"k": true}}}, {"data": {"links": ["l"], "hash": "h"}}],
            "from_prior": "jwt", "please_ack": ["1"], "ack": ["0"],
            // Headers that sort before, between and after the members, a null one, odd keys.
            "a": 1, "body_extra": false, "created": "c", "fromx": null, "thid_": [], "typ_": {},
            "zzz": "last", "é": "unicode", "q\"uote": 0, "": "empty", "Z": "upper"
        });
        let minimal = json!({"id": "2", "type": "t"});
        for value in [
            full,
            minimal,
            json!({"id": "3", "type": "t", "to": "did:example:b", "body": null}),
        ] {
            let m = Message::from_value(&value).unwrap();
            assert_eq!(m.to_json(), serde_json::to_string(&m.to_value()).unwrap());
        }
        // Every character serde_json escapes, in members and in header names.
        let odd: String = (0u8..0x20)
            .map(char::from)
            .chain("\"\\/\u{7f}é😀x".chars())
            .collect();
        let mut m =
            Message::from_value(&json!({"id": odd, "type": "t", "thid": odd, "to": [odd, "b"]}))
                .unwrap();
        m.extra_headers.insert(odd.clone(), json!(odd));
        assert_eq!(m.to_json(), serde_json::to_string(&m.to_value()).unwrap());
        // A header named like an absent member stays; like a present one, the member wins.
        let mut m =
            Message::from_value(&json!({"id": "4", "type": "t", "from": "did:example:a"})).unwrap();
        m.extra_headers
            .insert("thid".into(), json!("from a header"));
        m.extra_headers.insert("from".into(), json!("shadowed"));
        m.extra_headers.insert("typ".into(), json!("shadowed"));
        assert_eq!(m.to_json(), serde_json::to_string(&m.to_value()).unwrap());
        assert!(m.to_json().contains(r#""thid":"from a header""#));
        assert!(!m.to_json().contains("shadowed"));
    }

    #[test]
    fn errors_name_the_header() {
        let cases = [
            (json!({"type": "t"}), "'id'"),
            (json!({"id": "1"}), "'type'"),
            (json!({"id": 1, "type": "t"}), "'id' must be a string"),
            (
                json!({"id": "1", "type": "t", "created_time": "now"}),
                "'created_time'",
            ),
            (json!({"id": "1", "type": "t", "to": [1]}), "'to[0]'"),
            (
                json!({"id": "1", "type": "t", "typ": "application/json"}),
                "'typ'",
            ),
            (json!({"id": "1", "type": "t", "body": []}), "'body'"),
            (
                json!({"id": "1", "type": "t", "attachments": [{"data": {}}]}),
                "attachments[0]",
            ),
            (
                json!({"id": "1", "type": "t", "attachments": [{"data": {"links": ["x"]}}]}),
                "no hash",
            ),
        ];
        for (value, needle) in cases {
            let e = Message::from_value(&value).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Malformed);
            assert!(
                e.message().contains(needle),
                "{} lacks {needle}",
                e.message()
            );
        }
    }

    #[test]
    fn attachments_round_trip_in_every_form() {
        let value = json!({"id": "1", "type": "t", "attachments": [
            {"id": "a", "media_type": "text/plain", "data": {"base64": "aGVsbG8"}},
            {"id": "b", "data": {"json": {"k": [1, 2]}}},
            {"id": "c", "data": {"links": ["https://x/y"], "hash": "zQm..."}},
            {"id": "d", "data": {"base64": "aGVsbG8=", "jws": {"protected": "e30", "signature": "AA"}}},
        ]});
        let m = Message::from_value(&value).unwrap();
        assert_eq!(m.attachments[0].base64_bytes().unwrap().unwrap(), b"hello");
        assert_eq!(m.attachments[3].base64_bytes().unwrap().unwrap(), b"hello");
        assert_eq!(Message::from_value(&m.to_value()).unwrap(), m);
    }

    #[test]
    fn validate_wants_bare_dids() {
        let mut m = Message::new("1", "t", Map::new());
        m.from = Some("did:example:alice#key-1".into());
        assert!(m.validate().unwrap_err().message().contains("'from'"));
        m.from = Some("did:example:alice".into());
        m.to = Some(vec!["bob".into()]);
        assert!(m.validate().unwrap_err().message().contains("'to[0]'"));
    }
}
