//! Creating identities: fresh keys, a DID (did:peer:2, did:peer:4 or did:key), its
//! document, and its secrets with kids that match the document.

use serde_json::Value;

use crate::crypto::key::Material;
use crate::crypto::{Curve, PublicKey, SecretKey};
use crate::did::service::{didcomm_service_value, Endpoint};
use crate::did::{key, multikey, peer, DidDocument};
use crate::error::{err, Result};
use crate::message::fields::object;
use crate::secrets::Secret;

/// A created identity.
#[derive(Debug, Clone)]
pub struct Identity {
    pub did: String,
    pub document: DidDocument,
    pub secrets: Vec<Secret>,
}

/// What a did:peer identity holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerOptions {
    /// Curves of the key-agreement keys (X25519, P-256, P-384, P-521).
    pub agreement: Vec<Curve>,
    /// Curves of the authentication keys (Ed25519, P-256, secp256k1).
    pub authentication: Vec<Curve>,
    /// DIDCommMessaging endpoints.
    pub services: Vec<Endpoint>,
}

impl Default for PeerOptions {
    fn default() -> Self {
        PeerOptions {
            agreement: vec![Curve::X25519],
            authentication: vec![Curve::Ed25519],
            services: Vec::new(),
        }
    }
}

/// Fresh keys for `options`, key-agreement keys first: `(purpose code, secret)`.
fn keys(options: &PeerOptions) -> Result<Vec<(char, SecretKey)>> {
    if options.agreement.is_empty() && options.authentication.is_empty() {
        return Err(err!(IllegalArgument, "an identity needs at least one key"));
    }
    let mut out = Vec::new();
    for &curve in &options.agreement {
        if !curve.is_key_agreement() {
            return Err(err!(
                IllegalArgument,
                "{curve} cannot be a key-agreement key (X25519, P-256, P-384, P-521)"
            ));
        }
        out.push(('E', SecretKey::generate(curve)?));
    }
    for &curve in &options.authentication {
        if crate::crypto::SignAlg::for_curve(curve).is_none() {
            return Err(err!(
                IllegalArgument,
                "{curve} cannot be an authentication key (Ed25519, P-256, secp256k1)"
            ));
        }
        out.push(('V', SecretKey::generate(curve)?));
    }
    Ok(out)
}

/// A did:peer:2 with fresh keys and `options.services`. Secrets are `did#key-N`.
pub fn create_peer_2(options: &PeerOptions) -> Result<Identity> {
    let keys = keys(options)?;
    let elements: Vec<(char, String)> = keys
        .iter()
        .map(|(p, k)| (*p, multikey::encode(&k.public_key())))
        .collect();
    let did = peer::create_2(&elements, &options.services)?;
    let secrets = numbered(&did, keys);
    Ok(Identity {
        document: peer::resolve(&did)?,
        did,
        secrets,
    })
}

/// A did:peer:4 (long form) with fresh keys and `options.services`. Secrets are
/// `<long form>#key-N`; the short form's ids are aliases of them.
pub fn create_peer_4(options: &PeerOptions) -> Result<Identity> {
    let keys = keys(options)?;
    let mut vms = Vec::new();
    let (mut auth, mut agree) = (Vec::new(), Vec::new());
    for (i, (purpose, secret)) in keys.iter().enumerate() {
        let id = format!("#key-{}", i + 1);
        vms.push(object([
            ("id", id.clone().into()),
            ("type", "Multikey".into()),
            (
                "publicKeyMultibase",
                multikey::encode(&secret.public_key()).into(),
            ),
        ]));
        if *purpose == 'E' {
            agree.push(id)
        } else {
            auth.push(id)
        }
    }
    let services: Vec<Value> = options
        .services
        .iter()
        .enumerate()
        .map(|(i, ep)| {
            didcomm_service_value(
                &if i == 0 {
                    "#service".to_owned()
                } else {
                    format!("#service-{i}")
                },
                ep,
            )
        })
        .collect();
    let context = vec![
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ];
    let input = object([
        ("@context", context.into()),
        ("verificationMethod", vms.into()),
        ("authentication", auth.into()),
        ("keyAgreement", agree.into()),
        (
            "service",
            if services.is_empty() {
                Value::Null
            } else {
                services.into()
            },
        ),
    ]);
    let did = peer::create_4(&input)?;
    let secrets = numbered(&did, keys);
    Ok(Identity {
        document: peer::resolve(&did)?,
        did,
        secrets,
    })
}

/// A did:key of a fresh key on `curve`. An Ed25519 did:key also holds the secret of the
/// X25519 key derived from it.
pub fn create_key(curve: Curve) -> Result<Identity> {
    let secret = SecretKey::generate(curve)?;
    let public = secret.public_key();
    let did = key::did_for(&public);
    let mut secrets = vec![Secret {
        kid: format!("{did}#{}", multikey::encode(&public)),
        key: secret.clone(),
    }];
    if let Material::Ed25519(signing) = secret.material() {
        let x = SecretKey::from(Material::X25519(x25519_dalek::StaticSecret::from(
            signing.to_scalar_bytes(),
        )));
        secrets.push(Secret {
            kid: format!("{did}#{}", multikey::encode(&x.public_key())),
            key: x,
        });
    }
    Ok(Identity {
        document: key::resolve(&did)?,
        did,
        secrets,
    })
}

fn numbered(did: &str, keys: Vec<(char, SecretKey)>) -> Vec<Secret> {
    keys.into_iter()
        .enumerate()
        .map(|(i, (_, key))| Secret {
            kid: format!("{did}#key-{}", i + 1),
            key,
        })
        .collect()
}

/// Checks that every secret's public key is the document's key of the same kid.
pub fn check(identity: &Identity) -> Result<()> {
    for s in &identity.secrets {
        let vm = identity
            .document
            .verification_method(&s.kid)
            .ok_or_else(|| err!(KidNotFound, "{} is not in the document", s.kid))?;
        let public: PublicKey = vm.public_key()?;
        if public != s.key.public_key() {
            return Err(err!(
                Inconsistent,
                "secret {} does not match its document key",
                s.kid
            ));
        }
    }
    Ok(())
}
