//! DIDs and DID documents: the document model, DID URL helpers, the resolver trait, and
//! (feature `did-methods`) the did:key, did:peer and did:web methods and identity creation.

#[cfg(feature = "did-methods")]
mod builtin;
mod document;
#[cfg(feature = "did-methods")]
pub mod identity;
#[cfg(feature = "did-methods")]
pub mod key;
#[cfg(feature = "did-methods")]
pub mod multikey;
#[cfg(feature = "did-methods")]
pub mod peer;
mod resolver;
mod service;
#[cfg(feature = "did-methods")]
pub mod web;

#[cfg(feature = "did-methods")]
pub use builtin::{Builtins, ChainResolver, DocCache};
pub use document::{DidDocument, KeyMaterial, Relationship, VerificationMethod};
pub(crate) use resolver::resolve_known;
pub use resolver::{DidResolver, StaticResolver};
pub use service::{Endpoint, Service};

/// Whether `s` looks like a DID or DID URL: `did:<method>:<method-specific-id>…`.
pub fn is_did(s: &str) -> bool {
    let mut parts = s.splitn(3, ':');
    parts.next() == Some("did")
        && parts.next().is_some_and(|m| {
            !m.is_empty()
                && m.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts.next().is_some_and(|id| !id.is_empty())
}

/// The DID part of a DID URL (everything before `#`, `?` or a path).
pub fn did_of(did_url: &str) -> &str {
    let end = did_url.find(['#', '?', '/']).unwrap_or(did_url.len());
    &did_url[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_syntax() {
        assert!(is_did("did:example:alice"));
        assert!(is_did("did:peer:2.Ez6LS#key-1"));
        assert!(!is_did("did:Example:alice"));
        assert!(!is_did("did:example:"));
        assert!(!is_did("urn:example:alice"));
        assert_eq!(did_of("did:example:alice#key-1"), "did:example:alice");
        assert_eq!(did_of("did:example:alice"), "did:example:alice");
    }
}
