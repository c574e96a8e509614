//! did:key (CHECKLIST §11): the document follows from the key itself. Ed25519 keys also get
//! the X25519 key-agreement key derived from them (the Montgomery form of the point).

use crate::crypto::PublicKey;
use crate::did::{multikey, DidDocument, KeyMaterial, VerificationMethod};
use crate::error::{err, Result};

/// Resolves `did:key:z…`.
pub fn resolve(did: &str) -> Result<DidDocument> {
    let mb = did
        .strip_prefix("did:key:")
        .ok_or_else(|| err!(IllegalArgument, "{did} is not a did:key"))?;
    document(did, &multikey::decode(mb, did)?, mb)
}

/// The did:key of a public key.
pub fn did_for(key: &PublicKey) -> String {
    format!("did:key:{}", multikey::encode(key))
}

/// The document of `did` whose key is `key` (multikey text `mb`). did:peer:0 uses it too.
pub(crate) fn document(did: &str, key: &PublicKey, mb: &str) -> Result<DidDocument> {
    let vm = |mb: &str| {
        VerificationMethod::new(
            format!("{did}#{mb}"),
            "Multikey".into(),
            did.to_owned(),
            KeyMaterial::Multibase(mb.to_owned()),
        )
    };
    let key_vm = vm(mb).with_key(key.clone());
    let kid = key_vm.id.clone();
    let mut doc = DidDocument {
        id: did.to_owned(),
        verification_methods: vec![key_vm],
        ..Default::default()
    };
    match key {
        PublicKey::X25519(_) => doc.key_agreement.push(kid),
        PublicKey::Ed25519(k) => {
            let x25519 = PublicKey::X25519(k.to_montgomery().to_bytes().into());
            let x_vm = vm(&multikey::encode(&x25519)).with_key(x25519);
            doc.key_agreement.push(x_vm.id.clone());
            doc.verification_methods.push(x_vm);
            doc.authentication.push(kid.clone());
            doc.assertion_method.push(kid);
        }
        // The EC curves sign and agree with the same key (secp256k1 too, as did:key lists
        // it, although DIDComm's key agreement does not use that curve).
        _ => {
            doc.authentication.push(kid.clone());
            doc.assertion_method.push(kid.clone());
            doc.key_agreement.push(kid);
        }
    }
    // Older libraries name these keys by fingerprint (`#6MkpTHR8`, `#6MkpTHR8…`).
    doc.aliases = doc
        .verification_methods
        .iter()
        .flat_map(|vm| fingerprint_aliases(did, &vm.id))
        .collect();
    Ok(doc)
}

/// `(alias, kid)` for the fingerprint forms of a key whose id ends in `#z…`: the first 8
/// characters after `z`, and all of them.
pub(crate) fn fingerprint_aliases(did: &str, kid: &str) -> Vec<(String, String)> {
    let Some(fingerprint) = kid.rsplit_once("#z").map(|(_, f)| f) else {
        return Vec::new();
    };
    let short = fingerprint.get(..8).unwrap_or(fingerprint);
    [short, fingerprint]
        .iter()
        .map(|f| (format!("{did}#{f}"), kid.to_owned()))
        .collect()
}
