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
/// Bytes, not chars: every message's `from` and `to` go through this and [`did_of`].
pub fn is_did(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("did:") else {
        return false;
    };
    let method = rest
        .bytes()
        .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        .count();
    method > 0 && rest.as_bytes().get(method) == Some(&b':') && rest.len() > method + 1
}

/// Whether a byte ends the DID part of a DID URL (fragment, query or path).
pub(crate) fn ends_did(b: u8) -> bool {
    matches!(b, b'#' | b'?' | b'/')
}

/// The DID part of a DID URL (everything before `#`, `?` or a path).
pub fn did_of(did_url: &str) -> &str {
    // ASCII delimiters: the position is a char boundary.
    let end = did_url.bytes().position(ends_did).unwrap_or(did_url.len());
    did_url.get(..end).unwrap_or(did_url)
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
        for not in [
            "did:",
            "did::x",
            "did:ex-ample:x",
            "did:example",
            "did:é:x",
            "di:example:x",
        ] {
            assert!(!is_did(not), "{not}");
        }
        assert!(is_did("did:web:example.com%3A8080:é"));
        assert_eq!(did_of("did:example:alice#key-1"), "did:example:alice");
        assert_eq!(did_of("did:example:alice"), "did:example:alice");
    }
}
