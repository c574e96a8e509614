//! did:key (CHECKLIST §11): the document follows from the key itself. Ed25519 keys also get
//! the X25519 key-agreement key derived from them (the Montgomery form of the point).

use serde_json::json;

use crate::crypto::PublicKey;
use crate::did::{multikey, DidDocument};
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
    let vm = |id: &str, mb: &str| json!({"id": id, "type": "Multikey", "controller": did, "publicKeyMultibase": mb});
    let kid = format!("{did}#{mb}");
    let value = match key {
        PublicKey::X25519(_) => {
            json!({"id": did, "verificationMethod": [vm(&kid, mb)], "keyAgreement": [kid]})
        }
        PublicKey::Ed25519(k) => {
            let x25519 = PublicKey::X25519(k.to_montgomery().to_bytes().into());
            let x_mb = multikey::encode(&x25519);
            let x_kid = format!("{did}#{x_mb}");
            json!({
                "id": did,
                "verificationMethod": [vm(&kid, mb), vm(&x_kid, &x_mb)],
                "authentication": [kid], "assertionMethod": [kid], "keyAgreement": [x_kid],
            })
        }
        // The EC curves sign and agree with the same key (secp256k1 too, as did:key lists
        // it, although DIDComm's key agreement does not use that curve).
        _ => json!({
            "id": did, "verificationMethod": [vm(&kid, mb)],
            "authentication": [kid], "assertionMethod": [kid], "keyAgreement": [kid],
        }),
    };
    let mut doc = DidDocument::from_value(&value)?;
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
