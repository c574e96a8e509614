//! The JS face: a thin binding over the core (`DidComm`). Arguments cross as JSON; every
//! failure rejects with `{ code, message, cause? }`, which `js/api.js` turns into a
//! `DIDCommError`. Nothing here can panic on input.

/// Talc in place of the standard library's dlmalloc: smaller wasm, same behaviour for us
/// (single-threaded, memory grows as needed).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

mod backend;
mod convert;
#[cfg(feature = "did-methods")]
mod identity;
mod resolvers;
#[cfg(feature = "transport")]
mod transport;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::{Array, Promise};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

#[cfg(feature = "did-methods")]
use crate::did::{Builtins, ChainResolver, DocCache};
use crate::error::{err, Error, Result};
use crate::message::fields::{self, object, type_name};
use crate::pack::{PackEncryptedMetadata, PackEncryptedOptions};
use crate::secrets::SecretsStore;
use crate::unpack::UnpackOptions;
use crate::{ContentEnc, DidComm, ErrorKind, FromPrior, Limits, Message};
use convert::{
    from_json, from_json_secret, js_error, js_string, js_type, scrub_jwk, stringify, to_json,
    to_json_secret, Failure,
};
use resolvers::{has_method, DocMemo, JsDidResolver, JsSecrets, Thrown};

/// The built-in in-memory secrets store. Keys are parsed once and never leave wasm.
#[wasm_bindgen]
pub struct SecretsStoreCore {
    inner: Rc<RefCell<SecretsStore>>,
}

#[wasm_bindgen]
impl SecretsStoreCore {
    #[wasm_bindgen(constructor)]
    pub fn new() -> SecretsStoreCore {
        SecretsStoreCore {
            inner: Rc::default(),
        }
    }

    /// Adds (or replaces) a private JWK with a `kid`; its public part must match `d`, which
    /// the store checks when the secret is first used.
    pub fn add(&self, jwk: JsValue) -> std::result::Result<(), JsValue> {
        let mut jwk = to_json_secret(&jwk, "JWK").map_err(js_error)?;
        let added = self.inner.borrow_mut().insert_jwk(&jwk);
        scrub_jwk(&mut jwk);
        added.map_err(js_error)
    }

    pub fn remove(&self, kid: &str) -> bool {
        self.inner.borrow_mut().remove(kid).is_some()
    }

    pub fn has(&self, kid: &str) -> bool {
        self.inner.borrow().get(kid).is_some()
    }

    pub fn kids(&self) -> Array {
        self.inner.borrow().kids().map(JsValue::from_str).collect()
    }

    /// Every secret as a private JWK with its `kid`, for persisting the store.
    pub fn export(&self) -> Array {
        let store = self.inner.borrow();
        store
            .kids()
            .filter_map(|kid| store.get(kid))
            .map(|secret| {
                let mut jwk = Value::Object(secret.to_jwk());
                let js = from_json_secret(&jwk);
                scrub_jwk(&mut jwk);
                js
            })
            .collect()
    }
}

impl Default for SecretsStoreCore {
    fn default() -> Self {
        SecretsStoreCore::new()
    }
}

/// Packs and unpacks with a JS DID resolver (behind the built-in methods) and either a JS
/// secrets resolver or the built-in store.
#[wasm_bindgen]
pub struct DIDCommCore {
    did_resolver: JsValue,
    secrets: SecretsSource,
    limits: Limits,
    /// What the JS resolver answered, shared by this instance's calls.
    memo: DocMemo,
    #[cfg(feature = "did-methods")]
    builtins: Builtins,
    /// Built-in documents, shared by this instance's calls.
    #[cfg(feature = "did-methods")]
    cache: DocCache,
}

#[derive(Clone)]
enum SecretsSource {
    Store(Rc<RefCell<SecretsStore>>),
    Js(JsValue),
}

#[cfg(feature = "did-methods")]
type Dids = ChainResolver<JsDidResolver>;
#[cfg(not(feature = "did-methods"))]
type Dids = JsDidResolver;
type Core = DidComm<Dids, JsSecrets>;

#[wasm_bindgen]
impl DIDCommCore {
    /// With a JS secrets resolver (`getSecret`, `findSecrets`). `builtin_key` and
    /// `builtin_peer` say whether did:key and did:peer are answered in wasm (the JS
    /// resolver sees them otherwise).
    #[wasm_bindgen(constructor)]
    pub fn new(
        did_resolver: JsValue,
        secrets_resolver: JsValue,
        builtin_key: bool,
        builtin_peer: bool,
        limits: JsValue,
    ) -> std::result::Result<DIDCommCore, JsValue> {
        for name in ["getSecret", "findSecrets"] {
            if !has_method(&secrets_resolver, name) {
                return Err(js_error(err!(
                    IllegalArgument,
                    "secretsResolver must have a {name}() method"
                )));
            }
        }
        DIDCommCore::build(
            did_resolver,
            SecretsSource::Js(secrets_resolver),
            builtin_key,
            builtin_peer,
            &limits,
        )
    }

    /// With the built-in store.
    #[wasm_bindgen(js_name = withStore)]
    pub fn with_store(
        did_resolver: JsValue,
        store: &SecretsStoreCore,
        builtin_key: bool,
        builtin_peer: bool,
        limits: JsValue,
    ) -> std::result::Result<DIDCommCore, JsValue> {
        DIDCommCore::build(
            did_resolver,
            SecretsSource::Store(store.inner.clone()),
            builtin_key,
            builtin_peer,
            &limits,
        )
    }

    /// Resolves a DID through the built-ins and the JS resolver: its document as JSON.
    pub fn resolve(&self, did: String) -> Promise {
        self.run(move |core| async move {
            if !crate::did::is_did(&did) || crate::did::did_of(&did) != did {
                return Err(err!(
                    IllegalArgument,
                    "resolveDID takes a DID without fragment, query or path, got '{did}'"
                ));
            }
            let doc = crate::did::resolve_known(core.did_resolver(), &did).await?;
            Ok(from_json(&doc.to_value()))
        })
    }

    /// `json` is the message's `JSON.stringify` text, made by `js/api.js` (`messageJson`):
    /// a call out to it from here costs more than the stringify itself on small messages.
    #[wasm_bindgen(js_name = packPlaintext)]
    pub fn pack_plaintext(&self, message: JsValue, json: JsValue) -> Promise {
        // No resolver is asked, so none is set up (`run`): a tenth of the call.
        match pack_plaintext(&message, json) {
            Ok(packed) => Promise::resolve(&packed),
            Err(error) => Promise::reject(&js_error(error)),
        }
    }

    #[wasm_bindgen(js_name = packSigned)]
    pub fn pack_signed(&self, message: JsValue, json: JsValue, options: JsValue) -> Promise {
        self.run(move |core| async move {
            let (_, message) = message_text(&message, json)?;
            let options = read_options(&options, "packSigned", true)?;
            let sign_by = opt_string(&options, "signBy")?.ok_or_else(|| {
                err!(
                    IllegalArgument,
                    "packSigned needs options.signBy (a DID or kid)"
                )
            })?;
            let (packed, meta) = core.pack_signed_json(&message, &sign_by).await?;
            let values = [
                js_string(&packed),
                JsValue::from_str(&meta.sign_by_kid),
                JsValue::from_str(meta.sign_alg.name()),
            ];
            Ok(values.iter().collect::<Array>().into())
        })
    }

    #[wasm_bindgen(js_name = packEncrypted)]
    pub fn pack_encrypted(&self, message: JsValue, json: JsValue, options: JsValue) -> Promise {
        self.run(move |core| async move {
            let (_, message) = message_text(&message, json)?;
            let options = read_options(&options, "packEncrypted", true)?;
            let to = opt_string(&options, "to")?.ok_or_else(|| {
                err!(
                    IllegalArgument,
                    "packEncrypted needs options.to (a DID or kid)"
                )
            })?;
            let pack_options = PackEncryptedOptions {
                from: opt_string(&options, "from")?,
                sign_by: opt_string(&options, "signBy")?,
                protect_sender: opt_bool(&options, "protectSender")?.unwrap_or(false),
                enc_alg_anon: enc_alg_anon(&options)?,
                forward: opt_bool(&options, "forward")?.unwrap_or(true),
                forward_headers: opt_object(&options, "forwardHeaders")?,
                messaging_service: opt_string(&options, "messagingService")?,
            };
            let (packed, meta) = core
                .pack_encrypted_json(&message, &to, &pack_options)
                .await?;
            Ok(encrypted_result(&packed, &meta))
        })
    }

    /// DID rotation: signs `claims` (`{ iss, sub, iat, aud?, exp?, nbf?, jti? }`) as a
    /// from_prior JWT with `issuer_kid` or the first held authentication key of `iss`
    /// (js/api.js checks the argument types and sets `iat`).
    #[wasm_bindgen(js_name = packFromPrior)]
    pub fn pack_from_prior(&self, claims: JsValue, issuer_kid: Option<String>) -> Promise {
        self.run(move |core| async move {
            let claims = match to_json(&claims, "claims")? {
                Value::Object(obj) => FromPrior::from_map(&obj)?,
                _ => return Err(err!(IllegalArgument, "claims must be an object")),
            };
            let (jwt, kid) = core.pack_from_prior(&claims, issuer_kid.as_deref()).await?;
            Ok(from_json(&object([
                ("jwt", jwt.into()),
                ("issuerKid", kid.into()),
            ])))
        })
    }

    pub fn unpack(&self, packed: JsValue, options: JsValue) -> Promise {
        self.run(move |core| async move {
            let options = read_options(&options, "unpack", false)?;
            let unpack_options = UnpackOptions {
                expect_decrypt_by_all_keys: opt_bool(&options, "expectDecryptByAllKeys")?
                    .unwrap_or(false),
                unwrap_re_wrapping_forward: opt_bool(&options, "unwrapReWrappingForward")?
                    .unwrap_or(false),
            };
            let js = packed_js(packed, "unpack")?;
            // UTF-8 has at least as many bytes as UTF-16 units: refuse before copying.
            crate::Limits::bound(
                "bytes in the packed message",
                js.length() as usize,
                core.limits().max_packed_bytes,
                "maxPackedBytes",
            )?;
            let unpacked = core
                .unpack_with_text(&js_text(&js), &unpack_options)
                .await?;
            Ok(unpack_result(&unpacked))
        })
    }

    /// Wraps a packed message in anoncrypted forwards, one per routing key, last key first.
    #[wasm_bindgen(js_name = wrapInForward)]
    pub fn wrap_in_forward(&self, packed: JsValue, options: JsValue) -> Promise {
        self.run(move |core| async move {
            let packed = js_text(&packed_js(packed, "wrapInForward")?);
            let options = read_options(&options, "wrapInForward", true)?;
            let next = opt_string(&options, "next")?.ok_or_else(|| {
                err!(
                    IllegalArgument,
                    "wrapInForward needs options.next (the DID or kid the message is for)"
                )
            })?;
            let routing_keys = match options.get("routingKeys") {
                Some(Value::Array(keys)) if !keys.is_empty() => keys
                    .iter()
                    .map(|k| k.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>(),
                _ => None,
            }
            .ok_or_else(|| {
                err!(
                    IllegalArgument,
                    "wrapInForward needs options.routingKeys, a non-empty array of kids or DIDs"
                )
            })?;
            let headers = opt_object(&options, "headers")?;
            let enc = enc_alg_anon(&options)?;
            let wrapped = core
                .wrap_in_forward(&packed, &next, &routing_keys, &headers, enc)
                .await?;
            Ok(js_string(&wrapped))
        })
    }
}

impl DIDCommCore {
    #[cfg_attr(not(feature = "did-methods"), allow(unused_variables))]
    fn build(
        did_resolver: JsValue,
        secrets: SecretsSource,
        builtin_key: bool,
        builtin_peer: bool,
        limits: &JsValue,
    ) -> std::result::Result<DIDCommCore, JsValue> {
        check_did_resolver(&did_resolver)?;
        let limits = read_limits(limits).map_err(js_error)?;
        Ok(DIDCommCore {
            did_resolver,
            secrets,
            limits,
            memo: DocMemo::default(),
            #[cfg(feature = "did-methods")]
            builtins: Builtins {
                key: builtin_key,
                peer: builtin_peer,
            },
            #[cfg(feature = "did-methods")]
            cache: DocCache::default(),
        })
    }

    /// Runs one call on a fresh core over this instance's resolvers, as a Promise. A
    /// resolver error carries what the JS resolver threw as its `cause`.
    fn run<F, Fut>(&self, f: F) -> Promise
    where
        F: FnOnce(Core) -> Fut,
        Fut: Future<Output = Result<JsValue>> + 'static,
    {
        let (core, thrown) = self.core();
        settle(Box::pin(f(core)), thrown)
    }

    /// A fresh core over this instance's resolvers; out of line, so that each method's
    /// `run` does not carry its own copy.
    #[inline(never)]
    fn core(&self) -> (Core, Rc<Thrown>) {
        let thrown = Rc::new(Thrown::default());
        let secrets = match &self.secrets {
            SecretsSource::Store(store) => JsSecrets::Store(store.clone()),
            SecretsSource::Js(obj) => JsSecrets::Js {
                obj: obj.clone(),
                thrown: thrown.clone(),
            },
        };
        let js = JsDidResolver {
            obj: self.did_resolver.clone(),
            thrown: thrown.clone(),
            memo: self.memo.clone(),
            limits: self.limits,
            asked: Default::default(),
        };
        #[cfg(feature = "did-methods")]
        let js = ChainResolver {
            inner: js,
            builtins: self.builtins,
            cache: self.cache.clone(),
        };
        let mut core = DidComm::new(js, secrets);
        // Checked when the instance was made (`read_limits`).
        core.limits = self.limits;
        (core, thrown)
    }
}

/// Every call's future is boxed so the executor glue is compiled once, not once per method.
fn settle(fut: Pin<Box<dyn Future<Output = Result<JsValue>>>>, thrown: Rc<Thrown>) -> Promise {
    promise(Box::pin(async move {
        fut.await.map_err(|error| {
            let cause = if error.kind() == ErrorKind::Resolver {
                thrown.take()
            } else {
                None
            };
            Failure { error, cause }.into()
        })
    }))
}

/// The one `future_to_promise` instantiation (the core's calls and the transports). The
/// future is polled once at once: a call that never waits on JS (a plaintext message, a
/// built-in DID, the secrets store) settles here, with no task, microtask or closures. A
/// future still pending goes to the executor, whose first poll registers its waker (every
/// future re-registers on each poll, so the throwaway waker of this poll is never needed).
fn promise(
    mut fut: Pin<Box<dyn Future<Output = std::result::Result<JsValue, JsValue>>>>,
) -> Promise {
    let mut cx = Context::from_waker(Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(value)) => Promise::resolve(&value),
        Poll::Ready(Err(error)) => Promise::reject(&error),
        Poll::Pending => future_to_promise(fut),
    }
}

/// Bytes of wasm linear memory: for leak tests and diagnostics.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

fn check_did_resolver(resolver: &JsValue) -> std::result::Result<(), JsValue> {
    if has_method(resolver, "resolve") {
        Ok(())
    } else {
        Err(js_error(err!(
            IllegalArgument,
            "didResolver must have a resolve(did) method"
        )))
    }
}

/// The packed plaintext of a JS message. Its JSON text, when already in wire form, is the
/// packed message itself (`pack::plaintext_json`): the JS string goes back as it is. (The
/// text read is that string exactly: `JSON.stringify` escapes lone surrogates, the one
/// thing `TextEncoder` would have replaced.)
fn pack_plaintext(value: &JsValue, json: JsValue) -> Result<JsValue> {
    let (js, text) = message_text(value, json)?;
    Ok(match crate::pack::plaintext_json(&text)? {
        std::borrow::Cow::Borrowed(_) => js,
        std::borrow::Cow::Owned(packed) => js_string(&packed),
    })
}

/// A JS message's `JSON.stringify` text (`json`, made by `js/api.js`), as the JS string and
/// as text in wasm (for the `_json` packs, which read it as `pack::plaintext_json` does).
fn message_text(value: &JsValue, json: JsValue) -> Result<(JsValue, String)> {
    check_message(value)?;
    let text = convert::text(&json)
        .ok_or_else(|| err!(IllegalArgument, "message cannot be serialized to JSON"))?;
    Ok((json, text))
}

/// The message argument, when it is an object (not an array).
fn check_message(value: &JsValue) -> Result<&JsValue> {
    if !value.is_object() || js_sys::Array::is_array(value) {
        let kind = if js_sys::Array::is_array(value) {
            "array".into()
        } else {
            js_type(value)
        };
        return Err(err!(
            IllegalArgument,
            "message must be an object, got {kind}"
        ));
    }
    Ok(value)
}

fn read_message(value: &JsValue) -> Result<Message> {
    match to_json(check_message(value)?, "message")? {
        Value::Object(obj) => Message::from_object(obj),
        // JSON.stringify of an object is an object, unless its toJSON says otherwise.
        other => Message::from_value(&other),
    }
}

/// The options object as JSON; `undefined` is `{}` unless `required`.
fn read_options(value: &JsValue, call: &str, required: bool) -> Result<Map<String, Value>> {
    if value.is_undefined() || value.is_null() {
        return if required {
            Err(err!(IllegalArgument, "{call} needs an options object"))
        } else {
            Ok(Map::new())
        };
    }
    match to_json(value, "options")? {
        Value::Object(map) => Ok(map),
        other => Err(err!(
            IllegalArgument,
            "{call} options must be an object, got {}",
            type_name(&other)
        )),
    }
}

fn opt_string(options: &Map<String, Value>, name: &str) -> Result<Option<String>> {
    fields::opt_str(options, name, "options").map_err(as_argument_error)
}

fn enc_alg_anon(options: &Map<String, Value>) -> Result<ContentEnc> {
    match opt_string(options, "encAlgAnon")? {
        None => Ok(ContentEnc::default()),
        Some(name) => ContentEnc::from_name(&name).ok_or_else(|| {
            err!(
                IllegalArgument,
                "options.encAlgAnon must be 'A256CBC-HS512', 'A256GCM' or 'XC20P', got '{name}'"
            )
        }),
    }
}

fn opt_object(options: &Map<String, Value>, name: &str) -> Result<Map<String, Value>> {
    fields::opt_object(options, name, "options")
        .map(|o| o.cloned().unwrap_or_default())
        .map_err(as_argument_error)
}

/// The `limits` option of `new DIDComm`: the defaults, with any of them replaced.
fn read_limits(value: &JsValue) -> Result<Limits> {
    let mut limits = Limits::default();
    if value.is_undefined() || value.is_null() {
        return Ok(limits);
    }
    let Value::Object(given) = to_json(value, "options.limits")? else {
        return Err(err!(IllegalArgument, "options.limits must be an object"));
    };
    for (name, value) in &given {
        let field = limits.field_mut(name).ok_or_else(|| {
            err!(
                IllegalArgument,
                "options.limits.{name} is not a limit; the limits are {}",
                Limits::NAMES.join(", ")
            )
        })?;
        *field = value
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| {
                err!(
                    IllegalArgument,
                    "options.limits.{name} must be a positive integer"
                )
            })?;
    }
    limits.check()?;
    Ok(limits)
}

/// `defaultLimits()`: the limits a `DIDComm` has unless told otherwise.
#[wasm_bindgen(js_name = defaultLimits)]
pub fn default_limits() -> JsValue {
    let limits = Limits::default();
    let obj = js_sys::Object::new();
    for (name, value) in Limits::NAMES.iter().zip(limits.values()) {
        let _ = js_sys::Reflect::set(&obj, &(*name).into(), &(value as f64).into());
    }
    obj.into()
}

/// A packed message given as JSON text or as an object, as a JS string: an object through
/// `JSON.stringify`, so that every packed message enters as text, checked in one place.
fn packed_js(value: JsValue, call: &str) -> Result<js_sys::JsString> {
    let text = match value.is_object() {
        true => stringify(&value, "packed message")?,
        false => value,
    };
    text.dyn_into::<js_sys::JsString>().map_err(|other| {
        err!(
            IllegalArgument,
            "{call} takes a packed message as a JSON string or object, got {}",
            js_type(&other)
        )
    })
}

/// The text of a JS string (never absent: the value is a string).
fn js_text(js: &js_sys::JsString) -> String {
    convert::text(js).unwrap_or_default()
}

/// `parseForward(message)`: `{ next, forwarded }` of a forward message, or null.
#[wasm_bindgen(js_name = parseForward)]
pub fn parse_forward(message: JsValue) -> std::result::Result<JsValue, JsValue> {
    let message = read_message(&message).map_err(js_error)?;
    match crate::routing::Forward::parse(&message).map_err(js_error)? {
        None => Ok(JsValue::NULL),
        Some(f) => Ok(from_json(&object([
            ("next", f.next.into()),
            ("forwarded", f.forwarded),
        ]))),
    }
}

fn opt_bool(options: &Map<String, Value>, name: &str) -> Result<Option<bool>> {
    fields::opt_bool(options, name, "options").map_err(as_argument_error)
}

/// The message-header readers say Malformed; in an options object it is an argument error.
fn as_argument_error(e: Error) -> Error {
    Error::new(ErrorKind::IllegalArgument, e.message())
}

/// What `packEncrypted` resolves to, as `js/api.js` (`packedEncrypted`) turns it into
/// `{ packed, metadata }`: `[packed, fromKid, toKids, signByKid, serviceId, serviceUri,
/// routingKeys]`, absent members `undefined`. Values, not JSON, as for `unpack`.
fn encrypted_result(packed: &str, meta: &PackEncryptedMetadata) -> JsValue {
    let service = meta.messaging_service.as_ref();
    [
        js_string(packed),
        opt_text(meta.from_kid.as_deref()),
        text_list(&meta.to_kids),
        opt_text(meta.sign_by_kid.as_deref()),
        opt_text(service.map(|s| s.id.as_str())),
        opt_text(service.map(|s| s.uri.as_str())),
        service.map_or(JsValue::UNDEFINED, |s| text_list(&s.routing_keys)),
    ]
    .into_iter()
    .collect::<Array>()
    .into()
}

/// A string of metadata, or `undefined` when absent.
fn opt_text(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::UNDEFINED, js_string)
}

/// A list of kids as a JS array of strings.
fn text_list(items: &[String]) -> JsValue {
    items
        .iter()
        .map(|k| JsValue::from_str(k))
        .collect::<Array>()
        .into()
}

/// What `unpack` resolves to, as `js/api.js` (`unpacked`) turns it into `{ message, metadata }`:
/// `[message JSON, flags, encAlgAnon, encAlgAuth, encryptedFromKid, encryptedToKids,
/// fromPrior, fromPriorIssuerKid, signAlg, signFrom, signedMessage]`, absent members
/// `undefined`; flags 1 encrypted, 2 authenticated, 4 nonRepudiation, 8 anonymousSender, 16
/// reWrappedInForward. Only the message crosses as JSON: JS builds the metadata object from
/// these values faster than it parses it.
fn unpack_result(unpacked: &crate::Unpacked) -> JsValue {
    let meta = &unpacked.meta;
    let flags = [
        meta.encrypted,
        meta.authenticated,
        meta.non_repudiation,
        meta.anonymous_sender,
        meta.re_wrapped_in_forward,
    ]
    .iter()
    .enumerate()
    .fold(0u32, |acc, (i, set)| acc | (u32::from(*set) << i));
    let to_kids = meta
        .encrypted_to_kids
        .as_ref()
        .map_or(JsValue::UNDEFINED, |kids| text_list(kids));
    let from_prior = meta
        .from_prior
        .as_ref()
        .map_or(JsValue::UNDEFINED, |claims| from_json(&claims.to_value()));
    [
        match &unpacked.text {
            Some(text) => js_string(text),
            None => js_string(&unpacked.message.to_json()),
        },
        flags.into(),
        opt_text(meta.enc_alg_anon.map(ContentEnc::name)),
        opt_text(meta.enc_alg_auth.map(ContentEnc::name)),
        opt_text(meta.encrypted_from_kid.as_deref()),
        to_kids,
        from_prior,
        opt_text(meta.from_prior_issuer_kid.as_deref()),
        opt_text(meta.sign_alg.map(|a| a.name())),
        opt_text(meta.sign_from.as_deref()),
        opt_text(meta.signed_message.as_deref()),
    ]
    .into_iter()
    .collect::<Array>()
    .into()
}
