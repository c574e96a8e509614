//! DIDComm Messaging v2.1: plaintext, signed (JWS) and encrypted (JWE anoncrypt and
//! authcrypt on X25519, P-256, P-384 and P-521) envelopes.
//!
//! [`DidComm`] packs and unpacks messages, resolving DIDs and secrets through the
//! [`DidResolver`] and [`SecretsResolver`] traits. See ARCHITECTURE.md for the map.

pub mod crypto;
pub mod did;
pub mod error;
pub mod jose;
mod json;
pub mod limits;
pub mod media_type;
pub mod message;
pub mod pack;
pub mod protocols;
pub mod rotation;
pub mod routing;
pub mod secrets;
pub mod unpack;
mod uri;

pub use crypto::{Curve, PublicKey, SecretKey, SignAlg};
pub use did::{DidDocument, DidResolver, StaticResolver};
pub use error::{Error, ErrorKind, Result};
pub use jose::enc::ContentEnc;
pub use limits::Limits;
pub use media_type::MediaType;
pub use message::{Attachment, AttachmentData, Message};
pub use pack::{PackEncryptedMetadata, PackEncryptedOptions, PackSignedMetadata};
pub use rotation::FromPrior;
pub use routing::{Forward, MessagingService};
pub use secrets::{Secret, SecretsResolver, SecretsStore};
pub use unpack::{UnpackMetadata, UnpackOptions, Unpacked};

/// Packs and unpacks DIDComm messages with a DID resolver and a secrets resolver.
#[derive(Debug, Clone)]
pub struct DidComm<D, S> {
    dids: D,
    secrets: S,
    limits: Limits,
}

impl<D: DidResolver, S: SecretsResolver> DidComm<D, S> {
    /// With the default [`Limits`].
    pub fn new(dids: D, secrets: S) -> Self {
        DidComm {
            dids,
            secrets,
            limits: Limits::default(),
        }
    }

    /// The same, bounded by `limits` instead; `IllegalArgument` unless each is at least 1
    /// (and the JSON depth within [`limits::MAX_JSON_DEPTH`]).
    pub fn with_limits(self, limits: Limits) -> Result<Self> {
        limits.check()?;
        Ok(DidComm { limits, ..self })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn did_resolver(&self) -> &D {
        &self.dids
    }

    pub fn secrets_resolver(&self) -> &S {
        &self.secrets
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod wasm;
