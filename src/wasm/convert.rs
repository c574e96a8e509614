//! JS ↔ Rust value conversion, in one place: JS values cross as JSON, and errors cross as
//! plain `{ code, message, cause }` objects that the JS wrapper turns into `DIDCommError`.

use std::cell::RefCell;

use js_sys::{Function, JsString, Reflect, Uint8Array, JSON};
use serde_json::Value;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use zeroize::Zeroize;

use crate::error::{err, json_error, Error, Result};

/// A core error plus, when a JS resolver caused it, the value that resolver threw.
pub struct Failure {
    pub error: Error,
    pub cause: Option<JsValue>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure { error, cause: None }
    }
}

impl From<Failure> for JsValue {
    fn from(f: Failure) -> JsValue {
        let obj = js_sys::Object::new();
        // Reflect::set on a fresh plain object cannot fail.
        let _ = Reflect::set(&obj, &"code".into(), &f.error.kind().code().into());
        let _ = Reflect::set(&obj, &"message".into(), &f.error.message().into());
        if let Some(cause) = f.cause {
            let _ = Reflect::set(&obj, &"cause".into(), &cause);
        }
        obj.into()
    }
}

/// `JsValue` error for a core error (no JS cause).
pub fn js_error(error: Error) -> JsValue {
    Failure::from(error).into()
}

/// A JS value as JSON. `what` names the argument in errors. For a value that may hold a
/// private key, [`to_json_secret`].
pub fn to_json(value: &JsValue, what: &str) -> Result<Value> {
    parse_json(&stringify(value, what)?, what)
}

/// [`to_json`] of a private JWK: the JSON text is wiped once parsed.
pub fn to_json_secret(value: &JsValue, what: &str) -> Result<Value> {
    parse_text(&stringify(value, what)?, what, true)
}

/// `JSON.stringify(value)`, still a JS string. `what` names the argument in errors.
pub fn stringify(value: &JsValue, what: &str) -> Result<JsValue> {
    if value.is_undefined() {
        return Err(err!(IllegalArgument, "{what} is missing"));
    }
    JSON::stringify(value).map(JsValue::from).map_err(|e| {
        err!(
            IllegalArgument,
            "{what} cannot be serialized to JSON: {}",
            describe(&e)
        )
    })
}

/// JSON text held as a JS string (from [`stringify`]), parsed.
pub fn parse_json(text: &JsValue, what: &str) -> Result<Value> {
    parse_text(text, what, false)
}

fn parse_text(text: &JsValue, what: &str, wipe: bool) -> Result<Value> {
    let mut text =
        utf8(text).ok_or_else(|| err!(IllegalArgument, "{what} cannot be serialized to JSON"))?;
    // from_slice, as everywhere else: one copy of the JSON parser in the wasm.
    let value = serde_json::from_slice(&text).map_err(|e| {
        err!(
            IllegalArgument,
            "{what} is not valid JSON: {}",
            json_error(&e)
        )
    });
    if wipe {
        text.zeroize();
    }
    value
}

#[wasm_bindgen]
extern "C" {
    /// The platform's `TextEncoder` (every browser, Node 11+).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, source: &JsString, destination: &Uint8Array) -> Encoded;

    /// What `encodeInto` did: UTF-16 units read, bytes written.
    type Encoded;
    #[wasm_bindgen(method, getter)]
    fn read(this: &Encoded) -> u32;
    #[wasm_bindgen(method, getter)]
    fn written(this: &Encoded) -> u32;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// Below this many UTF-16 units wasm-bindgen's own copy is as fast (it makes no JS calls).
const SHORT_TEXT: u32 = 64;

/// Up to this many UTF-16 units, [`utf8`] makes room for the longest UTF-8 at once.
const ONE_ROUND: usize = 64 * 1024;

/// The text of a JS string (`None` for any other value).
pub fn text(value: &JsValue) -> Option<String> {
    let bytes = utf8(value)?;
    debug_assert!(std::str::from_utf8(&bytes).is_ok());
    // SAFETY: `utf8` holds only what `TextEncoder.encodeInto` or wasm-bindgen's own copy
    // wrote, which is UTF-8 by construction (a lone surrogate becomes U+FFFD, and
    // `encodeInto` never splits a pair). Checking it again took 0.35 ms on a 1 MiB message.
    Some(unsafe { String::from_utf8_unchecked(bytes) })
}

/// The UTF-8 of a JS string (`None` for any other value), written into wasm memory by the
/// platform's `TextEncoder.encodeInto`. wasm-bindgen's `as_string` copies an ASCII string
/// one character at a time in a JS loop: 8 ms for a 1 MiB message in Node, against 0.2 ms
/// here. Lone surrogates become U+FFFD, as with `as_string`.
pub fn utf8(value: &JsValue) -> Option<Vec<u8>> {
    let js = value.dyn_ref::<JsString>()?;
    let units = js.length();
    if units < SHORT_TEXT {
        return value.as_string().map(String::into_bytes);
    }
    let units = units as usize;
    ENCODER.with(|encoder| {
        // Up to ONE_ROUND units, room for 3 bytes per unit at once (always enough, so one
        // round, and `read` need not be asked). Longer text: room for ASCII first; whatever
        // is left after that gets 3 bytes per unit, so at most two rounds.
        let mut bytes: Vec<u8> = Vec::with_capacity(match units <= ONE_ROUND {
            true => units * 3,
            false => units,
        });
        let mut rest = js.clone();
        loop {
            let spare = bytes.spare_capacity_mut();
            // SAFETY: the view covers exactly the vector's spare capacity and is dropped before
            // anything else runs in wasm (no allocation can grow and detach the memory while it
            // is alive); `encodeInto` writes only inside it.
            let view = unsafe { Uint8Array::view_mut_raw(spare.as_mut_ptr().cast(), spare.len()) };
            let done = encoder.encode_into(&rest, &view);
            drop(view);
            let written = done.written() as usize;
            if written > bytes.capacity() - bytes.len() {
                return None;
            }
            // SAFETY: `encodeInto` initialised `written` bytes after the current length.
            unsafe { bytes.set_len(bytes.len() + written) };
            if units <= ONE_ROUND {
                break;
            }
            let (read, left) = (done.read(), rest.length());
            if read >= left {
                break;
            }
            rest = rest.slice(read, left);
            bytes.reserve(rest.length() as usize * 3);
        }
        Some(bytes)
    })
}

thread_local! {
    /// The platform's way to make a JS string of ASCII bytes in wasm memory, when it has one
    /// faster than `TextDecoder`: Node's `Buffer.toString('latin1')`, 7x faster on the 1.4 MB
    /// of a 1 MiB message's JWE. Set by the entry (`useAsciiDecoder`).
    static ASCII_DECODER: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Below this many bytes `TextDecoder`'s cost is the call, not the bytes.
const LONG_TEXT: usize = 1024;

/// `(memory, offset, length) → string` for ASCII bytes (`ASCII_DECODER`).
#[wasm_bindgen(js_name = useAsciiDecoder)]
pub fn use_ascii_decoder(decode: Function) {
    ASCII_DECODER.with(|d| *d.borrow_mut() = Some(decode));
}

/// `text` as a JS string: a long ASCII text (a packed message, most messages) through the
/// platform's decoder when there is one, anything else as wasm-bindgen copies it.
pub fn js_string(text: &str) -> JsValue {
    if text.len() >= LONG_TEXT && text.is_ascii() {
        let decoded = ASCII_DECODER.with(|d| {
            let decode = d.borrow();
            let args = (
                wasm_bindgen::memory(),
                text.as_ptr() as u32,
                text.len() as u32,
            );
            decode
                .as_ref()?
                .call3(&JsValue::NULL, &args.0, &args.1.into(), &args.2.into())
                .ok()
        });
        // Whatever it gave back, it must be a string of the same length.
        if let Some(js) = decoded.filter(|js| {
            js.dyn_ref::<JsString>()
                .is_some_and(|s| s.length() as usize == text.len())
        }) {
            return js;
        }
    }
    JsValue::from_str(text)
}

/// Wipes the private scalar of a JWK held as JSON, once it has been parsed into a key.
pub fn scrub_jwk(jwk: &mut Value) {
    if let Some(Value::String(d)) = jwk.get_mut("d") {
        d.zeroize();
    }
}

/// A JSON value as a plain JS value. For one holding a private key, [`from_json_secret`].
pub fn from_json(value: &Value) -> JsValue {
    to_js(value, false)
}

/// [`from_json`] of private JWKs: the JSON text is wiped once JS has parsed it.
pub fn from_json_secret(value: &Value) -> JsValue {
    to_js(value, true)
}

fn to_js(value: &Value, wipe: bool) -> JsValue {
    let mut text = json_text(value);
    // serde_json output is always valid JSON, so parse cannot fail; fall back to null.
    let js = JSON::parse(&text).unwrap_or(JsValue::NULL);
    if wipe {
        text.zeroize();
    }
    js
}

/// JSON text of `value`, compact, as the wire wants it. Written straight into the string
/// (serde_json's `Display` goes through a `fmt::Formatter` at every piece: about twice as
/// slow); the same text.
pub fn json_text(value: &Value) -> String {
    // Serializing a `Value` cannot fail (its keys are strings).
    serde_json::to_string(value).unwrap_or_default()
}

/// A readable description of a thrown JS value: its `message`, else its string form.
pub fn describe(value: &JsValue) -> String {
    Reflect::get(value, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| value.as_string())
        .or_else(|| JSON::stringify(value).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| "(a non-Error value)".to_owned())
}

/// `obj[name]` if it is a function.
pub fn method(obj: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(obj, &name.into())
        .ok()?
        .dyn_into::<Function>()
        .ok()
}

/// Awaits `value` if it is a thenable; returns it as is otherwise. Rejections come back as
/// `Err` with the rejection value.
pub async fn settle(value: JsValue) -> std::result::Result<JsValue, JsValue> {
    if method(&value, "then").is_some() {
        JsFuture::from(js_sys::Promise::resolve(&value)).await
    } else {
        Ok(value)
    }
}

/// `typeof value`, for error messages.
pub fn js_type(value: &JsValue) -> String {
    value
        .js_typeof()
        .as_string()
        .unwrap_or_else(|| "value".into())
}
