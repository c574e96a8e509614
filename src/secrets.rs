//! Secret keys by kid: the secrets resolver trait and an in-memory store.

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::crypto::{backend, PublicKey, SecretKey};
use crate::did::DidDocument;
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
        let (secret, stated) = Secret::from_jwk_stated(jwk)?;
        match stated {
            Some(stated) if !secret.derives(&stated) => Err(secret.mismatch()),
            _ => Ok(secret),
        }
    }

    /// [`Secret::from_jwk`] and the public key the JWK states (`x`, `y`), read and checked
    /// for form (on the curve) but not against `d`.
    fn from_jwk_stated(jwk: &Value) -> Result<(Secret, Option<PublicKey>)> {
        let secret = Secret::from_jwk(jwk)?;
        let stated = jwk
            .get("x")
            .map(|_| jwk::public_from_jwk(jwk))
            .transpose()
            .map_err(|e| e.context(format_args!("secret {}", secret.kid)))?;
        Ok((secret, stated))
    }

    /// Whether `stated` is this secret's public key.
    fn derives(&self, stated: &PublicKey) -> bool {
        *stated == backend::public_key(&self.key)
    }

    fn mismatch(&self) -> crate::Error {
        err!(
            Malformed,
            "secret {}: public coordinates do not match 'd'",
            self.kid
        )
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
///
/// A JWK's stated public key is checked against its `d` when the secret is first used, not
/// when it is added: deriving it is a scalar multiplication (1–4 ms on P-384 and P-521), and
/// an agent holds keys it may never use in a process. A mismatch fails every use of that
/// secret with [`crate::ErrorKind::Malformed`], naming the kid.
#[derive(Debug, Clone, Default)]
pub struct SecretsStore {
    /// Sorted by kid, one secret per kid (a sorted `Vec` links less code than another
    /// `BTreeMap` instantiation).
    secrets: Vec<Held>,
}

/// A secret in the store and what its JWK stated, until first use checks it.
#[derive(Debug, Clone)]
struct Held {
    secret: Secret,
    stated: Option<PublicKey>,
    /// Whether `stated` is the key's public key, once asked.
    matches: OnceLock<bool>,
}

impl Held {
    fn new(secret: Secret, stated: Option<PublicKey>) -> Held {
        Held {
            secret,
            stated,
            matches: OnceLock::new(),
        }
    }

    /// The secret, after the first-use check.
    fn checked(&self) -> Result<&Secret> {
        let Some(stated) = &self.stated else {
            return Ok(&self.secret);
        };
        if *self.matches.get_or_init(|| self.secret.derives(stated)) {
            Ok(&self.secret)
        } else {
            Err(self.secret.mismatch())
        }
    }
}

impl SecretsStore {
    pub fn new() -> SecretsStore {
        SecretsStore::default()
    }

    /// A store holding each private JWK of `jwks` (as [`SecretsStore::insert_jwk`]).
    pub fn from_jwks(jwks: &[Value]) -> Result<SecretsStore> {
        let mut store = SecretsStore::new();
        for jwk in jwks {
            store.insert_jwk(jwk)?;
        }
        Ok(store)
    }

    /// `Ok(index)` of `kid`, or `Err(index)` where it would go.
    fn position(&self, kid: &str) -> std::result::Result<usize, usize> {
        self.secrets
            .binary_search_by(|h| h.secret.kid.as_str().cmp(kid))
    }

    /// Adds `secret`, replacing any secret of the same kid.
    pub fn insert(&mut self, secret: Secret) {
        self.put(Held::new(secret, None));
    }

    /// Adds a private JWK with a `kid`, replacing any secret of the same kid. Its form is
    /// checked now; its public coordinates against `d` on first use (see [`SecretsStore`]).
    pub fn insert_jwk(&mut self, jwk: &Value) -> Result<()> {
        let (secret, stated) = Secret::from_jwk_stated(jwk)?;
        self.put(Held::new(secret, stated));
        Ok(())
    }

    fn put(&mut self, held: Held) {
        match self.position(&held.secret.kid) {
            Ok(i) => {
                if let Some(slot) = self.secrets.get_mut(i) {
                    *slot = held;
                }
            }
            Err(i) => self.secrets.insert(i, held),
        }
    }

    pub fn remove(&mut self, kid: &str) -> Option<Secret> {
        self.position(kid)
            .ok()
            .map(|i| self.secrets.remove(i).secret)
    }

    /// The secret for `kid` as it was added, without the first-use check (for export).
    pub fn get(&self, kid: &str) -> Option<&Secret> {
        self.held(kid).map(|h| &h.secret)
    }

    /// The secret for `kid` (`None` when not held), after the first-use check.
    pub fn secret(&self, kid: &str) -> Result<Option<Secret>> {
        self.held(kid).map(|h| h.checked().cloned()).transpose()
    }

    fn held(&self, kid: &str) -> Option<&Held> {
        self.position(kid).ok().and_then(|i| self.secrets.get(i))
    }

    /// The kids held, sorted.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.secrets.iter().map(|h| h.secret.kid.as_str())
    }
}

impl SecretsResolver for SecretsStore {
    async fn get_secret(&self, kid: &str) -> Result<Option<Secret>> {
        self.secret(kid)
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
    docs: &[Arc<DidDocument>],
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
    docs: &[Arc<DidDocument>],
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

    #[test]
    fn a_stated_public_key_is_checked_on_first_use() {
        let ours = SecretKey::generate(Curve::P384).unwrap();
        let other = SecretKey::generate(Curve::P384).unwrap();
        let mut good = Value::Object(jwk::secret_to_jwk(&ours));
        good["kid"] = "did:a#good".into();
        let mut bad = good.clone();
        bad["kid"] = "did:a#bad".into();
        let theirs = jwk::public_to_jwk(&other.public_key());
        bad["x"] = theirs["x"].clone();
        bad["y"] = theirs["y"].clone();
        // The eager form refuses the mismatch at once.
        let e = Secret::from_jwk_checked(&bad).unwrap_err();
        assert!(e.message().contains("did:a#bad") && e.message().contains("do not match"));
        // The store takes both; the mismatch fails each use, naming the kid, and the good
        // key is unaffected.
        let store = SecretsStore::from_jwks(&[good, bad]).unwrap();
        assert_eq!(store.kids().count(), 2);
        for _ in 0..2 {
            let e = pollster::block_on(store.get_secret("did:a#bad")).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Malformed);
            assert!(e.message().contains("did:a#bad") && e.message().contains("do not match"));
        }
        let got = pollster::block_on(store.get_secret("did:a#good"))
            .unwrap()
            .unwrap();
        assert_eq!(got.key.public_key(), ours.public_key());
        // Form is still checked when added: a point off the curve is refused then.
        let mut off = Value::Object(jwk::secret_to_jwk(&ours));
        off["kid"] = "did:a#off".into();
        off["y"] = off["x"].clone();
        assert!(SecretsStore::new().insert_jwk(&off).is_err());
    }
}
