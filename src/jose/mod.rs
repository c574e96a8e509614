//! JOSE as DIDComm uses it: base64url, JWK, JWS, JWE, content encryption, the concat KDF
//! and AES key wrap.

pub mod b64;
pub mod enc;
pub mod jwe;
pub mod jwk;
pub mod jws;
pub mod kdf;
pub mod kw;

use serde_json::{Map, Value};

use crate::error::{err, Result};

/// A required string member `name` of `obj`; `what` names the object in errors.
pub(crate) fn str_field<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    what: &str,
) -> Result<&'a str> {
    match obj.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(err!(Malformed, "{what} '{name}' must be a string")),
        None => Err(err!(Malformed, "{what} has no '{name}'")),
    }
}
