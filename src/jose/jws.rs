//! JWS in JSON serialization (RFC 7515 §7.2): read General and Flattened, write General;
//! and the compact serialization (§7.1) of a JWT such as `from_prior`.
//! Resolving whose key signed is the unpack pipeline's job; this module handles the format
//! and the signature check against a given key.

use serde_json::{Map, Value};

use crate::crypto::{sign, PublicKey, SecretKey, SignAlg};
use crate::error::{err, json_error, Result};
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
    let alg = alg_for(key, kid)?;
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

/// A JWS in compact serialization (RFC 7515 §7.1), as a JWT comes: `header.payload.signature`.
#[derive(Debug, Clone)]
pub struct CompactJws {
    /// `header.payload` exactly as sent: the signing input.
    pub signing_input: String,
    /// The protected header.
    pub header: Map<String, Value>,
    pub alg: SignAlg,
    pub kid: String,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
}

impl CompactJws {
    /// Reads the compact form strictly: exactly three base64url parts, a JSON object header
    /// with `alg` and `kid`, `typ` (when present) equal to `typ` ignoring case, no `crit`.
    /// `what` names the JWS in errors.
    pub fn parse(text: &str, typ: &str, what: &str) -> Result<CompactJws> {
        let mut parts = text.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err!(
                Malformed,
                "{what} must be a compact JWS: three base64url parts separated by '.'"
            ));
        };
        if header.is_empty() || signature.is_empty() {
            return Err(err!(
                Malformed,
                "{what} has an empty {} part",
                if header.is_empty() {
                    "header"
                } else {
                    "signature"
                }
            ));
        }
        let what_header = format!("{what} header");
        let value: Value = serde_json::from_slice(&b64::decode(header, &what_header)?)
            .map_err(|e| err!(Malformed, "{what_header} is not JSON: {}", json_error(&e)))?;
        let Value::Object(header_obj) = value else {
            return Err(err!(Malformed, "{what_header} must be a JSON object"));
        };
        if let Some(t) = header_obj.get("typ") {
            if !t.as_str().is_some_and(|t| t.eq_ignore_ascii_case(typ)) {
                return Err(err!(
                    Malformed,
                    "{what_header} 'typ' must be {typ}, got {t}"
                ));
            }
        }
        if header_obj.contains_key("crit") {
            return Err(err!(
                Unsupported,
                "{what_header} 'crit': no JWS extension is supported"
            ));
        }
        let alg_name = str_field(&header_obj, "alg", &what_header)?;
        let alg = SignAlg::from_name(alg_name).ok_or_else(|| {
            err!(
                Unsupported,
                "{what_header} 'alg' '{alg_name}' is not supported"
            )
        })?;
        let kid = str_field(&header_obj, "kid", &what_header)?.to_owned();
        Ok(CompactJws {
            signing_input: format!("{header}.{payload}"),
            alg,
            kid,
            payload: b64::decode(payload, &format!("{what} payload"))?,
            signature: b64::decode(signature, &format!("{what} signature"))?,
            header: header_obj,
        })
    }

    /// Checks the signature against `key` (whose curve must be the one `alg` signs with).
    pub fn verify(&self, key: &PublicKey) -> Result<()> {
        sign::verify(
            key,
            self.alg,
            self.signing_input.as_bytes(),
            &self.signature,
        )
        .map_err(|e| e.context(format_args!("signature by {}", self.kid)))
    }
}

/// Signs `payload` in compact serialization with protected header `{alg, kid, typ}`.
pub fn sign_compact(
    payload: &[u8],
    typ: &str,
    kid: &str,
    key: &SecretKey,
) -> Result<(SignAlg, String)> {
    let alg = alg_for(key, kid)?;
    let header = b64::encode(
        object([
            ("alg", alg.name().into()),
            ("kid", kid.into()),
            ("typ", typ.into()),
        ])
        .to_string(),
    );
    let input = format!("{header}.{}", b64::encode(payload));
    let (_, signature) = sign::sign(key, input.as_bytes())?;
    Ok((alg, format!("{input}.{}", b64::encode(signature))))
}

/// The JWS algorithm of a signing key.
fn alg_for(key: &SecretKey, kid: &str) -> Result<SignAlg> {
    SignAlg::for_curve(key.curve()).ok_or_else(|| {
        err!(
            Unsupported,
            "no JWS algorithm signs with {} keys ({kid})",
            key.curve()
        )
    })
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
