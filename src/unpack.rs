//! Unpacking: detect plaintext, JWS or JWE; peel every layer in an order DIDComm allows
//! (anoncrypt? → authcrypt? → signed? → plaintext, CHECKLIST §1); verify and decrypt;
//! then check the layers against the plaintext (`from` vs `skid` and signer, `to` vs the
//! recipient kids).

use std::sync::Arc;

use serde_json::Value;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::crypto::{PublicKey, SignAlg};
use crate::did::{did_of, resolve_known, DidDocument, DidResolver, Relationship};
use crate::error::{err, list, Result};
use crate::jose::enc::ContentEnc;
use crate::jose::jwe::{Jwe, KeyWrap};
use crate::jose::jws::Jws;
use crate::limits::Limits;
use crate::message::{wire, Message};
use crate::rotation::FromPrior;
use crate::secrets::{find_equivalents, find_held, require_secret, SecretsResolver};
use crate::DidComm;

/// Options of [`DidComm::unpack`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnpackOptions {
    /// Decrypt with every recipient key held, and fail unless all of them work; by default
    /// the first held key that works is enough.
    pub expect_decrypt_by_all_keys: bool,
    /// When the message is a forward whose `next` is one of our own keys or DIDs (a sender
    /// wrapped it for us as a routing hop), unpack the forwarded message too and return that.
    pub unwrap_re_wrapping_forward: bool,
}

/// What unpacking found out about the message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnpackMetadata {
    /// Some layer was a JWE.
    pub encrypted: bool,
    /// The sender is proven: authcrypt or a signature.
    pub authenticated: bool,
    /// Signed: the sender cannot later deny it.
    pub non_repudiation: bool,
    /// The outermost encryption was anoncrypt (the sender is hidden from intermediaries).
    pub anonymous_sender: bool,
    /// The authcrypt sender key (`skid`).
    pub encrypted_from_kid: Option<String>,
    /// The recipient kids of the (innermost) JWE.
    pub encrypted_to_kids: Option<Vec<String>>,
    /// The signer's kid.
    pub sign_from: Option<String>,
    pub enc_alg_auth: Option<ContentEnc>,
    pub enc_alg_anon: Option<ContentEnc>,
    pub sign_alg: Option<SignAlg>,
    /// The JWS as received, for non-repudiation.
    pub signed_message: Option<String>,
    /// The message came inside forwards addressed to ourselves, which unpack opened
    /// ([`UnpackOptions::unwrap_re_wrapping_forward`]).
    pub re_wrapped_in_forward: bool,
    /// DID rotation: the verified claims of the message's `from_prior`.
    pub from_prior: Option<FromPrior>,
    /// The key of the prior DID that signed `from_prior`.
    pub from_prior_issuer_kid: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    Start,
    Anoncrypt,
    Authcrypt,
    Signed,
}

impl Layer {
    fn name(self) -> &'static str {
        match self {
            Layer::Start => "the top level",
            Layer::Anoncrypt => "anoncrypt",
            Layer::Authcrypt => "authcrypt",
            Layer::Signed => "a signed message",
        }
    }
}

/// What [`DidComm::unpack_with_text`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Unpacked {
    pub message: Message,
    pub meta: UnpackMetadata,
    /// The message's JSON text as the sender wrote it (`typ` added in front when it had
    /// none), when it was in wire form (`pack::plaintext_json`'s rule); `None` otherwise, and
    /// then `message.to_json()` is its text.
    pub text: Option<String>,
}

impl<D: DidResolver, S: SecretsResolver> DidComm<D, S> {
    /// Unpacks a packed message given as JSON text.
    pub async fn unpack(
        &self,
        packed: &str,
        options: &UnpackOptions,
    ) -> Result<(Message, UnpackMetadata)> {
        let unpacked = self.unpack_with_text(packed, options).await?;
        Ok((unpacked.message, unpacked.meta))
    }

    /// [`DidComm::unpack`], also with the message's JSON text as it came when it was in wire
    /// form (the JS face hands that to `JSON.parse` rather than writing the message anew).
    pub async fn unpack_with_text(
        &self,
        packed: &str,
        options: &UnpackOptions,
    ) -> Result<Unpacked> {
        let limits = &self.limits;
        Limits::bound(
            "bytes in the packed message",
            packed.len(),
            limits.max_packed_bytes,
            "maxPackedBytes",
        )?;
        let value = limits.parse_json(packed.as_bytes(), "packed message")?;
        self.unpack_all(value, packed.to_owned(), options).await
    }

    /// Unpacks a packed message given as a JSON value.
    pub async fn unpack_value(
        &self,
        packed: &Value,
        options: &UnpackOptions,
    ) -> Result<(Message, UnpackMetadata)> {
        let text = packed.to_string();
        let limits = &self.limits;
        Limits::bound(
            "bytes in the packed message",
            text.len(),
            limits.max_packed_bytes,
            "maxPackedBytes",
        )?;
        limits.check_depth(packed, "packed message")?;
        let unpacked = self.unpack_all(packed.clone(), text, options).await?;
        Ok((unpacked.message, unpacked.meta))
    }

    /// Unpacks the layers; with `unwrap_re_wrapping_forward`, also the forwards addressed
    /// to ourselves (at most [`Limits::max_forward_nesting`] deep), returning the message
    /// inside. One call site of `unpack_layers`, so the wasm holds its code once.
    async fn unpack_all(
        &self,
        mut value: Value,
        mut text: String,
        options: &UnpackOptions,
    ) -> Result<Unpacked> {
        let max = self.limits.max_forward_nesting;
        for depth in 0..=max {
            let mut unpacked = self.unpack_layers(value, text, options).await?;
            let inner = match options.unwrap_re_wrapping_forward {
                true => self.forward_to_self(&unpacked.message).await?,
                false => None,
            };
            let Some(inner) = inner else {
                unpacked.meta.re_wrapped_in_forward = depth > 0;
                return Ok(unpacked);
            };
            text = inner.to_string();
            value = inner;
        }
        Err(err!(
            LimitExceeded,
            "more than {max} forwards addressed to ourselves inside one another (limits.maxForwardNesting)"
        ))
    }

    async fn unpack_layers(
        &self,
        mut value: Value,
        mut text: String,
        options: &UnpackOptions,
    ) -> Result<Unpacked> {
        let mut meta = UnpackMetadata::default();
        let mut layer = Layer::Start;
        let mut recipient_dids: Vec<String> = Vec::new();
        let mut skid: Option<String> = None;
        let mut signers: Vec<String> = Vec::new();
        loop {
            let obj = value
                .as_object()
                .ok_or_else(|| err!(Malformed, "a DIDComm message must be a JSON object"))?;
            let payload = if obj.contains_key("ciphertext") {
                let jwe = Jwe::parse(&value)?;
                Limits::bound(
                    "recipients in the JWE",
                    jwe.recipients.len(),
                    self.limits.max_recipients,
                    "maxRecipients",
                )?;
                let next = match jwe.alg {
                    KeyWrap::EcdhEs => Layer::Anoncrypt,
                    KeyWrap::Ecdh1pu => Layer::Authcrypt,
                };
                if next <= layer {
                    return Err(err!(
                        Malformed,
                        "{} inside {} is not a wrapping DIDComm allows",
                        next.name(),
                        layer.name()
                    ));
                }
                let (plaintext, used) = self.decrypt(&jwe, options).await?;
                recipient_dids.extend(used.iter().map(|k| did_of(k).to_owned()));
                meta.encrypted = true;
                meta.encrypted_to_kids =
                    Some(jwe.recipients.iter().map(|(kid, _)| kid.clone()).collect());
                if next == Layer::Anoncrypt {
                    meta.anonymous_sender = true;
                    meta.enc_alg_anon = Some(jwe.enc);
                } else {
                    meta.authenticated = true;
                    meta.enc_alg_auth = Some(jwe.enc);
                    meta.encrypted_from_kid = jwe.skid.clone();
                    skid = jwe.skid.clone();
                }
                layer = next;
                plaintext
            } else if obj.contains_key("payload") {
                if layer == Layer::Signed {
                    return Err(err!(
                        Malformed,
                        "a JWS inside a JWS is not a wrapping DIDComm allows"
                    ));
                }
                let jws = Jws::parse(&value)?;
                Limits::bound(
                    "signatures in the JWS",
                    jws.signatures.len(),
                    self.limits.max_recipients,
                    "maxRecipients",
                )?;
                for signature in &jws.signatures {
                    let doc = resolve_known(&self.dids, did_of(&signature.kid)).await?;
                    let key = doc
                        .method_in(&signature.kid, Relationship::Authentication)
                        .map_err(|e| e.context("JWS signer"))?
                        .public_key()?;
                    jws.verify(signature, &key).await?;
                    signers.push(signature.kid.clone());
                }
                let first = jws
                    .signatures
                    .first()
                    .ok_or_else(|| err!(Malformed, "JWS has no signature"))?;
                meta.authenticated = true;
                meta.non_repudiation = true;
                meta.sign_from = Some(first.kid.clone());
                meta.sign_alg = Some(first.alg);
                meta.signed_message = Some(std::mem::take(&mut text));
                layer = Layer::Signed;
                jws.payload_bytes()?
            } else {
                break;
            };
            value = self
                .limits
                .parse_json(&payload, "decrypted or signed payload")?;
            text =
                String::from_utf8(payload).map_err(|_| err!(Malformed, "payload is not UTF-8"))?;
        }

        let wire = value.as_object().and_then(wire::object_in_wire_form);
        let message = match value {
            Value::Object(obj) => Message::from_object(obj)?,
            other => Message::from_value(&other)?,
        };
        Limits::bound(
            "attachments in the message",
            message.attachments.len(),
            self.limits.max_attachments,
            "maxAttachments",
        )?;
        // `from` and `to` must be bare DIDs here too: the caller compares them as identities.
        message.validate()?;
        check_consistency(&message, skid.as_deref(), &signers, &recipient_dids)?;
        // DID rotation: from_prior verified against the authenticated sender (rotation.rs).
        if let Some(jwt) = &message.from_prior {
            crate::rotation::require_authenticated(&meta)?;
            let (claims, kid) = self
                .verified_from_prior(&message, jwt, crate::ErrorKind::Inconsistent)
                .await?;
            meta.from_prior = Some(claims);
            meta.from_prior_issuer_kid = Some(kid);
        }
        let text = wire.map(|has_typ| match has_typ {
            true => text,
            false => wire::with_typ(&text, false).into_owned(),
        });
        Ok(Unpacked {
            message,
            meta,
            text,
        })
    }

    /// Decrypts with the held recipient keys; returns the plaintext and the kids that
    /// decrypted it.
    async fn decrypt(&self, jwe: &Jwe, options: &UnpackOptions) -> Result<(Vec<u8>, Vec<String>)> {
        let kids: Vec<&str> = jwe.recipients.iter().map(|(kid, _)| kid.as_str()).collect();
        let mut held = find_held(&self.secrets, &kids, &[]).await?;
        if held.is_empty() && cfg!(feature = "did-methods") {
            // Perhaps the secrets are stored under other ids of the same keys.
            let mut docs = Vec::new();
            for kid in &kids {
                let did = did_of(kid);
                if !docs.iter().any(|d: &Arc<DidDocument>| d.id == did) {
                    if let Ok(Some(doc)) = self.dids.resolve(did).await {
                        docs.push(doc);
                    }
                }
            }
            // The direct lookup already failed; ask only for the other ids.
            held = find_equivalents(&self.secrets, &kids, &docs).await?;
        }
        if held.is_empty() {
            return Err(err!(
                SecretNotFound,
                "no secret held for any recipient of this message: {}",
                list(&kids)
            ));
        }
        let sender = match (&jwe.alg, &jwe.skid) {
            (KeyWrap::Ecdh1pu, Some(skid)) => Some(self.sender_key(skid, jwe).await?),
            _ => None,
        };

        let mut first: Option<(Zeroizing<Vec<u8>>, Vec<u8>)> = None;
        let mut used = Vec::new();
        let mut first_error = None;
        for (kid, secret_kid) in &held {
            let kid = kid.as_str();
            let attempt = async {
                let secret = require_secret(&self.secrets, secret_kid).await?;
                let cek = jwe.unwrap_cek(kid, &secret.key, sender.as_ref()).await?;
                match &first {
                    None => {
                        let plaintext = jwe.decrypt(&cek).await?;
                        Ok(Some((cek, plaintext)))
                    }
                    Some((first_cek, _))
                        if bool::from(first_cek.as_slice().ct_eq(cek.as_slice())) =>
                    {
                        Ok(None)
                    }
                    Some(_) => Err(err!(
                        DecryptionFailed,
                        "recipient {kid} unwraps a different content key"
                    )),
                }
            };
            match attempt.await {
                Ok(found) => {
                    if let Some(found) = found {
                        first = Some(found);
                    }
                    used.push(kid.to_owned());
                    if !options.expect_decrypt_by_all_keys {
                        break;
                    }
                }
                Err(e) if options.expect_decrypt_by_all_keys => return Err(e),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first {
            Some((_, plaintext)) => Ok((plaintext, used)),
            None => Err(first_error.unwrap_or_else(|| {
                err!(DecryptionFailed, "no recipient key decrypted the message")
            })),
        }
    }

    /// The authcrypt sender's public key: `skid` must be a keyAgreement key of its DID, on
    /// the curve of the `epk`.
    async fn sender_key(&self, skid: &str, jwe: &Jwe) -> Result<PublicKey> {
        let doc = resolve_known(&self.dids, did_of(skid)).await?;
        let key = doc
            .method_in(skid, Relationship::KeyAgreement)
            .map_err(|e| e.context("JWE skid"))?
            .public_key()?;
        if key.curve() != jwe.epk.curve() {
            return Err(err!(
                Inconsistent,
                "sender key {skid} is {} but the JWE epk is {}",
                key.curve(),
                jwe.epk.curve()
            ));
        }
        Ok(key)
    }
}

/// CHECKLIST §1: the plaintext `from` is the authcrypt sender's DID and the signer's DID;
/// when `to` is present it names the DID of every recipient key that decrypted.
fn check_consistency(
    message: &Message,
    skid: Option<&str>,
    signers: &[String],
    recipient_dids: &[String],
) -> Result<()> {
    let from = message.from.as_deref().map(did_of);
    if let Some(skid) = skid {
        if from != Some(did_of(skid)) {
            return Err(err!(
                Inconsistent,
                "message 'from' {} is not the authcrypt sender {}",
                from.unwrap_or("(none)"),
                did_of(skid)
            ));
        }
    }
    for signer in signers {
        if from != Some(did_of(signer)) {
            return Err(err!(
                Inconsistent,
                "message 'from' {} is not the signer {}",
                from.unwrap_or("(none)"),
                did_of(signer)
            ));
        }
    }
    if let Some(to) = &message.to {
        for did in recipient_dids {
            if !to.iter().any(|t| did_of(t) == did) {
                return Err(err!(
                    Inconsistent,
                    "recipient {did} is not in the message's 'to' ({})",
                    list(to)
                ));
            }
        }
    }
    Ok(())
}
