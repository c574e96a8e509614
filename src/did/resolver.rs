//! DID resolution: an async trait with no `Send` bound, so wasm can implement it with JS
//! promises, and an in-memory resolver.

use std::collections::HashMap;

use crate::did::DidDocument;
use crate::error::Result;

/// Resolves a DID (no fragment) to its document, or `None` when the DID is unknown.
/// Errors are for failures of the resolver itself (network, bad data).
#[allow(async_fn_in_trait)] // no Send bound on purpose: wasm resolvers hold JS values
pub trait DidResolver {
    async fn resolve(&self, did: &str) -> Result<Option<DidDocument>>;
}

impl<T: DidResolver + ?Sized> DidResolver for &T {
    async fn resolve(&self, did: &str) -> Result<Option<DidDocument>> {
        (**self).resolve(did).await
    }
}

/// A resolver over a fixed set of documents.
#[derive(Debug, Clone, Default)]
pub struct StaticResolver {
    docs: HashMap<String, DidDocument>,
}

impl StaticResolver {
    pub fn new(docs: impl IntoIterator<Item = DidDocument>) -> StaticResolver {
        StaticResolver {
            docs: docs.into_iter().map(|d| (d.id.clone(), d)).collect(),
        }
    }

    pub fn insert(&mut self, doc: DidDocument) {
        self.docs.insert(doc.id.clone(), doc);
    }
}

impl DidResolver for StaticResolver {
    async fn resolve(&self, did: &str) -> Result<Option<DidDocument>> {
        Ok(self.docs.get(did).cloned())
    }
}

/// Resolves `did`, turning "unknown" into a [`crate::ErrorKind::DidNotFound`] error.
pub(crate) async fn resolve_known(resolver: &impl DidResolver, did: &str) -> Result<DidDocument> {
    resolver
        .resolve(did)
        .await?
        .ok_or_else(|| crate::error::err!(DidNotFound, "DID {did} could not be resolved"))
}
