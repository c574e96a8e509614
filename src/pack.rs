//! Packing: plaintext, signed (JWS), and encrypted (JWE anoncrypt or authcrypt, optionally
//! signed first and optionally with the sender protected by an outer anoncrypt).

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use serde_json::{Map, Value};

use crate::crypto::{Curve, PublicKey, SignAlg};
use crate::did::{did_of, is_did, resolve_known, DidDocument, DidResolver, Relationship};
use crate::error::{err, list, Result};
use crate::jose::{enc::ContentEnc, jwe, jws};
use crate::message::{wire, Message};
use crate::routing::MessagingService;
use crate::secrets::{find_held, require_secret, Secret, SecretsResolver};
use crate::DidComm;

/// What [`DidComm::pack_signed`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackSignedMetadata {
    pub sign_by_kid: String,
    pub sign_alg: SignAlg,
}

/// Options of [`DidComm::pack_encrypted`].
#[derive(Debug, Clone, PartialEq)]
pub struct PackEncryptedOptions {
    /// Authcrypt from this DID or kid; anoncrypt when `None`.
    pub from: Option<String>,
    /// Sign with this DID or kid before encrypting (the DID must be the message's `from`).
    pub sign_by: Option<String>,
    /// Wrap the authcrypted message in anoncrypt, hiding the sender from intermediaries.
    pub protect_sender: bool,
    /// Content encryption of the anoncrypt layers, forwards included (authcrypt always
    /// uses A256CBC-HS512).
    pub enc_alg_anon: ContentEnc,
    /// Wrap in forwards for the recipient's mediators (its DIDCommMessaging service's
    /// routing keys); on by default. Without a service the message is not wrapped.
    pub forward: bool,
    /// Headers for each forward message (e.g. `expires_time`).
    pub forward_headers: Map<String, Value>,
    /// The recipient's service to use (`did#service-1`); by default the first
    /// DIDCommMessaging service that takes didcomm/v2.
    pub messaging_service: Option<String>,
}

impl Default for PackEncryptedOptions {
    fn default() -> Self {
        PackEncryptedOptions {
            from: None,
            sign_by: None,
            protect_sender: false,
            enc_alg_anon: ContentEnc::default(),
            forward: true,
            forward_headers: Map::new(),
            messaging_service: None,
        }
    }
}

/// What [`DidComm::pack_encrypted`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackEncryptedMetadata {
    /// The sender key (authcrypt `skid`).
    pub from_kid: Option<String>,
    /// The recipient keys the message was encrypted to.
    pub to_kids: Vec<String>,
    pub sign_by_kid: Option<String>,
    /// The recipient's service the message goes to, when it has one: send the packed
    /// message to its `uri`.
    pub messaging_service: Option<MessagingService>,
}

/// A resolved key of a DID document.
struct DocKey {
    kid: String,
    key: PublicKey,
}

/// The message as plaintext JSON, after validation: [`DidComm::pack_plaintext`], which needs
/// no resolver.
pub fn plaintext(message: &Message) -> Result<String> {
    message.validate()?;
    crate::rotation::refuse_unencrypted(message, "plaintext")?;
    Ok(message.to_json())
}

/// [`plaintext`] of a message's JSON text. Text already in wire form comes back as it is,
/// borrowed, with `typ` added when it has none: its members keep their order and their
/// text, and only the headers are read and checked (the body is parsed, not kept). Other
/// text is read as a [`Message`] (normalized, or refused with the error that says why) and
/// written anew.
pub fn plaintext_json(text: &str) -> Result<Cow<'_, str>> {
    let (message, wire) = read_json(text)?;
    message.validate()?;
    crate::rotation::refuse_unencrypted(&message, "plaintext")?;
    Ok(wire.unwrap_or_else(|| Cow::Owned(message.to_json())))
}

/// A message's JSON text read for packing: the message, and its wire text (with `typ`)
/// when the text is in wire form. Then only the headers are read: the message has no body,
/// attachments or extra headers, and the wire text is what is signed or encrypted.
fn read_json(text: &str) -> Result<(Message, Option<Cow<'_, str>>)> {
    match wire::headers(text) {
        Some((headers, has_typ)) => Ok((headers, Some(wire::with_typ(text, has_typ)))),
        None => Ok((Message::from_json(text)?, None)),
    }
}

/// What is signed or encrypted: the text the message came in when it was in wire form
/// (`read_json`), else the message written out.
fn payload<'a>(message: &Message, wire: Option<&'a str>) -> Cow<'a, str> {
    wire.map_or_else(|| Cow::Owned(message.to_json()), Cow::Borrowed)
}

impl<D: DidResolver, S: SecretsResolver> DidComm<D, S> {
    /// The message as plaintext JSON, after validation.
    pub fn pack_plaintext(&self, message: &Message) -> Result<String> {
        plaintext(message)
    }

    /// The message's JSON text as plaintext, after validation: [`plaintext_json`].
    pub fn pack_plaintext_json<'t>(&self, text: &'t str) -> Result<Cow<'t, str>> {
        plaintext_json(text)
    }

    /// Signs the message with `sign_by` (a DID, meaning its first authentication key whose
    /// secret is held, or one kid). The signer DID must be the message's `from`.
    pub async fn pack_signed(
        &self,
        message: &Message,
        sign_by: &str,
    ) -> Result<(String, PackSignedMetadata)> {
        self.signed(message, None, sign_by).await
    }

    /// [`DidComm::pack_signed`] of a message's JSON text; text in wire form is signed as it
    /// is, only its headers read (as [`plaintext_json`]).
    pub async fn pack_signed_json(
        &self,
        text: &str,
        sign_by: &str,
    ) -> Result<(String, PackSignedMetadata)> {
        let (message, wire) = read_json(text)?;
        self.signed(&message, wire.as_deref(), sign_by).await
    }

    async fn signed(
        &self,
        message: &Message,
        wire: Option<&str>,
        sign_by: &str,
    ) -> Result<(String, PackSignedMetadata)> {
        crate::rotation::refuse_unencrypted(message, "signed but not encrypted")?;
        self.sign(message, wire, sign_by).await
    }

    /// [`DidComm::pack_signed`], also as the inner layer of an encrypted message. `wire`:
    /// the message's text when it came in wire form (else it is written from `message`).
    async fn sign(
        &self,
        message: &Message,
        wire: Option<&str>,
        sign_by: &str,
    ) -> Result<(String, PackSignedMetadata)> {
        message.validate()?;
        Self::check_sender(message, sign_by, "signBy")?;
        let (kid, secret) = self.authentication_secret(sign_by).await?;
        let (sign_alg, packed) =
            jws::sign(payload(message, wire).as_bytes(), &kid, &secret.key).await?;
        Ok((
            packed,
            PackSignedMetadata {
                sign_by_kid: kid,
                sign_alg,
            },
        ))
    }

    /// The signing key for `sign_by` (a DID: its first authentication key whose secret is
    /// held; or one kid, which must be in its DID's authentication): `(kid, secret)`.
    pub(crate) async fn authentication_secret(&self, sign_by: &str) -> Result<(String, Secret)> {
        let doc = resolve_known(&self.dids, did_of(sign_by)).await?;
        let candidates: Vec<&str> = if sign_by.contains('#') {
            vec![doc
                .method_in(sign_by, Relationship::Authentication)?
                .id
                .as_str()]
        } else {
            doc.authentication.iter().map(String::as_str).collect()
        };
        let held = find_held(&self.secrets, &candidates, std::slice::from_ref(&doc)).await?;
        let (kid, secret_kid) = candidates
            .iter()
            .find_map(|k| held.iter().find(|(h, _)| h == k))
            .ok_or_else(|| {
                err!(
                    SecretNotFound,
                    "no secret held for any authentication key of {sign_by}: {}",
                    list(&candidates)
                )
            })?;
        let secret = require_secret(&self.secrets, secret_kid).await?;
        Ok((kid.clone(), secret))
    }

    /// Encrypts the message to `to` (a DID: all its keyAgreement keys on the chosen curve;
    /// or one kid). See [`PackEncryptedOptions`].
    pub async fn pack_encrypted(
        &self,
        message: &Message,
        to: &str,
        options: &PackEncryptedOptions,
    ) -> Result<(String, PackEncryptedMetadata)> {
        self.encrypted(message, None, to, options).await
    }

    /// [`DidComm::pack_encrypted`] of a message's JSON text; text in wire form is encrypted
    /// (or signed) as it is, only its headers read (as [`plaintext_json`]).
    pub async fn pack_encrypted_json(
        &self,
        text: &str,
        to: &str,
        options: &PackEncryptedOptions,
    ) -> Result<(String, PackEncryptedMetadata)> {
        let (message, wire) = read_json(text)?;
        self.encrypted(&message, wire.as_deref(), to, options).await
    }

    async fn encrypted(
        &self,
        message: &Message,
        wire: Option<&str>,
        to: &str,
        options: &PackEncryptedOptions,
    ) -> Result<(String, PackEncryptedMetadata)> {
        message.validate()?;
        let to_did = did_of(to);
        if !is_did(to) {
            return Err(err!(
                IllegalArgument,
                "'to' must be a DID or DID URL, got '{to}'"
            ));
        }
        if let Some(to_list) = &message.to {
            if !to_list.iter().any(|t| did_of(t) == to_did) {
                return Err(err!(
                    IllegalArgument,
                    "recipient {to_did} is not in the message's 'to' header ({})",
                    list(to_list)
                ));
            }
        }
        if let Some(from) = &options.from {
            Self::check_sender(message, from, "from")?;
        }
        if let Some(sign_by) = &options.sign_by {
            Self::check_sender(message, sign_by, "signBy")?;
        }
        if options.protect_sender && options.from.is_none() {
            return Err(err!(
                IllegalArgument,
                "protectSender needs a 'from' to protect"
            ));
        }
        // DID rotation: a valid from_prior for this sender, authcrypted (rotation.rs).
        if let Some(jwt) = &message.from_prior {
            crate::rotation::require_authcrypt(options)?;
            self.verified_from_prior(message, jwt, crate::ErrorKind::IllegalArgument)
                .await?;
        }

        let mut meta = PackEncryptedMetadata::default();
        let payload = match &options.sign_by {
            Some(sign_by) => {
                let (signed, signed_meta) = self.sign(message, wire, sign_by).await?;
                meta.sign_by_kid = Some(signed_meta.sign_by_kid);
                Cow::Owned(signed)
            }
            None => payload(message, wire),
        };

        let recipient_doc = resolve_known(&self.dids, to_did).await?;
        let recipient_keys = agreement_keys(&recipient_doc, to)?;
        let packed = match &options.from {
            Some(from) => {
                let (sender_kid, secret_kid, recipients) =
                    self.choose_sender_key(from, &recipient_keys, to).await?;
                let secret = require_secret(&self.secrets, &secret_kid).await?;
                let targets: Vec<jwe::Recipient<'_>> = recipients
                    .iter()
                    .map(|k| jwe::Recipient {
                        kid: &k.kid,
                        key: &k.key,
                    })
                    .collect();
                let sender = jwe::Sender {
                    kid: &sender_kid,
                    key: &secret.key,
                };
                let mut packed = jwe::encrypt(
                    payload.as_bytes(),
                    ContentEnc::A256CbcHs512,
                    &targets,
                    Some(sender),
                )
                .await
                .map_err(|e| e.context(format_args!("authcrypt from {sender_kid}")))?;
                if options.protect_sender {
                    packed = jwe::encrypt(packed.as_bytes(), options.enc_alg_anon, &targets, None)
                        .await?;
                }
                meta.from_kid = Some(sender_kid);
                meta.to_kids = recipients.iter().map(|k| k.kid.clone()).collect();
                packed
            }
            None => {
                let (packed, kids) = anoncrypt_to_keys(
                    payload.as_bytes(),
                    &recipient_keys,
                    to,
                    options.enc_alg_anon,
                )
                .await?;
                meta.to_kids = kids;
                packed
            }
        };
        if !options.forward {
            return Ok((packed, meta));
        }
        // Boxed as `dyn`: routing's futures stay out of this state machine (wasm size).
        let routed: Pin<Box<dyn Future<Output = _> + '_>> =
            Box::pin(self.route(packed, &recipient_doc, to, options));
        let (packed, service) = routed.await?;
        meta.messaging_service = service;
        Ok((packed, meta))
    }

    /// `packed` wrapped for the mediators of the recipient's messaging service, and that
    /// service; `packed` as it is when the recipient has none.
    async fn route(
        &self,
        packed: String,
        doc: &DidDocument,
        to: &str,
        options: &PackEncryptedOptions,
    ) -> Result<(String, Option<MessagingService>)> {
        let service = self
            .messaging_service(doc, options.messaging_service.as_deref())
            .await?;
        let Some(service) = service else {
            return Ok((packed, None));
        };
        let packed = self
            .wrap_in_forward(
                &packed,
                to,
                &service.routing_keys,
                &options.forward_headers,
                options.enc_alg_anon,
            )
            .await?;
        Ok((packed, Some(service)))
    }

    /// Anoncrypts `payload` to `to` (a DID: its keyAgreement keys on one curve; or a kid):
    /// the JWE and the recipient kids.
    pub(crate) async fn anoncrypt(
        &self,
        payload: &[u8],
        to: &str,
        enc: ContentEnc,
    ) -> Result<(String, Vec<String>)> {
        let doc = resolve_known(&self.dids, did_of(to)).await?;
        anoncrypt_to_keys(payload, &agreement_keys(&doc, to)?, to, enc).await
    }

    /// `who` (a DID or kid given as option `option`) must be the message's `from` DID.
    fn check_sender(message: &Message, who: &str, option: &str) -> Result<()> {
        if !is_did(who) {
            return Err(err!(
                IllegalArgument,
                "'{option}' must be a DID or DID URL, got '{who}'"
            ));
        }
        match &message.from {
            Some(from) if from == did_of(who) => Ok(()),
            Some(from) => Err(err!(
                IllegalArgument,
                "'{option}' {who} is not the message's 'from' {from}"
            )),
            None => Err(err!(
                IllegalArgument,
                "'{option}' is {who} but the message has no 'from'"
            )),
        }
    }

    /// The sender's key-agreement key for authcrypt: the first (in document order) whose
    /// secret is held and whose curve some recipient key shares; with the recipient keys
    /// on that curve.
    async fn choose_sender_key<'k>(
        &self,
        from: &str,
        recipient_keys: &'k [DocKey],
        to: &str,
    ) -> Result<(String, String, Vec<&'k DocKey>)> {
        let doc = resolve_known(&self.dids, did_of(from)).await?;
        let sender_keys = agreement_keys(&doc, from)?;
        let kids: Vec<&str> = sender_keys.iter().map(|k| k.kid.as_str()).collect();
        let held = find_held(&self.secrets, &kids, std::slice::from_ref(&doc)).await?;
        let mut held_curves: Vec<Curve> = Vec::new();
        for (key, secret_kid) in sender_keys
            .iter()
            .filter_map(|k| held.iter().find(|(h, _)| *h == k.kid).map(|(_, s)| (k, s)))
        {
            let curve = key.key.curve();
            let same: Vec<&DocKey> = recipient_keys
                .iter()
                .filter(|r| r.key.curve() == curve)
                .collect();
            if !same.is_empty() {
                return Ok((key.kid.clone(), secret_kid.clone(), same));
            }
            held_curves.push(curve);
        }
        if held_curves.is_empty() {
            return Err(err!(
                SecretNotFound,
                "no secret held for any keyAgreement key of {from}: {}",
                list(&kids)
            ));
        }
        let theirs: Vec<Curve> = recipient_keys.iter().map(|k| k.key.curve()).collect();
        Err(err!(
            NoCompatibleKeys,
            "{from} has keys on {}, {to} on {}: no curve in common",
            list(&held_curves),
            list(&theirs)
        ))
    }
}

/// Anoncrypt to the keys on the curve of the first of `keys`.
async fn anoncrypt_to_keys(
    payload: &[u8],
    keys: &[DocKey],
    to: &str,
    enc: ContentEnc,
) -> Result<(String, Vec<String>)> {
    let curve = keys
        .first()
        .map(|k| k.key.curve())
        .ok_or_else(|| err!(NoCompatibleKeys, "{to} has no usable keyAgreement key"))?;
    let targets: Vec<jwe::Recipient<'_>> = keys
        .iter()
        .filter(|k| k.key.curve() == curve)
        .map(|k| jwe::Recipient {
            kid: &k.kid,
            key: &k.key,
        })
        .collect();
    let kids = targets.iter().map(|r| r.kid.to_owned()).collect();
    Ok((jwe::encrypt(payload, enc, &targets, None).await?, kids))
}

/// The usable keyAgreement keys of `doc`: all of them for a DID, exactly one for a kid.
/// Keys this library cannot use are skipped for a DID, and an error for a kid.
fn agreement_keys(doc: &DidDocument, did_or_kid: &str) -> Result<Vec<DocKey>> {
    if did_or_kid.contains('#') {
        let vm = doc.method_in(did_or_kid, Relationship::KeyAgreement)?;
        let key = vm.public_key()?;
        if !key.curve().is_key_agreement() {
            return Err(err!(
                Unsupported,
                "{did_or_kid} is a {} key; key agreement needs X25519, P-256, P-384 or P-521",
                key.curve()
            ));
        }
        return Ok(vec![DocKey {
            kid: vm.id.clone(),
            key,
        }]);
    }
    let mut keys = Vec::new();
    let mut skipped = Vec::new();
    for vm in doc.methods(Relationship::KeyAgreement) {
        match vm.public_key() {
            Ok(key) if key.curve().is_key_agreement() => keys.push(DocKey {
                kid: vm.id.clone(),
                key,
            }),
            Ok(key) => skipped.push(format!(
                "{} ({} cannot do key agreement)",
                vm.id,
                key.curve()
            )),
            Err(e) => skipped.push(format!("{} ({})", vm.id, e.message())),
        }
    }
    if keys.is_empty() {
        return Err(err!(
            NoCompatibleKeys,
            "{} has no usable keyAgreement key; skipped: {}",
            doc.id,
            list(&skipped)
        ));
    }
    Ok(keys)
}
