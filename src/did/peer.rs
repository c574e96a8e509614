//! did:peer numalgo 0, 2 and 4 (CHECKLIST §11).
//!
//! did:peer:2 resolves to the spec's document (keys `#key-1`, `#key-2`, … in DID order;
//! services `#service`, `#service-1`, …). DIDs made by older implementations still in the
//! field are read too: several services in one `.S` element as a JSON array, unabbreviated
//! service keys, and keys those implementations named by fingerprint (`#6LSqYtvs…`), which
//! resolve as aliases of the `#key-N` ids so messages addressed either way find their key.

use std::sync::Mutex;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::did::service::{didcomm_service_value, Endpoint, Service};
use crate::did::{key, multikey, DidDocument, KeyMaterial, VerificationMethod};
use crate::error::{err, Result};
use crate::jose::b64;
use crate::message::fields::object;

/// Resolves a did:peer DID. A short-form did:peer:4 resolves only after its long form was
/// seen (resolved or created) by this process.
pub fn resolve(did: &str) -> Result<DidDocument> {
    let rest = did
        .strip_prefix("did:peer:")
        .ok_or_else(|| err!(IllegalArgument, "{did} is not a did:peer"))?;
    match rest.as_bytes().first() {
        Some(b'0') => {
            let mb = &rest[1..];
            key::document(did, &multikey::decode(mb, did)?, mb)
        }
        Some(b'2') => resolve_2(did, &rest[1..]),
        Some(b'4') => resolve_4(did, &rest[1..]),
        _ => Err(err!(
            Unsupported,
            "{did}: only did:peer numalgo 0, 2 and 4 are supported"
        )),
    }
}

// --- numalgo 2 ---

fn resolve_2(did: &str, elements: &str) -> Result<DidDocument> {
    let mut doc = DidDocument {
        id: did.to_owned(),
        ..Default::default()
    };
    let mut services: Vec<Value> = Vec::new();
    let mut aliases = Vec::new();
    for element in elements.split('.').skip(1) {
        let (purpose, body) = element
            .split_at_checked(1)
            .ok_or_else(|| err!(Malformed, "{did}: empty element"))?;
        // The document model keeps three relationships; capabilityInvocation (I) and
        // capabilityDelegation (D) keys are listed as methods only.
        let relationship = match purpose {
            "A" => Some(&mut doc.assertion_method),
            "E" => Some(&mut doc.key_agreement),
            "V" => Some(&mut doc.authentication),
            "I" | "D" => None,
            "S" => {
                let bytes = b64::decode(body, "did:peer:2 service")?;
                let value: Value = serde_json::from_slice(&bytes).map_err(|_| {
                    err!(Malformed, "{did}: a service element is not base64url JSON")
                })?;
                match value {
                    Value::Array(list) => services.extend(list), // legacy: several in one element
                    one => services.push(one),
                }
                continue;
            }
            other => return Err(err!(Malformed, "{did}: unknown purpose code '{other}'")),
        };
        let key = multikey::decode(body, did)?; // validated now, with the DID in the error
        let kid = format!("{did}#key-{}", doc.verification_methods.len() + 1);
        if let Some(kids) = relationship {
            kids.push(kid.clone());
        }
        doc.verification_methods.push(
            VerificationMethod::new(
                kid.clone(),
                "Multikey".into(),
                did.to_owned(),
                KeyMaterial::Multibase(body.to_owned()),
            )
            .with_key(key),
        );
        // Fingerprint ids of older implementations: 8 characters, the whole fingerprint,
        // and the whole multibase.
        let fingerprint = &body[1..];
        for alias in [
            fingerprint.get(..8).unwrap_or(fingerprint),
            fingerprint,
            body,
        ] {
            aliases.push((format!("{did}#{alias}"), kid.clone()));
        }
    }
    for (i, raw) in services.iter().enumerate() {
        let fallback = if i == 0 {
            format!("{did}#service")
        } else {
            format!("{did}#service-{i}")
        };
        let id = raw
            .get("id")
            .and_then(Value::as_str)
            .map_or(fallback, |id| crate::did::document::absolute(id, did));
        let service = Service::from_value(raw, id.clone()).map_err(|e| e.context(did))?;
        doc.services.push(match service.endpoints.as_slice() {
            [endpoint] if service.is_didcomm() => didcomm_service_value(&id, endpoint),
            _ => expand(raw, &id),
        });
        // Legacy service ids: #didcommmessaging-0, -1, …
        aliases.push((format!("{did}#didcommmessaging-{i}"), id));
    }
    doc.also_known_as.push(peer3(elements));
    doc.aliases = aliases;
    Ok(doc)
}

/// A service with its abbreviations expanded (`t`/`dm`, `s`, `r`, `a`).
fn expand(raw: &Value, id: &str) -> Value {
    let mut out = Map::new();
    if let Some(obj) = raw.as_object() {
        for (k, v) in obj {
            let key = match k.as_str() {
                "t" => "type",
                "s" => "serviceEndpoint",
                "r" => "routingKeys",
                "a" => "accept",
                other => other,
            };
            let v = if key == "type" && v == "dm" {
                Value::from("DIDCommMessaging")
            } else {
                v.clone()
            };
            out.insert(key.to_owned(), v);
        }
    }
    out.insert("id".into(), id.into());
    Value::Object(out)
}

/// did:peer:3: the SHA-256 multihash of the did:peer:2 DID without its `did:peer:2` prefix.
fn peer3(elements: &str) -> String {
    format!("did:peer:3{}", multihash_sha256(elements.as_bytes()))
}

fn multihash_sha256(data: &[u8]) -> String {
    let mut mh = vec![0x12, 0x20];
    mh.extend_from_slice(&Sha256::digest(data));
    format!("z{}", bs58::encode(mh).into_string())
}

/// The did:peer:2 DID of keys and DIDCommMessaging endpoints, in the spec's abbreviated
/// encoding. `keys` are `(purpose code, multikey)`, e.g. `('E', "z6LS…")`.
pub fn create_2(keys: &[(char, String)], endpoints: &[Endpoint]) -> Result<String> {
    let mut did = String::from("did:peer:2");
    for (purpose, mb) in keys {
        if !"AEVID".contains(*purpose) {
            return Err(err!(
                IllegalArgument,
                "did:peer:2 purpose must be one of A, E, V, I, D, got {purpose}"
            ));
        }
        multikey::decode(mb, "did:peer:2 key")?;
        did.push('.');
        did.push(*purpose);
        did.push_str(mb);
    }
    for ep in endpoints {
        let mut s = Map::new();
        s.insert("uri".into(), ep.uri.clone().into());
        if !ep.accept.is_empty() {
            s.insert("a".into(), ep.accept.clone().into());
        }
        if !ep.routing_keys.is_empty() {
            s.insert("r".into(), ep.routing_keys.clone().into());
        }
        // serde_json without `preserve_order` sorts keys: {"s":…,"t":"dm"} is as valid as
        // the spec example's order; resolution does not depend on it.
        let service = object([("t", "dm".into()), ("s", Value::Object(s))]);
        did.push_str(".S");
        did.push_str(&b64::encode(service.to_string()));
    }
    Ok(did)
}

// --- numalgo 4 ---

/// Long forms seen, `(short form, long form)` sorted by short form: short forms resolve
/// from these. Bounded, since the DIDs come from input: past the limit the oldest-keyed half
/// is dropped.
const LONG_FORMS_LIMIT: usize = 4096;
static LONG_FORMS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

fn long_form_index(forms: &[(String, String)], short: &str) -> std::result::Result<usize, usize> {
    forms.binary_search_by(|(s, _)| s.as_str().cmp(short))
}

fn resolve_4(did: &str, rest: &str) -> Result<DidDocument> {
    let (hash, encoded) = match rest.split_once(':') {
        Some(parts) => parts,
        None => {
            let long = LONG_FORMS
                .lock()
                .ok()
                .and_then(|forms| {
                    let i = long_form_index(&forms, did).ok()?;
                    forms.get(i).map(|(_, long)| long.clone())
                })
                .ok_or_else(|| err!(DidNotFound, "{did}: a short-form did:peer:4 resolves only from its long form, which was not seen"))?;
            return document_4(&long, did, false);
        }
    };
    let expected = multihash_sha256(encoded.as_bytes());
    if hash != expected {
        return Err(err!(
            Malformed,
            "{did}: did:peer:4 hash does not match the encoded document"
        ));
    }
    let short = format!("did:peer:4{hash}");
    if let Ok(mut forms) = LONG_FORMS.lock() {
        remember(&mut forms, &short, did, LONG_FORMS_LIMIT);
    }
    document_4(did, &short, true)
}

/// Records `long` for `short`. A new short form past `limit` entries first drops the
/// oldest-keyed half.
fn remember(forms: &mut Vec<(String, String)>, short: &str, long: &str, limit: usize) {
    let mut at = long_form_index(forms, short);
    if forms.len() >= limit && at.is_err() {
        forms.drain(..limit / 2);
        at = long_form_index(forms, short);
    }
    match at {
        Ok(i) => {
            if let Some(entry) = forms.get_mut(i) {
                entry.1 = long.to_owned();
            }
        }
        Err(i) => forms.insert(i, (short.to_owned(), long.to_owned())),
    }
}

/// The document of a did:peer:4 (`long` form), with `id` the long form or the short one.
fn document_4(long: &str, short: &str, as_long: bool) -> Result<DidDocument> {
    let encoded = long.rsplit_once(':').map(|(_, e)| e).unwrap_or_default();
    let bytes = multikey::multibase_decode(encoded, "did:peer:4 document")?;
    let json = bytes.strip_prefix(&[0x80, 0x04][..]).ok_or_else(|| {
        err!(
            Malformed,
            "{long}: did:peer:4 document is not multicodec JSON"
        )
    })?;
    let mut doc: Value = serde_json::from_slice(json)
        .map_err(|_| err!(Malformed, "{long}: did:peer:4 document is not JSON"))?;
    let obj = doc
        .as_object_mut()
        .ok_or_else(|| err!(Malformed, "{long}: did:peer:4 document is not an object"))?;
    let (id, aka) = if as_long {
        (long, short)
    } else {
        (short, long)
    };
    obj.insert("id".into(), id.into());
    obj.insert("alsoKnownAs".into(), vec![aka].into());
    if let Some(Value::Array(vms)) = obj.get_mut("verificationMethod") {
        for vm in vms.iter_mut().filter_map(Value::as_object_mut) {
            vm.entry("controller").or_insert_with(|| id.into());
        }
    }
    let mut doc = DidDocument::from_value(&doc)?;
    // Peers address a did:peer:4 by either form: each kid's twin under the other form
    // is an alias.
    let other = if as_long { short } else { long };
    doc.aliases = doc
        .verification_methods
        .iter()
        .filter_map(|vm| {
            vm.id
                .strip_prefix(id)
                .map(|frag| (format!("{other}{frag}"), vm.id.clone()))
        })
        .collect();
    Ok(doc)
}

/// The long-form did:peer:4 of an input document (no `id`; relative ids).
pub fn create_4(input: &Value) -> Result<String> {
    if input.get("id").is_some() {
        return Err(err!(
            IllegalArgument,
            "a did:peer:4 input document must not have an 'id'"
        ));
    }
    let mut bytes = vec![0x80, 0x04];
    bytes.extend(input.to_string().into_bytes());
    let encoded = format!("z{}", bs58::encode(bytes).into_string());
    let did = format!(
        "did:peer:4{}:{encoded}",
        multihash_sha256(encoded.as_bytes())
    );
    resolve(&did)?; // validates, and records the long form for its short form
    Ok(did)
}

/// The short form of a long-form did:peer:4.
pub fn short_form_4(long: &str) -> Option<&str> {
    long.strip_prefix("did:peer:4")
        .and_then(|rest| rest.split_once(':'))
        .map(|(hash, _)| &long[..10 + hash.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_forms_stay_sorted_and_bounded() {
        let mut forms = Vec::new();
        for n in [5, 1, 7, 3, 5] {
            remember(&mut forms, &format!("s{n}"), &format!("l{n}"), 4);
        }
        let shorts = |f: &[(String, String)]| f.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>();
        assert_eq!(shorts(&forms), ["s1", "s3", "s5", "s7"]);
        // Full: a known short form is updated in place, a new one drops the lower half.
        remember(&mut forms, "s3", "again", 4);
        assert_eq!(forms.len(), 4);
        assert_eq!(forms[1], ("s3".to_owned(), "again".to_owned()));
        remember(&mut forms, "s2", "l2", 4);
        assert_eq!(shorts(&forms), ["s2", "s5", "s7"]);
        assert_eq!(long_form_index(&forms, "s5"), Ok(1));
        assert_eq!(long_form_index(&forms, "s4"), Err(1));
    }
}
