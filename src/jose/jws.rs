//! JWS in JSON serialization (RFC 7515 §7.2): read General and Flattened, write General;
//! and the compact serialization (§7.1) of a JWT such as `from_prior`.
//! Resolving whose key signed is the unpack pipeline's job; this module handles the format
//! and the signature check against a given key.

use serde_json::{Map, Value};

use crate::crypto::{backend, PublicKey, SecretKey, SignAlg};
use crate::error::{err, Result};
use crate::jose::{b64, str_field};
use crate::json::push_string;
use crate::media_type::MediaType;
use crate::message::fields::object;

/// One parsed signature of a JWS.
#[derive(Debug, Clone)]
pub struct JwsSignature {
    /// The `protected` member exactly as sent (it is part of the signing input).
    pub protected: String,
    pub alg: SignAlg,
    /// From the unprotected `header`, else from the protected header.
    pub kid: String,
    pub signature: Vec<u8>,
}

/// A parsed JWS.
#[derive(Debug, Clone)]
pub struct Jws {
    /// The `payload` member exactly as sent.
    pub payload: String,
    pub signatures: Vec<JwsSignature>,
}

impl Jws {
    /// Reads General (`signatures`) or Flattened (`protected`/`header`/`signature` at top
    /// level) JSON serialization.
    pub fn parse(value: &Value) -> Result<Jws> {
        let obj = value
            .as_object()
            .ok_or_else(|| err!(Malformed, "a JWS must be a JSON object"))?;
        let payload = str_field(obj, "payload", "JWS")?.to_owned();
        let signatures = match obj.get("signatures") {
            Some(Value::Array(list)) if !list.is_empty() => list
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let s = s
                        .as_object()
                        .ok_or_else(|| err!(Malformed, "JWS signatures[{i}] must be an object"))?;
                    parse_signature(s, MediaType::Signed.as_str())
                        .map_err(|e| e.context(format_args!("JWS signatures[{i}]")))
                })
                .collect::<Result<Vec<_>>>()?,
            Some(Value::Array(_)) => {
                return Err(err!(Malformed, "JWS has an empty 'signatures' array"))
            }
            Some(_) => return Err(err!(Malformed, "JWS 'signatures' must be an array")),
            None => vec![parse_signature(obj, MediaType::Signed.as_str())?],
        };
        Ok(Jws {
            payload,
            signatures,
        })
    }

    /// Reads a JWT: the compact serialization (RFC 7515 §7.1), exactly three parts, with
    /// `alg` and `kid` in the protected header and `typ`, when present, "JWT".
    pub fn parse_jwt(text: &str) -> Result<Jws> {
        let mut parts = text.split('.');
        let (Some(protected), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err!(
                Malformed,
                "a JWT must be three base64url parts separated by '.'"
            ));
        };
        let mut obj = Map::new();
        obj.insert("protected".into(), protected.into());
        obj.insert("signature".into(), signature.into());
        Ok(Jws {
            payload: payload.to_owned(),
            signatures: vec![parse_signature(&obj, "JWT")?],
        })
    }

    /// The decoded payload.
    pub fn payload_bytes(&self) -> Result<Vec<u8>> {
        b64::decode(&self.payload, "JWS payload")
    }

    /// Checks one signature against `key` over `protected.payload`.
    pub async fn verify(&self, signature: &JwsSignature, key: &PublicKey) -> Result<()> {
        let input = format!("{}.{}", signature.protected, self.payload);
        backend::verify(key, signature.alg, input.as_bytes(), &signature.signature)
            .await
            .map_err(|e| e.context(format_args!("signature by {}", signature.kid)))
    }
}

/// Signs `payload` in General JSON serialization with `typ` didcomm-signed+json and the
/// `kid` in the per-signature unprotected header, as the spec's vectors do.
pub async fn sign(payload: &[u8], kid: &str, key: &SecretKey) -> Result<(SignAlg, String)> {
    let (alg, protected, payload, signature) =
        sign_parts(payload, MediaType::Signed.as_str(), None, kid, key).await?;
    Ok((alg, general_json(&payload, kid, &protected, &signature)))
}

/// The General JSON serialization of one signature, written as serde_json writes the same
/// object (members in key order, compact): the payload is copied once, not scanned.
fn general_json(payload: &str, kid: &str, protected: &str, signature: &str) -> String {
    let mut out = String::with_capacity(payload.len() + protected.len() + kid.len() + 160);
    out.push_str(r#"{"payload":""#);
    out.push_str(payload);
    out.push_str(r#"","signatures":[{"header":{"kid":"#);
    push_string(&mut out, kid);
    out.push_str(r#"},"protected":""#);
    out.push_str(protected);
    out.push_str(r#"","signature":""#);
    out.push_str(signature);
    out.push_str(r#""}]}"#);
    out
}

/// Signs `payload` as a JWT: compact serialization, protected header `{alg, kid, typ: JWT}`.
pub async fn sign_jwt(payload: &[u8], kid: &str, key: &SecretKey) -> Result<String> {
    let (_, protected, payload, signature) =
        sign_parts(payload, "JWT", Some(kid), kid, key).await?;
    Ok(format!("{protected}.{payload}.{signature}"))
}

/// The base64url protected header (`typ`, `alg`, and `protected_kid` when given), payload
/// and signature.
async fn sign_parts(
    payload: &[u8],
    typ: &str,
    protected_kid: Option<&str>,
    kid: &str,
    key: &SecretKey,
) -> Result<(SignAlg, String, String, String)> {
    let alg = SignAlg::for_curve(key.curve()).ok_or_else(|| {
        err!(
            Unsupported,
            "no JWS algorithm signs with {} keys ({kid})",
            key.curve()
        )
    })?;
    let protected = b64::encode(
        object([
            ("typ", typ.into()),
            ("alg", alg.name().into()),
            ("kid", protected_kid.into()),
        ])
        .to_string(),
    );
    let payload = b64::encode(payload);
    let (_, signature) = backend::sign(key, format!("{protected}.{payload}").as_bytes()).await?;
    Ok((alg, protected, payload, b64::encode(signature)))
}

/// One signature; a `typ` in the protected header must be `typ` (a DIDComm media type
/// matches with or without `application/`).
fn parse_signature(obj: &Map<String, Value>, typ: &str) -> Result<JwsSignature> {
    let protected = str_field(obj, "protected", "JWS signature")?;
    let header: Value = serde_json::from_slice(&b64::decode(protected, "JWS protected header")?)
        .map_err(|_| err!(Malformed, "JWS protected header is not JSON"))?;
    let header = header
        .as_object()
        .ok_or_else(|| err!(Malformed, "JWS protected header must be a JSON object"))?;
    if let Some(got) = header.get("typ") {
        if !got
            .as_str()
            .is_some_and(|t| t == typ || Some(t) == typ.strip_prefix("application/"))
        {
            return Err(err!(Malformed, "JWS typ must be {typ}, got {got}"));
        }
    }
    let alg_name = str_field(header, "alg", "JWS protected header")?;
    let alg = SignAlg::from_name(alg_name)
        .ok_or_else(|| err!(Unsupported, "JWS alg '{alg_name}' is not supported"))?;
    let unprotected = match obj.get("header") {
        Some(Value::Object(h)) => Some(h),
        Some(_) => return Err(err!(Malformed, "JWS 'header' must be an object")),
        None => None,
    };
    // RFC 7515 §7.2.1: the two headers must not disagree; an unsigned member must never
    // override a signed one. Identical duplicates are tolerated.
    for (name, value) in unprotected.into_iter().flatten() {
        if header.get(name).is_some_and(|signed| signed != value) {
            return Err(err!(
                Malformed,
                "JWS '{name}' differs between the protected and unprotected headers"
            ));
        }
    }
    let kid = match unprotected {
        Some(h) if h.contains_key("kid") => str_field(h, "kid", "JWS header")?,
        _ => str_field(header, "kid", "JWS protected header")
            .map_err(|_| err!(Malformed, "JWS signature has no 'kid'"))?,
    };
    let signature = b64::decode(
        str_field(obj, "signature", "JWS signature")?,
        "JWS signature",
    )?;
    Ok(JwsSignature {
        protected: protected.to_owned(),
        alg,
        kid: kid.to_owned(),
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The JWS text is what serde_json writes for the same object, any kid escaped alike.
        #[test]
        fn general_json_is_serde_jsons_text(
            kid in "[a-z#:\"\\\\\u{0}-\u{1f}\u{7f}é]{0,8}",
            parts in proptest::collection::vec("[A-Za-z0-9_-]{0,20}", 3),
        ) {
            let signature = object([
                ("protected", parts[1].clone().into()),
                ("signature", parts[2].clone().into()),
                ("header", object([("kid", kid.clone().into())])),
            ]);
            let reference = object([
                ("payload", parts[0].clone().into()),
                ("signatures", Value::Array(vec![signature])),
            ]);
            prop_assert_eq!(general_json(&parts[0], &kid, &parts[1], &parts[2]), reference.to_string());
        }
    }
}
