//! The DID document model, read leniently: verification methods listed in
//! `verificationMethod` or embedded in a relationship; relationships by reference or
//! embedded; relative ids (`#key-1`) made absolute; keys as JsonWebKey2020, Multikey,
//! X25519KeyAgreementKey2019/2020 and Ed25519VerificationKey2018/2020; services in every
//! shape (`service.rs`); `alsoKnownAs`, `controller`; unknown members ignored.

use std::fmt;
use std::sync::OnceLock;

use serde_json::{Map, Value};

#[cfg(feature = "did-methods")]
use crate::crypto::Curve;
use crate::crypto::PublicKey;
#[cfg(feature = "did-methods")]
use crate::did::multikey;
use crate::did::service::Service;
use crate::error::{err, json_error, Result};
use crate::jose::jwk;
use crate::message::fields::{opt_str, opt_str_list, req_str, type_name};

/// A verification relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relationship {
    Authentication,
    KeyAgreement,
    AssertionMethod,
}

impl Relationship {
    /// The member name in a DID document.
    pub fn name(self) -> &'static str {
        match self {
            Relationship::Authentication => "authentication",
            Relationship::KeyAgreement => "keyAgreement",
            Relationship::AssertionMethod => "assertionMethod",
        }
    }
}

/// How a verification method carries its public key.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyMaterial {
    Jwk(Value),
    Multibase(String),
    Base58(String),
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VerificationMethod {
    /// Absolute DID URL.
    pub id: String,
    pub type_: String,
    pub controller: String,
    pub material: KeyMaterial,
    memo: KeyMemo,
}

/// The key [`VerificationMethod::public_key`] read, with the type and material it read it
/// from. Reading is a pure function of those two, so while they are unchanged (they are
/// public: a caller may change them) the answer stands: a document is read once and used
/// for many messages, and its keys (the on-curve checks of P-384 and P-521 ones above all)
/// need not be read again for each. Not part of a method's identity or printed form.
#[derive(Clone, Default)]
struct KeyMemo(OnceLock<(String, KeyMaterial, PublicKey)>);

impl PartialEq for KeyMemo {
    fn eq(&self, _: &KeyMemo) -> bool {
        true
    }
}

impl fmt::Debug for KeyMemo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("..")
    }
}

impl VerificationMethod {
    pub fn new(id: String, type_: String, controller: String, material: KeyMaterial) -> Self {
        VerificationMethod {
            id,
            type_,
            controller,
            material,
            memo: KeyMemo::default(),
        }
    }

    /// A method whose material is known to be `key` (read from it already), so that
    /// [`VerificationMethod::public_key`] need not read it again.
    #[cfg(feature = "did-methods")]
    pub(crate) fn with_key(self, key: PublicKey) -> VerificationMethod {
        let _ = self
            .memo
            .0
            .set((self.type_.clone(), self.material.clone(), key));
        self
    }

    /// The public key, validated (on-curve checks included).
    pub fn public_key(&self) -> Result<PublicKey> {
        if let Some((type_, material, key)) = self.memo.0.get() {
            if *type_ == self.type_ && *material == self.material {
                return Ok(key.clone());
            }
            return self.read_key();
        }
        let key = self.read_key()?;
        let _ = self
            .memo
            .0
            .set((self.type_.clone(), self.material.clone(), key.clone()));
        Ok(key)
    }

    fn read_key(&self) -> Result<PublicKey> {
        // Named in errors only: no string per key per call on the way that works.
        let name = || format!("key {}", self.id);
        match &self.material {
            KeyMaterial::Jwk(jwk) => jwk::public_from_jwk(jwk).map_err(|e| e.context(name())),
            #[cfg(feature = "did-methods")]
            KeyMaterial::Multibase(text) => {
                let what = name();
                let bytes = multikey::multibase_decode(text, &what)?;
                match self.raw_key_curve() {
                    // Some publishers put the bare key in publicKeyMultibase for the 2020
                    // suites; the multicodec form is what the suites specify.
                    Some(curve) if bytes.len() == 32 => {
                        multikey::from_key_bytes(curve, &bytes).map_err(|e| e.context(&what))
                    }
                    _ => multikey::decode_codec_key(&bytes, &what),
                }
            }
            #[cfg(feature = "did-methods")]
            KeyMaterial::Base58(text) => {
                let what = name();
                let curve = self.raw_key_curve().ok_or_else(|| {
                    err!(
                        Unsupported,
                        "{what}: publicKeyBase58 of type '{}' is not supported",
                        self.type_
                    )
                })?;
                multikey::from_key_bytes(curve, &multikey::base58_decode(text, &what)?)
                    .map_err(|e| e.context(&what))
            }
            #[cfg(not(feature = "did-methods"))]
            KeyMaterial::Multibase(_) | KeyMaterial::Base58(_) => Err(err!(
                Unsupported,
                "{} ({}): keys in publicKeyMultibase/publicKeyBase58 need the did-methods feature",
                name(),
                self.type_
            )),
            KeyMaterial::None => Err(err!(Malformed, "{} has no public key material", name())),
        }
    }

    /// The curve a suite type implies for bare key bytes.
    #[cfg(feature = "did-methods")]
    fn raw_key_curve(&self) -> Option<Curve> {
        match self.type_.as_str() {
            "X25519KeyAgreementKey2019" | "X25519KeyAgreementKey2020" => Some(Curve::X25519),
            "Ed25519VerificationKey2018" | "Ed25519VerificationKey2020" => Some(Curve::Ed25519),
            "EcdsaSecp256k1VerificationKey2019" => Some(Curve::Secp256k1),
            "P256Key2021" | "EcdsaSecp256r1VerificationKey2019" => Some(Curve::P256),
            "P384Key2021" => Some(Curve::P384),
            "P521Key2021" => Some(Curve::P521),
            _ => None,
        }
    }

    /// The JSON form, with the key material as it came.
    pub fn to_value(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("id".into(), self.id.clone().into());
        obj.insert("type".into(), self.type_.clone().into());
        obj.insert("controller".into(), self.controller.clone().into());
        match &self.material {
            KeyMaterial::Jwk(jwk) => {
                obj.insert("publicKeyJwk".into(), jwk.clone());
            }
            KeyMaterial::Multibase(mb) => {
                obj.insert("publicKeyMultibase".into(), mb.clone().into());
            }
            KeyMaterial::Base58(b58) => {
                obj.insert("publicKeyBase58".into(), b58.clone().into());
            }
            KeyMaterial::None => {}
        }
        Value::Object(obj)
    }

    fn from_value(value: &Value, doc_id: &str) -> Result<VerificationMethod> {
        let obj = value.as_object().ok_or_else(|| {
            err!(
                Malformed,
                "a verification method must be an object, got {}",
                type_name(value)
            )
        })?;
        let what = "verification method";
        let material = if let Some(jwk) = obj.get("publicKeyJwk") {
            KeyMaterial::Jwk(jwk.clone())
        } else if let Some(mb) = opt_str(obj, "publicKeyMultibase", what)? {
            KeyMaterial::Multibase(mb)
        } else if let Some(b58) = opt_str(obj, "publicKeyBase58", what)? {
            KeyMaterial::Base58(b58)
        } else {
            KeyMaterial::None
        };
        Ok(VerificationMethod::new(
            absolute(&req_str(obj, "id", what)?, doc_id),
            opt_str(obj, "type", what)?.unwrap_or_default(),
            opt_str(obj, "controller", what)?
                .map_or_else(|| doc_id.to_owned(), |c| absolute(&c, doc_id)),
            material,
        ))
    }
}

/// A DID document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DidDocument {
    pub id: String,
    pub also_known_as: Vec<String>,
    pub controller: Vec<String>,
    pub verification_methods: Vec<VerificationMethod>,
    /// Absolute kids, in document order.
    pub authentication: Vec<String>,
    pub key_agreement: Vec<String>,
    pub assertion_method: Vec<String>,
    /// Service entries as they came, ids made absolute; typed on request
    /// ([`DidDocument::didcomm_services`]), so an odd entry never makes the keys unusable.
    pub services: Vec<Value>,
    /// Other ids of the same keys, `(alias, kid)`: the fingerprint ids older did:peer:2
    /// implementations give keys that the spec now numbers `#key-N`.
    pub aliases: Vec<(String, String)>,
}

impl DidDocument {
    pub fn from_json(json: &str) -> Result<DidDocument> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| err!(Malformed, "DID document is not JSON: {}", json_error(&e)))?;
        DidDocument::from_value(&value)
    }

    pub fn from_value(value: &Value) -> Result<DidDocument> {
        let obj = value
            .as_object()
            .ok_or_else(|| err!(Malformed, "a DID document must be a JSON object"))?;
        let id = req_str(obj, "id", "DID document")?;
        let mut doc = DidDocument {
            id,
            ..Default::default()
        };
        for vm in list(obj, "verificationMethod")? {
            let vm = VerificationMethod::from_value(vm, &doc.id).map_err(|e| e.context(&doc.id))?;
            doc.verification_methods.push(vm);
        }
        for rel in [
            Relationship::Authentication,
            Relationship::KeyAgreement,
            Relationship::AssertionMethod,
        ] {
            let mut kids = Vec::new();
            for entry in list(obj, rel.name())? {
                let kid = match entry {
                    Value::String(reference) => absolute(reference, &doc.id),
                    embedded => {
                        let vm = VerificationMethod::from_value(embedded, &doc.id)
                            .map_err(|e| e.context(format_args!("{} {}", doc.id, rel.name())))?;
                        let kid = vm.id.clone();
                        if doc.verification_method(&kid).is_none() {
                            doc.verification_methods.push(vm);
                        }
                        kid
                    }
                };
                kids.push(kid);
            }
            *doc.relationship_mut(rel) = kids;
        }
        for (i, entry) in list(obj, "service")?.iter().enumerate() {
            let id = entry.get("id").and_then(Value::as_str).map_or_else(
                || format!("{}#service-{i}", doc.id),
                |id| absolute(id, &doc.id),
            );
            let mut entry = entry.clone();
            if let Some(obj) = entry.as_object_mut() {
                obj.insert("id".into(), id.into());
            }
            doc.services.push(entry);
        }
        doc.also_known_as = strings(obj, "alsoKnownAs")?;
        doc.controller = strings(obj, "controller")?;
        Ok(doc)
    }

    /// The JSON form: methods in `verificationMethod`, relationships by reference.
    pub fn to_value(&self) -> Value {
        let mut obj = Map::new();
        obj.insert(
            "@context".into(),
            vec![
                "https://www.w3.org/ns/did/v1",
                "https://w3id.org/security/multikey/v1",
                "https://w3id.org/security/suites/jws-2020/v1",
            ]
            .into(),
        );
        obj.insert("id".into(), self.id.clone().into());
        if !self.also_known_as.is_empty() {
            obj.insert("alsoKnownAs".into(), self.also_known_as.clone().into());
        }
        if !self.controller.is_empty() {
            obj.insert("controller".into(), self.controller.clone().into());
        }
        obj.insert(
            "verificationMethod".into(),
            self.verification_methods
                .iter()
                .map(VerificationMethod::to_value)
                .collect(),
        );
        for rel in [
            Relationship::Authentication,
            Relationship::KeyAgreement,
            Relationship::AssertionMethod,
        ] {
            if !self.relationship(rel).is_empty() {
                obj.insert(rel.name().into(), self.relationship(rel).to_vec().into());
            }
        }
        if !self.services.is_empty() {
            obj.insert("service".into(), Value::Array(self.services.clone()));
        }
        Value::Object(obj)
    }

    /// The service entries, typed, in document order.
    pub fn typed_services(&self) -> impl Iterator<Item = Result<Service>> + '_ {
        self.services.iter().map(|entry| {
            let id = entry
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            Service::from_value(entry, id)
        })
    }

    /// The DIDCommMessaging services that parse, in document order.
    pub fn didcomm_services(&self) -> Vec<Service> {
        self.typed_services()
            .filter_map(Result::ok)
            .filter(Service::is_didcomm)
            .collect()
    }

    /// Other ids of the key `kid` names: its canonical kid and every alias of that,
    /// without `kid` itself.
    pub fn equivalent_kids(&self, kid: &str) -> Vec<String> {
        let canonical = self.canonical_kid(kid);
        std::iter::once(canonical)
            .chain(
                self.aliases
                    .iter()
                    .filter(|(_, c)| c == canonical)
                    .map(|(a, _)| a.as_str()),
            )
            .filter(|k| *k != kid)
            .map(str::to_owned)
            .collect()
    }

    /// The canonical kid for `kid` (itself, or the kid an alias stands for).
    pub fn canonical_kid<'a>(&'a self, kid: &'a str) -> &'a str {
        self.aliases
            .iter()
            .find(|(alias, _)| alias == kid)
            .map_or(kid, |(_, canonical)| canonical.as_str())
    }

    /// The method with id `kid` or an alias of it.
    pub fn verification_method(&self, kid: &str) -> Option<&VerificationMethod> {
        let kid = self.canonical_kid(kid);
        self.verification_methods.iter().find(|vm| vm.id == kid)
    }

    pub fn relationship(&self, rel: Relationship) -> &[String] {
        match rel {
            Relationship::Authentication => &self.authentication,
            Relationship::KeyAgreement => &self.key_agreement,
            Relationship::AssertionMethod => &self.assertion_method,
        }
    }

    fn relationship_mut(&mut self, rel: Relationship) -> &mut Vec<String> {
        match rel {
            Relationship::Authentication => &mut self.authentication,
            Relationship::KeyAgreement => &mut self.key_agreement,
            Relationship::AssertionMethod => &mut self.assertion_method,
        }
    }

    /// The verification methods of a relationship, in document order; references to
    /// methods the document does not define are skipped.
    pub fn methods(&self, rel: Relationship) -> impl Iterator<Item = &VerificationMethod> {
        self.relationship(rel)
            .iter()
            .filter_map(|kid| self.verification_method(kid))
    }

    /// The method `kid`, which must be in relationship `rel`.
    pub fn method_in(&self, kid: &str, rel: Relationship) -> Result<&VerificationMethod> {
        let canonical = self.canonical_kid(kid);
        if !self.relationship(rel).iter().any(|k| k == canonical) {
            return Err(err!(
                KidNotFound,
                "{kid} is not in the {} of {}",
                rel.name(),
                self.id
            ));
        }
        self.verification_method(kid).ok_or_else(|| {
            err!(
                KidNotFound,
                "{} lists {kid} but does not define it",
                self.id
            )
        })
    }
}

fn list<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a [Value]> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(one @ (Value::Object(_) | Value::String(_))) => Ok(std::slice::from_ref(one)),
        Some(other) => Err(err!(
            Malformed,
            "DID document '{name}' must be an array, got {}",
            type_name(other)
        )),
    }
}

/// A string or array of strings (`alsoKnownAs`, `controller`).
fn strings(obj: &Map<String, Value>, name: &str) -> Result<Vec<String>> {
    Ok(opt_str_list(obj, name, "DID document")?.unwrap_or_default())
}

pub(crate) fn absolute(id: &str, doc_id: &str) -> String {
    if id.starts_with('#') || id.starts_with('?') {
        format!("{doc_id}{id}")
    } else {
        id.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_embedded_referenced_and_relative_methods() {
        let doc = DidDocument::from_value(&json!({
            "id": "did:example:a",
            "verificationMethod": [{"id": "#k1", "type": "JsonWebKey2020",
                "publicKeyJwk": {"kty": "OKP", "crv": "X25519", "x": "avH0O2Y4tqLAq8y9zpianr8ajii5m4F_mICrzNlatXs"}}],
            "keyAgreement": ["#k1", {"id": "did:example:a#k2", "type": "Multikey", "publicKeyMultibase": "z6LS..."}],
            "authentication": "did:example:a#k1",
            "unknown": 5
        }))
        .unwrap();
        assert_eq!(doc.key_agreement, ["did:example:a#k1", "did:example:a#k2"]);
        assert_eq!(doc.authentication, ["did:example:a#k1"]);
        assert_eq!(doc.methods(Relationship::KeyAgreement).count(), 2);
        assert!(doc
            .method_in("did:example:a#k1", Relationship::KeyAgreement)
            .unwrap()
            .public_key()
            .is_ok());
        let e = doc
            .method_in("did:example:a#k2", Relationship::Authentication)
            .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::KidNotFound);
    }

    #[test]
    fn a_methods_key_is_read_once_and_again_when_its_material_changes() {
        let jwk = |x: &str| KeyMaterial::Jwk(json!({"kty": "OKP", "crv": "X25519", "x": x}));
        let x1 = "avH0O2Y4tqLAq8y9zpianr8ajii5m4F_mICrzNlatXs";
        let x2 = "LpYdPGsrb3ub4Hcgk5mOyl7QWDcoPdkE_7m6PwCb-T0";
        let method = |id: &str, material| {
            VerificationMethod::new(
                id.into(),
                "JsonWebKey2020".into(),
                "did:ex:a".into(),
                material,
            )
        };
        let mut vm = method("did:ex:a#1", jwk(x1));
        let first = vm.public_key().unwrap();
        assert_eq!(vm.public_key().unwrap(), first);
        assert_eq!(vm.clone().public_key().unwrap(), first);
        // Changed in place: the new material is read, not the remembered key.
        vm.material = jwk(x2);
        let second = vm.public_key().unwrap();
        assert_ne!(second, first);
        assert_eq!(crate::jose::b64::encode(second.coordinates().0), x2);
        vm.material = KeyMaterial::None;
        assert!(vm.public_key().is_err());
        // A key that does not read stays an error, and the memo is no part of a method's
        // identity.
        let broken = method("did:ex:a#2", jwk("AA"));
        assert!(broken.public_key().is_err() && broken.public_key().is_err());
        let fresh = method("did:ex:a#1", jwk(x1));
        assert_eq!(fresh, method("did:ex:a#1", jwk(x1)));
        assert!(format!("{fresh:?}").contains(x1));
    }
}
