//! Message attachments (CHECKLIST §3): inline base64 or JSON, links with a hash, and an
//! optional detached JWS over the data.

use serde_json::{Map, Value};

use crate::error::{err, Result};
use crate::jose::b64;
use crate::message::fields::{opt_str, opt_str_list, opt_u64, put_opt, type_name};

const KNOWN: [&str; 8] = [
    "id",
    "description",
    "filename",
    "media_type",
    "format",
    "lastmod_time",
    "byte_count",
    "data",
];
const DATA_KNOWN: [&str; 5] = ["base64", "json", "links", "hash", "jws"];

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attachment {
    pub id: Option<String>,
    pub description: Option<String>,
    pub filename: Option<String>,
    pub media_type: Option<String>,
    pub format: Option<String>,
    pub lastmod_time: Option<u64>,
    pub byte_count: Option<u64>,
    pub data: AttachmentData,
    /// Members this library does not know, kept as they came.
    pub extra: Map<String, Value>,
}

/// The `data` of an attachment: at least one of `base64`, `json`, `links` (with `hash`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttachmentData {
    pub base64: Option<String>,
    pub json: Option<Value>,
    pub links: Option<Vec<String>>,
    /// Multihash of the content; required with `links`.
    pub hash: Option<String>,
    /// A detached JWS over the content.
    pub jws: Option<Value>,
    pub extra: Map<String, Value>,
}

impl Attachment {
    /// An inline binary attachment.
    pub fn from_bytes(bytes: &[u8]) -> Attachment {
        Attachment {
            data: AttachmentData {
                base64: Some(b64::encode(bytes)),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// An inline JSON attachment.
    pub fn from_json(json: Value) -> Attachment {
        Attachment {
            data: AttachmentData {
                json: Some(json),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// The bytes of a `base64` attachment (url-safe or standard, padded or not).
    pub fn base64_bytes(&self) -> Result<Option<Vec<u8>>> {
        self.data
            .base64
            .as_deref()
            .map(|text| b64::decode(text, "attachment data.base64"))
            .transpose()
    }

    pub fn from_value(value: &Value) -> Result<Attachment> {
        let obj = value.as_object().ok_or_else(|| {
            err!(
                Malformed,
                "an attachment must be an object, got {}",
                type_name(value)
            )
        })?;
        let what = "attachment";
        let data = match obj.get("data") {
            Some(Value::Object(d)) => AttachmentData::from_object(d)?,
            Some(other) => {
                return Err(err!(
                    Malformed,
                    "attachment 'data' must be an object, got {}",
                    type_name(other)
                ))
            }
            None => return Err(err!(Malformed, "attachment has no 'data'")),
        };
        let attachment = Attachment {
            id: opt_str(obj, "id", what)?,
            description: opt_str(obj, "description", what)?,
            filename: opt_str(obj, "filename", what)?,
            media_type: opt_str(obj, "media_type", what)?,
            format: opt_str(obj, "format", what)?,
            lastmod_time: opt_u64(obj, "lastmod_time", what)?,
            byte_count: opt_u64(obj, "byte_count", what)?,
            data,
            extra: unknown_members(obj, &KNOWN),
        };
        attachment.validate()?;
        Ok(attachment)
    }

    /// Checks the `data` rules: something to carry, a hash with links, decodable base64.
    pub fn validate(&self) -> Result<()> {
        let d = &self.data;
        if d.base64.is_none() && d.json.is_none() && d.links.is_none() {
            return Err(err!(
                Malformed,
                "attachment {} data has none of base64, json, links",
                self.label()
            ));
        }
        if d.links.is_some() && d.hash.is_none() {
            return Err(err!(
                Malformed,
                "attachment {} has links but no hash",
                self.label()
            ));
        }
        self.base64_bytes()
            .map_err(|e| e.context(format_args!("attachment {}", self.label())))?;
        if let Some(jws) = &d.jws {
            if !jws.is_object() {
                return Err(err!(
                    Malformed,
                    "attachment {} data.jws must be a JWS object",
                    self.label()
                ));
            }
        }
        Ok(())
    }

    pub fn to_value(&self) -> Value {
        let mut obj = self.extra.clone();
        put_opt(&mut obj, "id", self.id.clone());
        put_opt(&mut obj, "description", self.description.clone());
        put_opt(&mut obj, "filename", self.filename.clone());
        put_opt(&mut obj, "media_type", self.media_type.clone());
        put_opt(&mut obj, "format", self.format.clone());
        put_opt(&mut obj, "lastmod_time", self.lastmod_time);
        put_opt(&mut obj, "byte_count", self.byte_count);
        let d = &self.data;
        let mut data = d.extra.clone();
        put_opt(&mut data, "base64", d.base64.clone());
        put_opt(&mut data, "json", d.json.clone());
        put_opt(&mut data, "links", d.links.clone());
        put_opt(&mut data, "hash", d.hash.clone());
        put_opt(&mut data, "jws", d.jws.clone());
        obj.insert("data".into(), Value::Object(data));
        Value::Object(obj)
    }

    fn label(&self) -> String {
        self.id
            .as_deref()
            .map_or_else(|| "(no id)".to_owned(), |id| format!("'{id}'"))
    }
}

impl AttachmentData {
    fn from_object(d: &Map<String, Value>) -> Result<AttachmentData> {
        let what = "attachment data";
        Ok(AttachmentData {
            base64: opt_str(d, "base64", what)?,
            json: d.get("json").cloned(),
            links: opt_str_list(d, "links", what)?,
            hash: opt_str(d, "hash", what)?,
            jws: d.get("jws").cloned(),
            extra: unknown_members(d, &DATA_KNOWN),
        })
    }
}

/// [`unknown_members`] of an object it takes: the members move.
pub(crate) fn unknown_members_of(obj: Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in obj {
        if !known.contains(&k.as_str()) {
            out.insert(k, v);
        }
    }
    out
}

pub(crate) fn unknown_members(obj: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    // Inserts, not `collect()`: collecting into a map links a sort and bulk-build code of
    // its own, and the keys come sorted and unique anyway.
    let mut out = Map::new();
    for (k, v) in obj {
        if !known.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}
