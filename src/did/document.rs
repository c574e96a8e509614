//! The DID document model, read leniently: verification methods listed in
//! `verificationMethod` or embedded in a relationship, relationships by reference or
//! embedded, relative ids (`#key-1`) made absolute, unknown members ignored.

use serde_json::{Map, Value};

use crate::crypto::PublicKey;
use crate::error::{err, json_error, Result};
use crate::jose::jwk;
use crate::message::fields::{opt_str, req_str, type_name};

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
}

impl VerificationMethod {
    /// The public key, validated (on-curve checks included).
    pub fn public_key(&self) -> Result<PublicKey> {
        match &self.material {
            KeyMaterial::Jwk(jwk) => {
                jwk::public_from_jwk(jwk).map_err(|e| e.context(format_args!("key {}", self.id)))
            }
            KeyMaterial::Multibase(_) | KeyMaterial::Base58(_) => Err(err!(
                Unsupported,
                "key {} ({}): only publicKeyJwk keys are read so far",
                self.id,
                self.type_
            )),
            KeyMaterial::None => Err(err!(
                Malformed,
                "key {} has no public key material",
                self.id
            )),
        }
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
        Ok(VerificationMethod {
            id: absolute(&req_str(obj, "id", what)?, doc_id),
            type_: opt_str(obj, "type", what)?.unwrap_or_default(),
            controller: opt_str(obj, "controller", what)?
                .map_or_else(|| doc_id.to_owned(), |c| absolute(&c, doc_id)),
            material,
        })
    }
}

/// A DID document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DidDocument {
    pub id: String,
    pub verification_methods: Vec<VerificationMethod>,
    /// Absolute kids, in document order.
    pub authentication: Vec<String>,
    pub key_agreement: Vec<String>,
    pub assertion_method: Vec<String>,
    /// Service entries as they came.
    pub services: Vec<Value>,
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
        doc.services = list(obj, "service")?.to_vec();
        Ok(doc)
    }

    pub fn verification_method(&self, kid: &str) -> Option<&VerificationMethod> {
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
        if !self.relationship(rel).iter().any(|k| k == kid) {
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

fn absolute(id: &str, doc_id: &str) -> String {
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
}
