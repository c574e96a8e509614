//! Secret keys by kid: the secrets resolver trait and an in-memory store.

use serde_json::{Map, Value};

use crate::crypto::SecretKey;
use crate::error::{err, Result};
use crate::jose::jwk;

/// A secret key with the DID URL it belongs to. `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct Secret {
    pub kid: String,
    pub key: SecretKey,
}

impl Secret {
    /// Reads a private JWK with a `kid`.
    pub fn from_jwk(jwk: &Value) -> Result<Secret> {
        let kid = jwk
            .get("kid")
            .and_then(Value::as_str)
            .ok_or_else(|| err!(Malformed, "private JWK has no 'kid' string"))?;
        let key = jwk::secret_from_jwk(jwk).map_err(|e| e.context(format_args!("secret {kid}")))?;
        Ok(Secret {
            kid: kid.to_owned(),
            key,
        })
    }

    /// Like [`Secret::from_jwk`], and checks that the JWK's public coordinates, when
    /// present, belong to its `d` (a mismatch would otherwise surface much later as a
    /// decryption failure at the peer).
    pub fn from_jwk_checked(jwk: &Value) -> Result<Secret> {
        let secret = Secret::from_jwk(jwk)?;
        if jwk.get("x").is_some() {
            let stated = jwk::public_from_jwk(jwk)
                .map_err(|e| e.context(format_args!("secret {}", secret.kid)))?;
            if stated != crate::crypto::backend::public_key(&secret.key) {
                return Err(err!(
                    Malformed,
                    "secret {}: public coordinates do not match 'd'",
                    secret.kid
                ));
            }
        }
        Ok(secret)
    }

    /// The private JWK, with `kid`.
    pub fn to_jwk(&self) -> Map<String, Value> {
        let mut jwk = jwk::secret_to_jwk(&self.key);
        jwk.insert("kid".into(), self.kid.clone().into());
        jwk
    }
}

/// Finds secrets by kid. No `Send` bound, so wasm can implement it with JS promises.
#[allow(async_fn_in_trait)]
pub trait SecretsResolver {
    /// The secret for `kid`, or `None` when not held.
    async fn get_secret(&self, kid: &str) -> Result<Option<Secret>>;
    /// Which of `kids` are held.
    async fn find_secrets(&self, kids: &[&str]) -> Result<Vec<String>>;
}

impl<T: SecretsResolver + ?Sized> SecretsResolver for &T {
    async fn get_secret(&self, kid: &str) -> Result<Option<Secret>> {
        (**self).get_secret(kid).await
    }
    async fn find_secrets(&self, kids: &[&str]) -> Result<Vec<String>> {
        (**self).find_secrets(kids).await
    }
}

/// An in-memory secrets store.
#[derive(Debug, Clone, Default)]
pub struct SecretsStore {
    /// Sorted by kid, one secret per kid (a sorted `Vec` links less code than another
    /// `BTreeMap` instantiation).
    secrets: Vec<Secret>,
}

impl SecretsStore {
    pub fn new() -> SecretsStore {
        SecretsStore::default()
    }

    /// A store holding each private JWK of `jwks` (checked as [`Secret::from_jwk_checked`]).
    pub fn from_jwks(jwks: &[Value]) -> Result<SecretsStore> {
        let mut store = SecretsStore::new();
        for jwk in jwks {
            store.insert(Secret::from_jwk_checked(jwk)?);
        }
        Ok(store)
    }

    /// `Ok(index)` of `kid`, or `Err(index)` where it would go.
    fn position(&self, kid: &str) -> std::result::Result<usize, usize> {
        self.secrets.binary_search_by(|s| s.kid.as_str().cmp(kid))
    }

    /// Adds `secret`, replacing any secret of the same kid.
    pub fn insert(&mut self, secret: Secret) {
        match self.position(&secret.kid) {
            Ok(i) => {
                if let Some(slot) = self.secrets.get_mut(i) {
                    *slot = secret;
                }
            }
            Err(i) => self.secrets.insert(i, secret),
        }
    }

    pub fn remove(&mut self, kid: &str) -> Option<Secret> {
        self.position(kid).ok().map(|i| self.secrets.remove(i))
    }

    pub fn get(&self, kid: &str) -> Option<&Secret> {
        self.position(kid).ok().and_then(|i| self.secrets.get(i))
    }

    /// The kids held, sorted.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.secrets.iter().map(|s| s.kid.as_str())
    }
}

impl SecretsResolver for SecretsStore {
    async fn get_secret(&self, kid: &str) -> Result<Option<Secret>> {
        Ok(self.get(kid).cloned())
    }

    async fn find_secrets(&self, kids: &[&str]) -> Result<Vec<String>> {
        Ok(kids
            .iter()
            .filter(|k| self.position(k).is_ok())
            .map(|k| (*k).to_owned())
            .collect())
    }
}

/// The secret for `kid`, turning "not held" into a [`crate::ErrorKind::SecretNotFound`] error.
pub(crate) async fn require_secret(resolver: &impl SecretsResolver, kid: &str) -> Result<Secret> {
    resolver
        .get_secret(kid)
        .await?
        .ok_or_else(|| err!(SecretNotFound, "no secret for {kid}"))
}

/// `(kid, secret kid)` for each of `kids` whose secret is held. The secret kid is the kid
/// itself; only when none is held directly, it may be another id of the same key in `docs`
/// (a legacy did:peer fingerprint id and its `#key-N`, either way round).
pub(crate) async fn find_held(
    secrets: &impl SecretsResolver,
    kids: &[&str],
    docs: &[crate::did::DidDocument],
) -> Result<Vec<(String, String)>> {
    let held = secrets.find_secrets(kids).await?;
    let direct: Vec<(String, String)> = kids
        .iter()
        .filter(|k| held.iter().any(|h| h == *k))
        .map(|k| ((*k).to_owned(), (*k).to_owned()))
        .collect();
    if !direct.is_empty() {
        return Ok(direct);
    }
    find_equivalents(secrets, kids, docs).await
}

/// `(kid, secret kid)` where the secret is held under another id of the key `kid` names
/// in `docs`. Only the did:peer / did:key resolvers give keys other ids.
pub(crate) async fn find_equivalents(
    secrets: &impl SecretsResolver,
    kids: &[&str],
    docs: &[crate::did::DidDocument],
) -> Result<Vec<(String, String)>> {
    if docs.is_empty() || cfg!(not(feature = "did-methods")) {
        return Ok(Vec::new());
    }
    let alternatives: Vec<(&str, String)> = kids
        .iter()
        .flat_map(|kid| {
            let doc = docs.iter().find(|d| d.id == crate::did::did_of(kid));
            doc.map(|d| d.equivalent_kids(kid))
                .unwrap_or_default()
                .into_iter()
                .map(move |alt| (*kid, alt))
        })
        .collect();
    if alternatives.is_empty() {
        return Ok(Vec::new());
    }
    let alt_kids: Vec<&str> = alternatives.iter().map(|(_, alt)| alt.as_str()).collect();
    let held = secrets.find_secrets(&alt_kids).await?;
    let mut out: Vec<(String, String)> = Vec::new();
    for (kid, alt) in alternatives {
        if held.contains(&alt) && !out.iter().any(|(k, _)| k == kid) {
            out.push((kid.to_owned(), alt));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Curve;

    fn secret(kid: &str) -> Secret {
        Secret {
            kid: kid.into(),
            key: SecretKey::generate(Curve::X25519).unwrap(),
        }
    }

    #[test]
    fn store_keeps_one_secret_per_kid_sorted() {
        let mut store = SecretsStore::new();
        for kid in ["did:c#1", "did:a#1", "did:b#2", "did:b#1", "did:a#1"] {
            store.insert(secret(kid));
        }
        assert_eq!(
            store.kids().collect::<Vec<_>>(),
            ["did:a#1", "did:b#1", "did:b#2", "did:c#1"]
        );
        let replacement = secret("did:b#1");
        let public = replacement.key.public_key();
        store.insert(replacement);
        assert_eq!(store.kids().count(), 4);
        assert_eq!(store.get("did:b#1").unwrap().key.public_key(), public);
        assert!(store.get("did:b#3").is_none());
        assert_eq!(store.remove("did:b#1").unwrap().kid, "did:b#1");
        assert!(store.remove("did:b#1").is_none());
        assert_eq!(
            store.kids().collect::<Vec<_>>(),
            ["did:a#1", "did:b#2", "did:c#1"]
        );
        let held = pollster::block_on(store.find_secrets(&["did:c#1", "did:x#1", "did:a#1"]));
        assert_eq!(held.unwrap(), ["did:c#1", "did:a#1"]);
        assert!(pollster::block_on(store.get_secret("did:b#1"))
            .unwrap()
            .is_none());
    }
}
