//! Bounds on what unpacking accepts from the other side, so that no input can make a call do
//! unbounded work or hold unbounded memory. Each bound fails with
//! [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded), naming the limit.

use serde_json::Value;

use crate::error::{err, Error, Result};

/// The bounds a [`DidComm`](crate::DidComm) enforces; [`Limits::default`] gives the
/// documented defaults. Every field must be at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of a packed message given to unpack (10 MiB).
    pub max_packed_bytes: usize,
    /// Nesting of JSON arrays and objects in a packed message, each payload inside it and a
    /// resolved DID document (64; the parser's own bound, 128, is the most it can be).
    pub max_json_depth: usize,
    /// Recipients of one JWE, and signatures of one JWS (256): each costs a key agreement
    /// or a verification, and perhaps a DID resolution.
    pub max_recipients: usize,
    /// Attachments of one plaintext message (256).
    pub max_attachments: usize,
    /// Forwards addressed to ourselves inside one another that one unpack opens (8).
    pub max_forward_nesting: usize,
    /// Bytes of a DID document as the DID resolver returns it, as JSON (256 KiB).
    pub max_did_document_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_packed_bytes: 10 * 1024 * 1024,
            max_json_depth: 64,
            max_recipients: 256,
            max_attachments: 256,
            max_forward_nesting: 8,
            max_did_document_bytes: 256 * 1024,
        }
    }
}

/// serde_json refuses deeper input itself (its recursion limit), so a larger depth limit
/// could never take effect.
pub const MAX_JSON_DEPTH: usize = 128;

impl Limits {
    /// The limits' names as the JS options spell them, with each field, for reading and
    /// writing them in one place.
    pub const NAMES: [&'static str; 6] = [
        "maxPackedBytes",
        "maxJsonDepth",
        "maxRecipients",
        "maxAttachments",
        "maxForwardNesting",
        "maxDidDocumentBytes",
    ];

    /// The fields in the order of [`Limits::NAMES`].
    fn fields_mut(&mut self) -> [&mut usize; 6] {
        [
            &mut self.max_packed_bytes,
            &mut self.max_json_depth,
            &mut self.max_recipients,
            &mut self.max_attachments,
            &mut self.max_forward_nesting,
            &mut self.max_did_document_bytes,
        ]
    }

    /// The values in the order of [`Limits::NAMES`].
    pub fn values(&self) -> [usize; 6] {
        let mut copy = *self;
        copy.fields_mut().map(|v| *v)
    }

    /// The field of `name` (one of [`Limits::NAMES`]).
    pub fn field_mut(&mut self, name: &str) -> Option<&mut usize> {
        let at = Limits::NAMES.iter().position(|n| *n == name)?;
        self.fields_mut().into_iter().nth(at)
    }

    /// `IllegalArgument` unless every limit is at least 1 and the depth at most
    /// [`MAX_JSON_DEPTH`].
    pub fn check(&self) -> Result<()> {
        for (name, value) in Limits::NAMES.iter().zip(self.values()) {
            if value == 0 {
                return Err(err!(IllegalArgument, "limits.{name} must be at least 1"));
            }
        }
        if self.max_json_depth > MAX_JSON_DEPTH {
            return Err(err!(
                IllegalArgument,
                "limits.maxJsonDepth can be at most {MAX_JSON_DEPTH} (the JSON parser's own bound), got {}",
                self.max_json_depth
            ));
        }
        Ok(())
    }

    /// `what` of `count` items (bytes, recipients, ...) against the limit `name`.
    pub(crate) fn bound(what: &str, count: usize, limit: usize, name: &str) -> Result<()> {
        if count > limit {
            return Err(over(what, count, limit, name));
        }
        Ok(())
    }

    /// Parses `bytes` as JSON no deeper than `max_json_depth`: `Malformed` when it is not
    /// JSON, `LimitExceeded` when it nests too deeply.
    pub(crate) fn parse_json(&self, bytes: &[u8], what: &str) -> Result<Value> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => {
                self.check_depth(&value, what)?;
                Ok(value)
            }
            // Past the parser's own bound the error is a syntax error; say what it was.
            Err(_) if nesting(bytes) > self.max_json_depth => Err(self.too_deep(what)),
            Err(e) => Err(err!(
                Malformed,
                "{what} is not JSON: {}",
                crate::error::json_error(&e)
            )),
        }
    }

    /// `LimitExceeded` when `value` nests arrays and objects deeper than `max_json_depth`.
    pub(crate) fn check_depth(&self, value: &Value, what: &str) -> Result<()> {
        // Recursion is bounded: parsed values are at most MAX_JSON_DEPTH deep.
        fn deeper(value: &Value, room: usize) -> bool {
            match value {
                Value::Array(items) => room == 0 || items.iter().any(|v| deeper(v, room - 1)),
                Value::Object(members) => {
                    // iter(), not values(): the map's one iterator already in the wasm.
                    room == 0 || members.iter().any(|(_, v)| deeper(v, room - 1))
                }
                _ => false,
            }
        }
        match deeper(value, self.max_json_depth) {
            true => Err(self.too_deep(what)),
            false => Ok(()),
        }
    }

    fn too_deep(&self, what: &str) -> Error {
        err!(
            LimitExceeded,
            "{what} nests arrays and objects more than {} deep (limits.maxJsonDepth)",
            self.max_json_depth
        )
    }
}

#[cold]
fn over(what: &str, count: usize, limit: usize, name: &str) -> Error {
    err!(
        LimitExceeded,
        "{what}: {count}, over the limit of {limit} (limits.{name})"
    )
}

/// The deepest nesting of `[` and `{` outside strings in JSON text (for the error only: it
/// reads text the parser refused).
fn nesting(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn nested(depth: usize) -> String {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn depth_at_the_limit_parses_one_more_is_refused() {
        let limits = Limits {
            max_json_depth: 5,
            ..Limits::default()
        };
        assert!(limits.parse_json(nested(5).as_bytes(), "x").is_ok());
        let e = limits.parse_json(nested(6).as_bytes(), "x").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert!(e.message().contains("limits.maxJsonDepth"), "{e}");
        // Objects count as arrays do; brackets inside strings do not count.
        let obj = r#"{"a":{"b":{"c":{"d":{"e":"[[[[[[[["}}}}}"#;
        assert!(limits.parse_json(obj.as_bytes(), "x").is_ok());
        let obj = r#"{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}"#;
        let e = limits.parse_json(obj.as_bytes(), "x").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    }

    #[test]
    fn past_the_parsers_own_bound_is_still_a_limit_error() {
        let limits = Limits::default();
        let e = limits
            .parse_json(nested(100_000).as_bytes(), "packed message")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
        // Text that is not JSON stays malformed, however it nests.
        let e = limits.parse_json(b"[[[1]] x", "x").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed);
    }

    #[test]
    fn nesting_skips_strings_and_escapes() {
        assert_eq!(nesting(br#"["\"[[[", {"a": [1]}]"#), 3);
        assert_eq!(nesting(b"]]]["), 1);
        assert_eq!(nesting(b""), 0);
    }

    #[test]
    fn every_limit_must_be_positive_and_the_depth_within_the_parser() {
        assert!(Limits::default().check().is_ok());
        for name in Limits::NAMES {
            let mut limits = Limits::default();
            *limits.field_mut(name).unwrap() = 0;
            let e = limits.check().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::IllegalArgument);
            assert!(e.message().contains(name), "{e}");
        }
        let limits = Limits {
            max_json_depth: MAX_JSON_DEPTH + 1,
            ..Limits::default()
        };
        assert_eq!(
            limits.check().unwrap_err().kind(),
            ErrorKind::IllegalArgument
        );
        assert!(Limits::default().field_mut("maxOther").is_none());
    }
}
