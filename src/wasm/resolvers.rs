//! The core's resolver traits implemented over JS objects: a DID resolver with
//! `resolve(did)`, a secrets resolver with `getSecret(kid)` and `findSecrets(kids)`, each
//! sync or async, and the built-in store whose keys never leave wasm.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use js_sys::{Array, Reflect};
use serde_json::Value;
use wasm_bindgen::JsValue;

use crate::did::{DidDocument, DidResolver};
use crate::error::{err, Error, ErrorKind, Result};
use crate::limits::Limits;
use crate::secrets::{Secret, SecretsResolver, SecretsStore};
use crate::wasm::convert::{
    describe, js_type, method, scrub_jwk, settle, stringify, to_json_secret, utf8,
};

/// Remembers the first value a JS resolver threw, to attach as the error's `cause`.
#[derive(Default)]
pub struct Thrown(RefCell<Option<JsValue>>);

impl Thrown {
    /// An `ERR_RESOLVER` error for what a resolver threw, keeping the value as `cause`. A
    /// thrown `DIDCommError` (the package's own did:web resolver throws them) keeps its code.
    fn record(&self, value: JsValue, what: String) -> Error {
        let message = format!("{what}: {}", describe(&value));
        let is_ours = Reflect::get(&value, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .is_some_and(|n| n == "DIDCommError");
        let kind = is_ours
            .then(|| Reflect::get(&value, &"code".into()).ok()?.as_string())
            .flatten()
            .and_then(|code| ErrorKind::from_code(&code))
            .unwrap_or(ErrorKind::Resolver);
        self.0.borrow_mut().get_or_insert(value);
        Error::new(kind, message)
    }

    pub fn take(&self) -> Option<JsValue> {
        self.0.borrow_mut().take()
    }
}

/// Calls `obj.name(arg)` and settles the result. `what` names the call in an error (made
/// only then).
async fn call(
    obj: &JsValue,
    name: &str,
    arg: &JsValue,
    thrown: &Thrown,
    what: &dyn Fn() -> String,
) -> Result<JsValue> {
    let f = method(obj, name)
        .ok_or_else(|| err!(IllegalArgument, "resolver has no {name}() method"))?;
    let result = f.call1(obj, arg).map_err(|e| thrown.record(e, what()))?;
    settle(result).await.map_err(|e| thrown.record(e, what()))
}

/// A JS DID resolver: `resolve(did)` returns a DID document or null, directly or as a
/// Promise. A `did-resolver` `Resolver` (which returns `{ didDocument,
/// didResolutionMetadata }`) works as it is.
pub struct JsDidResolver {
    pub obj: JsValue,
    pub thrown: Rc<Thrown>,
    pub memo: DocMemo,
    pub limits: Limits,
    /// The answers given during this call (one per DID): a pack or unpack asks the JS
    /// resolver once per DID (a signed authcrypt needs the sender's document twice), and so
    /// sees one answer for it throughout.
    pub asked: RefCell<Vec<(String, Option<Arc<DidDocument>>)>>,
}

/// The documents the JS resolver answered with, by DID, each with the JSON text it was read
/// from; shared by the calls of one instance. Reading a document is a pure function of its
/// text, so when the resolver answers with the same text again (compared as JS strings, in
/// JS) the document read last time is the answer: no copy into wasm, no JSON parsing, no
/// document model to build. Different text is read afresh, so nothing goes stale.
#[derive(Clone, Default)]
pub struct DocMemo(Rc<RefCell<Vec<MemoEntry>>>);

struct MemoEntry {
    did: String,
    text: JsValue,
    doc: Option<Arc<DidDocument>>,
}

/// Entries kept before the memo starts over (a bound, not a tuning knob).
const MEMO_LIMIT: usize = 256;

impl DocMemo {
    fn get(&self, did: &str, text: &JsValue) -> Option<Option<Arc<DidDocument>>> {
        let entries = self.0.borrow();
        let entry = entries.iter().find(|e| e.did == did)?;
        (entry.text == *text).then(|| entry.doc.clone())
    }

    fn put(&self, did: &str, text: JsValue, doc: &Option<Arc<DidDocument>>) {
        let mut entries = self.0.borrow_mut();
        let entry = MemoEntry {
            did: did.to_owned(),
            text,
            doc: doc.clone(),
        };
        match entries.iter_mut().find(|e| e.did == did) {
            Some(slot) => *slot = entry,
            None => {
                if entries.len() >= MEMO_LIMIT {
                    entries.clear();
                }
                entries.push(entry);
            }
        }
    }
}

impl DidResolver for JsDidResolver {
    async fn resolve(&self, did: &str) -> Result<Option<Arc<DidDocument>>> {
        // One document shared by the memo, this call's answers and the core: never copied.
        if let Some((_, doc)) = self.asked.borrow().iter().find(|(d, _)| d == did) {
            return Ok(doc.clone());
        }
        let doc = self.ask(did).await?;
        self.asked.borrow_mut().push((did.to_owned(), doc.clone()));
        Ok(doc)
    }
}

impl JsDidResolver {
    async fn ask(&self, did: &str) -> Result<Option<Arc<DidDocument>>> {
        let result = call(&self.obj, "resolve", &did.into(), &self.thrown, &|| {
            format!("DID resolver failed on {did}")
        })
        .await?;
        if result.is_null() || result.is_undefined() {
            return Ok(None);
        }
        if !result.is_object() {
            return Err(err!(
                Resolver,
                "DID resolver returned a {} for {did}; expected a DID document or null",
                js_type(&result)
            ));
        }
        let text = stringify(&result, "resolved DID document")
            .map_err(|e| err!(Resolver, "{did}: {}", e.message()))?;
        if let Some(doc) = self.memo.get(did, &text) {
            return Ok(doc);
        }
        let doc = read_document(did, &text, &self.limits)?.map(Arc::new);
        self.memo.put(did, text, &doc);
        Ok(doc)
    }
}

/// What a JS resolver answered for `did`, as JSON text: its document, or `None`.
fn read_document(did: &str, text: &JsValue, limits: &Limits) -> Result<Option<DidDocument>> {
    let bytes = utf8(text).ok_or_else(|| err!(Resolver, "{did}: the document is not JSON"))?;
    if bytes.len() > limits.max_did_document_bytes {
        return Err(err!(
            LimitExceeded,
            "DID document for {did}: {} bytes, over the limit of {} (limits.maxDidDocumentBytes)",
            bytes.len(),
            limits.max_did_document_bytes
        ));
    }
    let mut doc = limits
        .parse_json(&bytes, "resolved DID document")
        .map_err(|e| e.context(format_args!("DID document for {did}")))?;
    if let Some(resolution) = doc
        .as_object_mut()
        .filter(|o| o.contains_key("didResolutionMetadata"))
    {
        // The did-resolver `DIDResolutionResult` shape.
        let error = resolution
            .get("didResolutionMetadata")
            .and_then(|m| m.get("error"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        // take(), not remove(): no B-tree removal code for this one use.
        match (resolution.get_mut("didDocument").map(Value::take), error) {
            (Some(d), _) if d.is_object() => doc = d,
            (_, Some(e)) if e == "notFound" => return Ok(None),
            (_, Some(e)) => return Err(err!(Resolver, "DID resolver failed on {did}: {e}")),
            _ => return Ok(None),
        }
    }
    DidDocument::from_value(&doc)
        .map(Some)
        .map_err(|e| e.context(format_args!("DID document for {did}")))
}

/// The secrets a `DIDComm` instance uses: the built-in store, or a JS object with
/// `getSecret(kid)` and `findSecrets(kids)`.
pub enum JsSecrets {
    Store(Rc<RefCell<SecretsStore>>),
    Js { obj: JsValue, thrown: Rc<Thrown> },
}

impl SecretsResolver for JsSecrets {
    async fn get_secret(&self, kid: &str) -> Result<Option<Secret>> {
        let (obj, thrown) = match self {
            JsSecrets::Store(store) => return store.borrow().secret(kid),
            JsSecrets::Js { obj, thrown } => (obj, thrown),
        };
        let jwk = call(obj, "getSecret", &kid.into(), thrown, &|| {
            format!("secrets resolver failed on {kid}")
        })
        .await?;
        if jwk.is_null() || jwk.is_undefined() {
            return Ok(None);
        }
        if !jwk.is_object() {
            return Err(err!(
                Resolver,
                "getSecret({kid}) returned a {}; expected a private JWK or null",
                js_type(&jwk)
            ));
        }
        let mut jwk = to_json_secret(&jwk, "secret JWK")
            .map_err(|e| err!(Resolver, "getSecret({kid}): {}", e.message()))?;
        if let Some(obj) = jwk.as_object_mut() {
            // A JWK without `kid` is the secret for the kid asked for.
            obj.entry("kid").or_insert_with(|| kid.into());
        }
        let secret = Secret::from_jwk(&jwk);
        scrub_jwk(&mut jwk);
        secret.map(Some)
    }

    async fn find_secrets(&self, kids: &[&str]) -> Result<Vec<String>> {
        let (obj, thrown) = match self {
            JsSecrets::Store(store) => {
                let store = store.borrow();
                return Ok(kids
                    .iter()
                    .filter(|k| store.get(k).is_some())
                    .map(|k| (*k).to_owned())
                    .collect());
            }
            JsSecrets::Js { obj, thrown } => (obj, thrown),
        };
        let list: Array = kids.iter().map(|k| JsValue::from_str(k)).collect();
        let held = call(obj, "findSecrets", &list.into(), thrown, &|| {
            "secrets resolver findSecrets failed".into()
        })
        .await?;
        if !Array::is_array(&held) {
            return Err(err!(Resolver, "findSecrets() must return an array of kids"));
        }
        Ok(Array::from(&held)
            .iter()
            .filter_map(|k| k.as_string())
            .collect())
    }
}

/// Whether `obj` has a callable `name`.
pub fn has_method(obj: &JsValue, name: &str) -> bool {
    !obj.is_null()
        && !obj.is_undefined()
        && Reflect::has(obj, &name.into()).unwrap_or(false)
        && method(obj, name).is_some()
}
