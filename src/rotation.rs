//! DID rotation (CHECKLIST §6): the `from_prior` JWT a message carries when its sender moves
//! from a prior DID (`iss`) to a new one (`sub`, the message's `from`). The JWT is signed
//! with a key in the prior DID's `authentication`, named by its `kid` header. A message
//! with `from_prior` must be encrypted and authenticated as its `from`.

use serde_json::{Map, Value};

use crate::did::{did_of, is_did, resolve_known, DidResolver, Relationship};
use crate::error::{err, json_error, Error, ErrorKind, Result};
use crate::jose::jws::{self, Jws, JwsSignature};
use crate::message::fields::{opt_str, opt_u64, put_opt, req_str, req_u64};
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

    /// Reads the claims of a JSON object; other claims are ignored.
    pub fn from_map(obj: &Map<String, Value>) -> Result<FromPrior> {
        Ok(FromPrior {
            iss: req_str(obj, "iss", JWT)?,
            sub: req_str(obj, "sub", JWT)?,
            iat: req_u64(obj, "iat", JWT)?,
            aud: opt_str(obj, "aud", JWT)?,
            exp: opt_u64(obj, "exp", JWT)?,
            nbf: opt_u64(obj, "nbf", JWT)?,
            jti: opt_str(obj, "jti", JWT)?,
        })
    }

    pub fn to_value(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("iss".into(), self.iss.clone().into());
        obj.insert("sub".into(), self.sub.clone().into());
        obj.insert("iat".into(), self.iat.into());
        put_opt(&mut obj, "aud", self.aud.clone());
        put_opt(&mut obj, "exp", self.exp);
        put_opt(&mut obj, "nbf", self.nbf);
        put_opt(&mut obj, "jti", self.jti.clone());
        Value::Object(obj)
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

/// pack_plaintext, pack_signed: a message with `from_prior` cannot go out unencrypted
/// (`how`: "plaintext", ...).
pub(crate) fn refuse_unencrypted(message: &Message, how: &str) -> Result<()> {
    match message.from_prior {
        Some(_) => Err(err!(
            IllegalArgument,
            "a message with 'from_prior' cannot be sent {how}: DID rotation must be \
             encrypted from the new DID (packEncrypted with 'from')"
        )),
        None => Ok(()),
    }
}

/// pack_encrypted: a message with `from_prior` is authcrypted.
pub(crate) fn require_authcrypt(options: &PackEncryptedOptions) -> Result<()> {
    match options.from {
        Some(_) => Ok(()),
        None => Err(err!(
            IllegalArgument,
            "a message with 'from_prior' must be authcrypted from the new DID: pass 'from'"
        )),
    }
}

/// unpack: a message with `from_prior` was encrypted and authenticated as its `from` (the
/// layers were checked against `from` before).
pub(crate) fn require_authenticated(meta: &UnpackMetadata) -> Result<()> {
    let was = match (meta.encrypted, meta.authenticated) {
        (true, true) => return Ok(()),
        (false, false) => "plaintext",
        (false, true) => "signed but not encrypted",
        (true, false) => "anoncrypted without authcrypt or a signature",
    };
    Err(err!(
        Inconsistent,
        "a message with 'from_prior' must be encrypted and authenticated as its 'from' \
         (authcrypt or signed); this one is {was}"
    ))
}

/// Parses the JWT strictly; its `kid` must be a key of `iss`. Nothing is resolved.
fn parse(jwt: &str) -> Result<(Jws, JwsSignature, FromPrior)> {
    let mut jws = Jws::parse_jwt(jwt)?;
    let signature = jws
        .signatures
        .pop()
        .ok_or_else(|| err!(Malformed, "JWT has no signature"))?;
    let claims: Value = serde_json::from_slice(&jws.payload_bytes()?)
        .map_err(|e| err!(Malformed, "JWT claims set is not JSON: {}", json_error(&e)))?;
    let claims = FromPrior::from_map(
        claims
            .as_object()
            .ok_or_else(|| err!(Malformed, "JWT claims set must be a JSON object"))?,
    )?;
    claims.check()?;
    if did_of(&signature.kid) != claims.iss {
        return Err(err!(
            Inconsistent,
            "header 'kid' {} is not a key of 'iss' {}",
            signature.kid,
            claims.iss
        ));
    }
    Ok((jws, signature, claims))
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
        // A kid, or `iss` itself for its first authentication key held.
        let sign_by = issuer_kid.unwrap_or(&claims.iss);
        if did_of(sign_by) != claims.iss {
            return Err(err!(
                IllegalArgument,
                "issuerKid {sign_by} is not a key of the prior DID ('iss') {}",
                claims.iss
            ));
        }
        let (kid, secret) = self.authentication_secret(sign_by).await?;
        let jwt =
            jws::sign_jwt(claims.to_value().to_string().as_bytes(), &kid, &secret.key).await?;
        Ok((jwt, kid))
    }

    /// Verifies a `from_prior` JWT: its form, that `kid` is in the `authentication` of
    /// `iss`, and the signature. Returns the claims and the kid. Does not compare `sub`
    /// with a message's `from`: [`DidComm::unpack`] does.
    pub async fn verify_from_prior(&self, jwt: &str) -> Result<(FromPrior, String)> {
        self.checked_from_prior(jwt, None, ErrorKind::Inconsistent)
            .await
    }

    /// The message's `from_prior` verified, with `sub` equal to `from` (else an error of
    /// `kind`: IllegalArgument when packing, Inconsistent when unpacking).
    pub(crate) async fn verified_from_prior(
        &self,
        message: &Message,
        jwt: &str,
        kind: ErrorKind,
    ) -> Result<(FromPrior, String)> {
        let from = message.from.as_deref().unwrap_or("(none)");
        self.checked_from_prior(jwt, Some(from), kind).await
    }

    async fn checked_from_prior(
        &self,
        jwt: &str,
        from: Option<&str>,
        kind: ErrorKind,
    ) -> Result<(FromPrior, String)> {
        let verified = async {
            let (jws, signature, claims) = parse(jwt)?;
            if let Some(from) = from.filter(|f| *f != claims.sub) {
                return Err(Error::new(
                    kind,
                    format!("'sub' {} is not the message's 'from' {from}", claims.sub),
                ));
            }
            let doc = resolve_known(&self.dids, &claims.iss).await?;
            let key = doc
                .method_in(&signature.kid, Relationship::Authentication)?
                .public_key()?;
            jws.verify(&signature, &key).await?;
            Ok((claims, signature.kid))
        };
        verified.await.map_err(|e| e.context(JWT))
    }
}
