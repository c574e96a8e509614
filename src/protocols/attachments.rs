//! Attachments as protocols build them: inline base64 or JSON, or links with their hash,
//! each with optional descriptive fields; and the bytes of a base64 attachment.

use serde_json::Value;

use crate::error::{err, Result};
use crate::message::Attachment;

/// The optional descriptive fields of a new attachment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttachmentOptions {
    pub id: Option<String>,
    pub media_type: Option<String>,
    pub filename: Option<String>,
    pub description: Option<String>,
}

impl AttachmentOptions {
    fn apply(&self, mut attachment: Attachment) -> Attachment {
        attachment.id.clone_from(&self.id);
        attachment.media_type.clone_from(&self.media_type);
        attachment.filename.clone_from(&self.filename);
        attachment.description.clone_from(&self.description);
        attachment
    }
}

/// An attachment carrying `bytes` inline as (unpadded base64url) `data.base64`.
pub fn base64(bytes: &[u8], options: &AttachmentOptions) -> Attachment {
    options.apply(Attachment::from_bytes(bytes))
}

/// An attachment carrying `value` inline as `data.json`.
pub fn json(value: Value, options: &AttachmentOptions) -> Attachment {
    options.apply(Attachment::from_json(value))
}

/// An attachment pointing at `urls`, with `hash` (the content's multihash, which links
/// require). No URLs or an empty hash is [`crate::ErrorKind::IllegalArgument`].
pub fn links(urls: &[String], hash: &str, options: &AttachmentOptions) -> Result<Attachment> {
    if urls.is_empty() {
        return Err(err!(
            IllegalArgument,
            "a links attachment needs at least one URL"
        ));
    }
    if hash.is_empty() {
        return Err(err!(IllegalArgument, "a links attachment needs a 'hash'"));
    }
    let mut attachment = Attachment::default();
    attachment.data.links = Some(urls.to_vec());
    attachment.data.hash = Some(hash.to_owned());
    Ok(options.apply(attachment))
}

/// The decoded `data.base64` of `attachment` (url-safe or standard, padded or not). No
/// base64 data, or text that does not decode, is [`crate::ErrorKind::Malformed`].
pub fn bytes(attachment: &Attachment) -> Result<Vec<u8>> {
    attachment.base64_bytes()?.ok_or_else(|| {
        err!(
            Malformed,
            "attachment {} has no data.base64",
            attachment.id.as_deref().unwrap_or("(no id)")
        )
    })
}
