//! DID rotation (CHECKLIST §6): the `from_prior` JWT a message carries when its sender moves
//! from a prior DID (`iss`) to a new one (`sub`, the message's `from`). The JWT is a compact
//! JWS signed with a key in the prior DID's `authentication`, named by its `kid` header.
//! A message with `from_prior` must be encrypted and authenticated as its `from`.

use serde_json::Value;

use crate::did::{did_of, is_did, resolve_known, DidResolver, Relationship};
use crate::error::{err, json_error, Error, ErrorKind, Result};
use crate::jose::jws::{self, CompactJws};
use crate::message::fields::{object, opt_str, opt_u64, req_str};
use crate::message::Message;
use crate::pack::PackEncryptedOptions;
use crate::secrets::SecretsResolver;
use crate::unpack::UnpackMetadata;
use crate::DidComm;

/// The claims of a `from_prior` JWT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FromPrior {
    /// The prior DID.
    pub iss: String,
    /// The new DID: the `from` of the message carrying the JWT.
    pub sub: String,
    /// The rotation time, seconds since the epoch.
    pub iat: u64,
    /// Carried as they are, not interpreted.
    pub aud: Option<String>,
    pub exp: Option<u64>,
    pub nbf: Option<u64>,
    pub jti: Option<String>,
}

/// The JWT in errors.
const JWT: &str = "from_prior";

impl FromPrior {
    pub fn new(iss: impl Into<String>, sub: impl Into<String>, iat: u64) -> FromPrior {
        FromPrior {
            iss: iss.into(),
            sub: sub.into(),
            iat,
            ..Default::default()
        }
    }

    /// Reads the claims; other claims are ignored.
    pub fn from_value(value: &Value) -> Result<FromPrior> {
        let obj = value
            .as_object()
            .ok_or_else(|| err!(Malformed, "{JWT} claims must be a JSON object"))?;
        Ok(FromPrior {
            iss: req_str(obj, "iss", JWT)?,
            sub: req_str(obj, "sub", JWT)?,
            iat: opt_u64(obj, "iat", JWT)?.ok_or_else(|| err!(Malformed, "{JWT} has no 'iat'"))?,
            aud: opt_str(obj, "aud", JWT)?,
            exp: opt_u64(obj, "exp", JWT)?,
            nbf: opt_u64(obj, "nbf", JWT)?,
            jti: opt_str(obj, "jti", JWT)?,
        })
    }

    pub fn to_value(&self) -> Value {
        object([
            ("iss", self.iss.clone().into()),
            ("sub", self.sub.clone().into()),
            ("iat", self.iat.into()),
            ("aud", self.aud.clone().into()),
            ("exp", self.exp.into()),
            ("nbf", self.nbf.into()),
            ("jti", self.jti.clone().into()),
        ])
    }

    /// `iss` and `sub` are DIDs without fragment, query or path, and differ.
    fn check(&self) -> Result<()> {
        for (name, did) in [("iss", &self.iss), ("sub", &self.sub)] {
            if !is_did(did) || did_of(did) != did {
                return Err(err!(
                    Malformed,
                    "{JWT} '{name}' must be a DID without fragment, query or path, got '{did}'"
                ));
            }
        }
        if self.iss == self.sub {
            return Err(err!(
                Inconsistent,
                "{JWT} 'iss' and 'sub' are both {}: a rotation needs a new DID",
                self.iss
            ));
        }
        Ok(())
    }
}

/// A message with `from_prior` may not go out unencrypted (`how`: "plaintext", ...).
pub(crate) fn refuse_unencrypted(message: &Message, how: &str) -> Result<()> {
    if message.from_prior.is_some() {
        return Err(err!(
            IllegalArgument,
            "a message with 'from_prior' cannot be sent {how}: DID rotation must be \
             encrypted from the new DID (packEncrypted with 'from')"
        ));
    }
    Ok(())
}

/// Parses the JWT strictly; the `kid` header must be a key of `iss`. Nothing is resolved.
fn parse(jwt: &str) -> Result<(CompactJws, FromPrior)> {
    let jws = CompactJws::parse(jwt, "JWT", JWT)?;
    let value: Value = serde_json::from_slice(&jws.payload)
        .map_err(|e| err!(Malformed, "{JWT} claims are not JSON: {}", json_error(&e)))?;
    let claims = FromPrior::from_value(&value)?;
    claims.check()?;
    if did_of(&jws.kid) != claims.iss {
        return Err(err!(
            Inconsistent,
            "{JWT} header 'kid' {} is not a key of its 'iss' {}",
            jws.kid,
            claims.iss
        ));
    }
    Ok((jws, claims))
}

/// The claims' `sub` is the message's `from`; an error of `kind` otherwise.
fn sub_is_from(claims: &FromPrior, message: &Message, kind: ErrorKind) -> Result<()> {
    if message.from.as_deref() == Some(claims.sub.as_str()) {
        return Ok(());
    }
    let from = message.from.as_deref().unwrap_or("(none)");
    Err(Error::new(
        kind,
        format!(
            "{JWT} 'sub' {} is not the message's 'from' {from}",
            claims.sub
        ),
    ))
}

impl<D: DidResolver, S: SecretsResolver> DidComm<D, S> {
    /// Signs `claims` as a `from_prior` JWT with `issuer_kid`, which must be in the
    /// `authentication` of `claims.iss`, or else the first such key whose secret is held.
    /// Returns the JWT and the kid that signed it.
    pub async fn pack_from_prior(
        &self,
        claims: &FromPrior,
        issuer_kid: Option<&str>,
    ) -> Result<(String, String)> {
        claims
            .check()
            .map_err(|e| Error::new(ErrorKind::IllegalArgument, e.message()))?;
        let sign_by = match issuer_kid {
            None => claims.iss.as_str(),
            Some(kid) if kid.contains('#') && did_of(kid) == claims.iss => kid,
            Some(kid) => {
                return Err(err!(
                    IllegalArgument,
                    "issuerKid {kid} is not a key of the prior DID ('iss') {}",
                    claims.iss
                ))
            }
        };
        let (kid, secret) = self
            .authentication_secret(sign_by)
            .await
            .map_err(|e| e.context(JWT))?;
        let payload = claims.to_value().to_string();
        let (_, jwt) = jws::sign_compact(payload.as_bytes(), "JWT", &kid, &secret.key)?;
        Ok((jwt, kid))
    }

    /// Verifies a `from_prior` JWT: its form, that `kid` is in the `authentication` of
    /// `iss`, and the signature. Returns the claims and the kid. Does not compare `sub`
    /// with a message: unpack does that.
    pub async fn verify_from_prior(&self, jwt: &str) -> Result<(FromPrior, String)> {
        let (jws, claims) = parse(jwt)?;
        self.verify_parsed(jws, claims).await
    }

    async fn verify_parsed(
        &self,
        jws: CompactJws,
        claims: FromPrior,
    ) -> Result<(FromPrior, String)> {
        let doc = resolve_known(&self.dids, &claims.iss)
            .await
            .map_err(|e| e.context(format_args!("{JWT} 'iss'")))?;
        let key = doc
            .method_in(&jws.kid, Relationship::Authentication)
            .map_err(|e| e.context(format_args!("{JWT} header 'kid'")))?
            .public_key()?;
        jws.verify(&key).map_err(|e| e.context(JWT))?;
        Ok((claims, jws.kid))
    }

    /// pack_encrypted: the message's `from_prior` is valid, its `sub` is the message's
    /// `from`, and the message is authcrypted (`options.from`).
    pub(crate) async fn check_outgoing_from_prior(
        &self,
        message: &Message,
        jwt: &str,
        options: &PackEncryptedOptions,
    ) -> Result<()> {
        if options.from.is_none() {
            return Err(err!(
                IllegalArgument,
                "a message with 'from_prior' must be authcrypted from the new DID: pass 'from'"
            ));
        }
        let (jws, claims) = parse(jwt)?;
        sub_is_from(&claims, message, ErrorKind::IllegalArgument)?;
        self.verify_parsed(jws, claims).await.map(|_| ())
    }

    /// unpack: the message was encrypted and authenticated as its `from` (checked against
    /// the layers before this), its `from_prior` is valid, and `sub` is that `from`.
    pub(crate) async fn check_incoming_from_prior(
        &self,
        message: &Message,
        jwt: &str,
        meta: &UnpackMetadata,
    ) -> Result<(FromPrior, String)> {
        if !(meta.encrypted && meta.authenticated) {
            let was = match (meta.encrypted, meta.authenticated) {
                (false, false) => "plaintext",
                (false, true) => "signed but not encrypted",
                _ => "anoncrypted without authcrypt or a signature",
            };
            return Err(err!(
                Inconsistent,
                "a message with 'from_prior' must be encrypted and authenticated as its 'from' \
                 (authcrypt or signed); this one is {was}"
            ));
        }
        let (jws, claims) = parse(jwt)?;
        sub_is_from(&claims, message, ErrorKind::Inconsistent)?;
        self.verify_parsed(jws, claims).await
    }
}
