//! DID resolution: an async trait with no `Send` bound, so wasm can implement it with JS
//! promises, and an in-memory resolver.

use std::collections::HashMap;
use std::sync::Arc;

use crate::did::DidDocument;
use crate::error::Result;

/// Resolves a DID (no fragment) to its document, or `None` when the DID is unknown.
/// Errors are for failures of the resolver itself (network, bad data). Documents are
/// shared (`Arc`): a resolver that keeps documents hands out the same one to every call,
/// and what a document has read of itself (its keys) serves them all.
#[allow(async_fn_in_trait)] // no Send bound on purpose: wasm resolvers hold JS values
pub trait DidResolver {
    async fn resolve(&self, did: &str) -> Result<Option<Arc<DidDocument>>>;
}

impl<T: DidResolver + ?Sized> DidResolver for &T {
    async fn resolve(&self, did: &str) -> Result<Option<Arc<DidDocument>>> {
        (**self).resolve(did).await
    }
}

/// A resolver over a fixed set of documents.
#[derive(Debug, Clone, Default)]
pub struct StaticResolver {
    docs: HashMap<String, Arc<DidDocument>>,
}

impl StaticResolver {
    pub fn new(docs: impl IntoIterator<Item = DidDocument>) -> StaticResolver {
        StaticResolver {
            docs: docs
                .into_iter()
                .map(|d| (d.id.clone(), Arc::new(d)))
                .collect(),
        }
    }

    pub fn insert(&mut self, doc: DidDocument) {
        self.docs.insert(doc.id.clone(), Arc::new(doc));
    }
}

impl DidResolver for StaticResolver {
    async fn resolve(&self, did: &str) -> Result<Option<Arc<DidDocument>>> {
        Ok(self.docs.get(did).cloned())
    }
}

/// Resolves `did`, turning "unknown" into a [`crate::ErrorKind::DidNotFound`] error.
pub(crate) async fn resolve_known(
    resolver: &impl DidResolver,
    did: &str,
) -> Result<Arc<DidDocument>> {
    resolver
        .resolve(did)
        .await?
        .ok_or_else(|| crate::error::err!(DidNotFound, "DID {did} could not be resolved"))
}
