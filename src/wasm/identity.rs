//! The JS face of the DID methods: creating identities and keys, and the did:web URL
//! rules (the fetch itself happens in `js/api.js`). Feature `did-methods`.

use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::crypto::{Curve, SecretKey};
use crate::did::identity::{self, Identity, PeerOptions};
use crate::did::{web, Endpoint};
use crate::error::{err, Result};
use crate::message::fields::type_name;
use crate::wasm::convert::{from_json_secret, js_error, scrub_jwk, to_json};

type JsResult<T> = std::result::Result<T, JsValue>;

/// `createPeerDID({ numalgo, agreement, authentication, services })`.
#[wasm_bindgen(js_name = createPeerDid)]
pub fn create_peer_did(options: JsValue) -> JsResult<JsValue> {
    peer_did(&options).map_err(js_error)
}

fn peer_did(options: &JsValue) -> Result<JsValue> {
    let options = if options.is_undefined() || options.is_null() {
        Map::new()
    } else {
        match to_json(options, "options")? {
            Value::Object(map) => map,
            other => {
                return Err(err!(
                    IllegalArgument,
                    "createPeerDID options must be an object, got {}",
                    type_name(&other)
                ))
            }
        }
    };
    let defaults = PeerOptions::default();
    let peer = PeerOptions {
        agreement: curves(&options, "agreement")?.unwrap_or(defaults.agreement),
        authentication: curves(&options, "authentication")?.unwrap_or(defaults.authentication),
        services: match options.get("services") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|s| Endpoint::from_value(s).map_err(|e| e.context("options.services")))
                .collect::<Result<_>>()?,
            Some(other) => {
                return Err(err!(
                    IllegalArgument,
                    "options.services must be an array of {{ uri, accept?, routingKeys? }}, got {}",
                    type_name(other)
                ))
            }
        },
    };
    let identity = match options.get("numalgo") {
        None | Some(Value::Null) => identity::create_peer_2(&peer)?,
        Some(n) if n == 2 => identity::create_peer_2(&peer)?,
        Some(n) if n == 4 => identity::create_peer_4(&peer)?,
        Some(other) => {
            return Err(err!(
                IllegalArgument,
                "options.numalgo must be 2 or 4, got {other}"
            ))
        }
    };
    Ok(identity_value(identity))
}

/// `createKeyDID(curve)`.
#[wasm_bindgen(js_name = createKeyDid)]
pub fn create_key_did(curve: JsValue) -> JsResult<JsValue> {
    let curve = curve_arg(&curve, Curve::Ed25519).map_err(js_error)?;
    identity::create_key(curve)
        .map(identity_value)
        .map_err(js_error)
}

/// `generateKey(curve)`: a fresh private JWK (no `kid`).
#[wasm_bindgen(js_name = generateKey)]
pub fn generate_key(curve: JsValue) -> JsResult<JsValue> {
    let curve = curve_arg(&curve, Curve::X25519).map_err(js_error)?;
    let key = SecretKey::generate(curve).map_err(js_error)?;
    let mut jwk = Value::Object(crate::jose::jwk::secret_to_jwk(&key));
    let js = from_json_secret(&jwk);
    scrub_jwk(&mut jwk);
    Ok(js)
}

/// The https URL of a did:web document.
#[wasm_bindgen(js_name = didWebUrl)]
pub fn did_web_url(did: &str) -> JsResult<String> {
    web::url_for(did).map_err(js_error)
}

/// `{ did, document, secrets }`, plus `shortDid` for a did:peer:4.
fn identity_value(identity: Identity) -> JsValue {
    let mut out = Map::new();
    if let Some(short) = crate::did::peer::short_form_4(&identity.did) {
        out.insert("shortDid".into(), short.into());
    }
    out.insert("did".into(), identity.did.into());
    out.insert("document".into(), identity.document.to_value());
    let secrets: Vec<Value> = identity
        .secrets
        .iter()
        .map(|s| Value::Object(s.to_jwk()))
        .collect();
    out.insert("secrets".into(), secrets.into());
    let mut value = Value::Object(out);
    let js = from_json_secret(&value);
    // The private scalars were in this JSON; wipe them now that JS holds its copy.
    if let Some(Value::Array(secrets)) = value.get_mut("secrets") {
        secrets.iter_mut().for_each(scrub_jwk);
    }
    js
}

fn curve_arg(value: &JsValue, default: Curve) -> Result<Curve> {
    if value.is_undefined() || value.is_null() {
        return Ok(default);
    }
    let name = value.as_string().ok_or_else(|| {
        err!(
            IllegalArgument,
            "curve must be a string such as 'X25519' or 'P-256'"
        )
    })?;
    curve_named(&name)
}

fn curve_named(name: &str) -> Result<Curve> {
    Curve::from_name(name).ok_or_else(|| {
        err!(
            Unsupported,
            "unknown curve '{name}' (X25519, Ed25519, P-256, P-384, P-521, secp256k1)"
        )
    })
}

fn curves(options: &Map<String, Value>, name: &str) -> Result<Option<Vec<Curve>>> {
    match options.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|c| {
                c.as_str().map(curve_named).unwrap_or_else(|| {
                    Err(err!(
                        IllegalArgument,
                        "options.{name} must list curve names, got {}",
                        type_name(c)
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(Some),
        Some(other) => Err(err!(
            IllegalArgument,
            "options.{name} must be an array of curve names, got {}",
            type_name(other)
        )),
    }
}
