//! JWS in JSON serialization (RFC 7515 §7.2): read General and Flattened, write General.
//! Resolving whose key signed is the unpack pipeline's job; this module handles the format
//! and the signature check against a given key.

use serde_json::{Map, Value};

use crate::crypto::{sign, PublicKey, SecretKey, SignAlg};
use crate::error::{err, Result};
use crate::jose::{b64, str_field};
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
                    parse_signature(s).map_err(|e| e.context(format_args!("JWS signatures[{i}]")))
                })
                .collect::<Result<Vec<_>>>()?,
            Some(Value::Array(_)) => {
                return Err(err!(Malformed, "JWS has an empty 'signatures' array"))
            }
            Some(_) => return Err(err!(Malformed, "JWS 'signatures' must be an array")),
            None => vec![parse_signature(obj)?],
        };
        Ok(Jws {
            payload,
            signatures,
        })
    }

    /// The decoded payload.
    pub fn payload_bytes(&self) -> Result<Vec<u8>> {
        b64::decode(&self.payload, "JWS payload")
    }

    /// Checks one signature against `key` over `protected.payload`.
    pub fn verify(&self, signature: &JwsSignature, key: &PublicKey) -> Result<()> {
        let input = format!("{}.{}", signature.protected, self.payload);
        sign::verify(key, signature.alg, input.as_bytes(), &signature.signature)
            .map_err(|e| e.context(format_args!("signature by {}", signature.kid)))
    }
}

/// Signs `payload` in General JSON serialization with `typ` didcomm-signed+json and the
/// `kid` in the per-signature unprotected header, as the spec's vectors do.
pub fn sign(payload: &[u8], kid: &str, key: &SecretKey) -> Result<(SignAlg, String)> {
    let alg = SignAlg::for_curve(key.curve()).ok_or_else(|| {
        err!(
            Unsupported,
            "no JWS algorithm signs with {} keys ({kid})",
            key.curve()
        )
    })?;
    let protected = b64::encode(
        object([
            ("typ", MediaType::Signed.as_str().into()),
            ("alg", alg.name().into()),
        ])
        .to_string(),
    );
    let payload = b64::encode(payload);
    let (_, signature) = sign::sign(key, format!("{protected}.{payload}").as_bytes())?;
    let signature = object([
        ("protected", protected.into()),
        ("signature", b64::encode(signature).into()),
        ("header", object([("kid", kid.into())])),
    ]);
    let jws = object([
        ("payload", payload.into()),
        ("signatures", Value::Array(vec![signature])),
    ]);
    Ok((alg, jws.to_string()))
}

fn parse_signature(obj: &Map<String, Value>) -> Result<JwsSignature> {
    let protected = str_field(obj, "protected", "JWS signature")?;
    let header: Value = serde_json::from_slice(&b64::decode(protected, "JWS protected header")?)
        .map_err(|_| err!(Malformed, "JWS protected header is not JSON"))?;
    let header = header
        .as_object()
        .ok_or_else(|| err!(Malformed, "JWS protected header must be a JSON object"))?;
    if let Some(typ) = header.get("typ") {
        if !typ.as_str().is_some_and(|t| MediaType::Signed.matches(t)) {
            return Err(err!(
                Malformed,
                "JWS typ must be {}, got {typ}",
                MediaType::Signed.as_str()
            ));
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
