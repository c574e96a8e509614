//! The built-in methods chained in front of the caller's resolver: did:key and did:peer
//! are answered here with no round trip to the caller (or to JS); every other method goes
//! to the caller's resolver, which can also take over a built-in method.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::did::{key, peer, DidDocument, DidResolver};
use crate::error::{ErrorKind, Result};

/// Which methods the built-ins answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtins {
    pub key: bool,
    pub peer: bool,
}

impl Default for Builtins {
    fn default() -> Self {
        Builtins {
            key: true,
            peer: true,
        }
    }
}

/// Built-in documents already resolved, shared by the calls of one instance, by `id` (the
/// DID they resolve). Built-in resolution is a pure function of the DID, so entries never go
/// stale. A `Vec` searched linearly: bounded, and far cheaper than resolving again.
#[derive(Debug, Clone, Default)]
pub struct DocCache(Rc<RefCell<Vec<Arc<DidDocument>>>>);

/// Entries kept before the cache starts over (a bound, not a tuning knob).
const CACHE_LIMIT: usize = 1024;

impl DocCache {
    fn get(&self, did: &str) -> Option<Arc<DidDocument>> {
        self.0.borrow().iter().find(|d| d.id == did).cloned()
    }

    fn put(&self, doc: &Arc<DidDocument>) {
        let mut docs = self.0.borrow_mut();
        if docs.len() >= CACHE_LIMIT {
            docs.clear();
        }
        match docs.iter_mut().find(|d| d.id == doc.id) {
            Some(slot) => *slot = doc.clone(),
            None => docs.push(doc.clone()),
        }
    }
}

/// Built-ins first, then `inner`.
#[derive(Debug, Clone)]
pub struct ChainResolver<R> {
    pub inner: R,
    pub builtins: Builtins,
    pub cache: DocCache,
}

impl<R: DidResolver> ChainResolver<R> {
    pub fn new(inner: R) -> Self {
        ChainResolver {
            inner,
            builtins: Builtins::default(),
            cache: DocCache::default(),
        }
    }
}

impl<R: DidResolver> DidResolver for ChainResolver<R> {
    async fn resolve(&self, did: &str) -> Result<Option<Arc<DidDocument>>> {
        let builtin = match did.split(':').nth(1) {
            Some("key") if self.builtins.key => {
                Some(key::resolve as fn(&str) -> Result<DidDocument>)
            }
            Some("peer") if self.builtins.peer => {
                Some(peer::resolve as fn(&str) -> Result<DidDocument>)
            }
            _ => None,
        };
        let Some(resolve) = builtin else {
            return self.inner.resolve(did).await;
        };
        if let Some(doc) = self.cache.get(did) {
            return Ok(Some(doc));
        }
        match resolve(did) {
            Ok(doc) => {
                let doc = Arc::new(doc);
                self.cache.put(&doc);
                Ok(Some(doc))
            }
            // A short did:peer:4 this process never saw: perhaps the caller knows it.
            Err(e) if e.kind() == ErrorKind::DidNotFound => self.inner.resolve(did).await,
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, aka: &str) -> Arc<DidDocument> {
        Arc::new(DidDocument {
            id: id.into(),
            also_known_as: vec![aka.into()],
            ..Default::default()
        })
    }

    #[test]
    fn cache_finds_by_id_replaces_and_starts_over_past_the_limit() {
        let cache = DocCache::default();
        cache.put(&doc("did:key:a", "1"));
        cache.put(&doc("did:key:b", "2"));
        cache.put(&doc("did:key:a", "3"));
        assert_eq!(cache.get("did:key:a"), Some(doc("did:key:a", "3")));
        assert_eq!(cache.get("did:key:b"), Some(doc("did:key:b", "2")));
        assert_eq!(cache.get("did:key:c"), None);
        assert_eq!(cache.0.borrow().len(), 2);
        for i in 2..CACHE_LIMIT {
            cache.put(&doc(&format!("did:key:{i}"), ""));
        }
        assert_eq!(cache.0.borrow().len(), CACHE_LIMIT);
        cache.put(&doc("did:key:z", ""));
        assert_eq!(cache.0.borrow().len(), 1);
        assert_eq!(cache.get("did:key:a"), None);
        assert!(cache.get("did:key:z").is_some());
    }
}
