//! The transports (feature `transport`): `httpPost` over fetch, and `SocketCore`, a
//! WebSocket that reconnects. Both run in browsers and in Node 20+ (where a WebSocket
//! constructor such as the `ws` package's is passed in). Failures are `ERR_TRANSPORT`
//! error objects (`{ code, message, cause? }`, plus `status` and `body` for an HTTP error
//! status).
//!
//! Written for size (the web wasm has a ceiling, and every distinct JS import costs: its
//! name carries a hash). `js/api.js` checks the types of arguments and options, so here a
//! wrong type falls back to the default. Plain properties are read and set through
//! `Reflect` (one import for all of them); web-sys brings the calls. Nothing from JS is
//! trusted to be of the right type. The socket's state is in `Cell`s, so a handler that
//! calls back in (`send`, `close`) never meets a borrow.

use std::cell::Cell;
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, TextDecoder, Url, WebSocket};

use super::convert::{describe, js_error, method, settle, Failure};
use crate::error::{err, Error};

/// Redirects (307/308) followed at most.
const MAX_HOPS: u8 = 5;
/// The most of an error response's body kept on the error.
const MAX_ERROR_BODY: usize = 4096;

#[wasm_bindgen]
extern "C" {
    // Globals of browsers and Node alike.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &JsValue, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// `obj[name]`; undefined when `obj` is no object or the getter throws.
fn get(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[name]` as a string, if it is one.
fn get_string(obj: &JsValue, name: &str) -> Option<String> {
    get(obj, name).as_string()
}

/// `obj[name]` as a number, else `default`.
fn get_number(obj: &JsValue, name: &str, default: f64) -> f64 {
    get(obj, name).as_f64().unwrap_or(default)
}

fn set(obj: &JsValue, name: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &name.into(), value);
}

fn failure(error: Error, cause: JsValue) -> JsValue {
    Failure {
        error,
        cause: Some(cause),
    }
    .into()
}

/// `options[name]` if it is a function, else `globalThis[name]` if that is one.
fn function(options: &JsValue, name: &str) -> Option<Function> {
    get(options, name)
        .dyn_into()
        .or_else(|_| get(&js_sys::global(), name).dyn_into())
        .ok()
}

// --- HTTP ---

/// `httpPost(url, body, contentType, options?)`: POSTs `body` and resolves to
/// `{ status, contentType, body, url }` for a 2xx answer. Follows 307 and 308 (same method,
/// same body) up to 5 times; any other redirect, an error status, a network failure or the
/// timeout (`options.timeoutMs`, default 30 s) rejects with `ERR_TRANSPORT`.
#[wasm_bindgen(js_name = httpPost)]
pub fn http_post(url: String, body: String, content_type: String, options: JsValue) -> Promise {
    super::promise(Box::pin(post(url, body, content_type, options)))
}

async fn post(
    url: String,
    body: String,
    content_type: String,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let ms = get_number(&options, "timeoutMs", 30_000.0) as u32;
    let Some(fetch) = function(&options, "fetch") else {
        return Err(js_error(err!(
            Transport,
            "POST {url}: no fetch here: pass options.fetch"
        )));
    };
    let global = JsValue::from(js_sys::global());
    // The binding below does not catch: a throw would unwind through the executor.
    if method(&get(&global, "AbortSignal"), "timeout").is_none() {
        return Err(js_error(err!(
            Transport,
            "POST {url}: no AbortSignal.timeout here"
        )));
    }
    let signal = AbortSignal::timeout_with_u32(ms);
    // The RequestInit as a plain object (web-sys's setters would be an import each).
    let headers = JsValue::from(Object::new());
    set(&headers, "content-type", &content_type.into());
    let init = JsValue::from(Object::new());
    set(&init, "method", &"POST".into());
    set(&init, "headers", &headers);
    set(&init, "body", &body.into());
    set(&init, "signal", &signal);
    set(&init, "redirect", &"manual".into());
    let mut current = url;
    let mut hops = 0;
    let mut follow = false;
    let (response, status) = loop {
        let sent = fetch.call2(&global, &current.as_str().into(), &init);
        let response = match sent {
            Ok(promise) => settle(promise).await,
            Err(e) => Err(e),
        }
        .map_err(|e| network_failure(&current, &signal, ms, e))?;
        // A browser hides a manual redirect: ask again, letting it follow.
        if !follow && get_string(&response, "type").as_deref() == Some("opaqueredirect") {
            follow = true;
            set(&init, "redirect", &"follow".into());
            continue;
        }
        let status = get_number(&response, "status", 0.0) as u32;
        // The DIDComm spec: follow 307 (and its permanent twin, 308) only.
        if (status == 307 || status == 308) && hops < MAX_HOPS {
            hops += 1;
            let next = header(&response, "location")
                .and_then(|location| Url::new_with_base(&location, &current).ok())
                .and_then(|next| get_string(&next, "href"));
            match next {
                Some(next) => current = next,
                None => break (response, status),
            }
        } else {
            break (response, status);
        }
    };
    if status / 100 == 3 {
        return Err(js_error(err!(
            Transport,
            "POST {current}: HTTP {status} (redirects are followed for 307 and 308 with a location, {MAX_HOPS} at most)"
        )));
    }
    let text = match method(&response, "text") {
        Some(read) => match read.call1(&response, &JsValue::UNDEFINED) {
            Ok(promise) => settle(promise).await,
            Err(e) => Err(e),
        },
        None => Ok(JsValue::UNDEFINED),
    };
    if status / 100 != 2 {
        let mut body = text.ok().and_then(|t| t.as_string()).unwrap_or_default();
        let mut end = body.len().min(MAX_ERROR_BODY);
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        body.truncate(end);
        let error = js_error(err!(Transport, "POST {current}: HTTP {status}"));
        set(&error, "status", &status.into());
        set(&error, "body", &body.into());
        return Err(error);
    }
    let text = text.map_err(|e| network_failure(&current, &signal, ms, e))?;
    let out = JsValue::from(Object::new());
    set(&out, "status", &status.into());
    let content_type = header(&response, "content-type");
    set(
        &out,
        "contentType",
        &content_type.map_or(JsValue::NULL, JsValue::from),
    );
    set(&out, "body", &text.as_string().unwrap_or_default().into());
    let url = get_string(&response, "url").filter(|url| !url.is_empty());
    set(&out, "url", &url.unwrap_or(current).into());
    Ok(out)
}

/// The error for a fetch (or a body read) that threw or rejected: the timeout, or the
/// network.
fn network_failure(url: &str, signal: &AbortSignal, ms: u32, cause: JsValue) -> JsValue {
    let error = if get(signal, "aborted").as_bool() == Some(true) {
        err!(Transport, "POST {url}: no response within {ms} ms")
    } else {
        err!(Transport, "POST {url} failed: {}", describe(&cause))
    };
    failure(error, cause)
}

/// A response header, through `headers.get(name)`.
fn header(response: &JsValue, name: &str) -> Option<String> {
    let headers = get(response, "headers");
    method(&headers, "get")?
        .call1(&headers, &name.into())
        .ok()?
        .as_string()
}

// --- WebSocket ---

const CONNECTING: u8 = 0;
const OPEN: u8 = 1;
/// Between attempts: a reconnect timer is set.
const WAITING: u8 = 2;
const CLOSED: u8 = 3;

type Callback = Closure<dyn Fn(JsValue)>;

/// A socket's state, shared with its event callback (which holds it weakly). Cells only:
/// no borrow is ever held while JS runs.
struct Shared {
    url: String,
    handlers: JsValue,
    ctor: Function,
    reconnect: bool,
    initial_ms: f64,
    max_ms: f64,
    /// Connection attempts since the last open.
    attempt: Cell<u32>,
    state: Cell<u8>,
    ws: Cell<Option<WebSocket>>,
    timer: Cell<Option<JsValue>>,
    /// One callback for the socket's events and the reconnect timer (one closure's glue in
    /// the wasm, not five); `func` is its JS function. Dropped once closed for good.
    callback: Cell<Option<Callback>>,
    func: JsValue,
}

impl Shared {
    fn ws(&self) -> Option<WebSocket> {
        let ws = self.ws.take();
        self.ws.set(ws.clone());
        ws
    }
}

impl Drop for Shared {
    /// A socket dropped unclosed (its JS object collected) stops: no callback outlives it.
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            clear_timeout(&timer);
        }
        if let Some(ws) = self.ws.take() {
            detach(&ws);
            let _ = ws.close_with_code_and_reason(1000, "");
        }
    }
}

/// A WebSocket to `url` that reconnects with exponential backoff until `close()`. Frames
/// are text; binary frames reach `onMessage` decoded as UTF-8.
#[wasm_bindgen]
pub struct SocketCore {
    inner: Rc<Shared>,
}

#[wasm_bindgen]
impl SocketCore {
    /// `handlers`: `{ onOpen?(), onMessage(text), onClose?({ code, reason, reconnectInMs }) }`,
    /// called with `this` = handlers (what they throw is ignored). `options`: `{ WebSocket?,
    /// reconnect? (true), initialDelayMs? (250), maxDelayMs? (30000) }`.
    #[wasm_bindgen(constructor)]
    pub fn new(url: String, handlers: JsValue, options: JsValue) -> Result<SocketCore, JsValue> {
        if method(&handlers, "onMessage").is_none() {
            return Err(js_error(err!(
                IllegalArgument,
                "handlers must be an object with an onMessage(text) method"
            )));
        }
        let Some(ctor) = function(&options, "WebSocket") else {
            return Err(js_error(err!(
                Transport,
                "no WebSocket implementation: pass options.WebSocket (for example the ws package) in Node < 22"
            )));
        };
        let inner = Rc::new_cyclic(|weak: &Weak<Shared>| {
            let weak = weak.clone();
            let callback = Callback::new(move |event: JsValue| {
                if let Some(inner) = weak.upgrade() {
                    on_event(&inner, &event);
                }
            });
            Shared {
                func: callback.as_ref().clone(),
                callback: Cell::new(Some(callback)),
                reconnect: get(&options, "reconnect").as_bool().unwrap_or(true),
                initial_ms: get_number(&options, "initialDelayMs", 250.0),
                max_ms: get_number(&options, "maxDelayMs", 30_000.0),
                url,
                handlers,
                ctor,
                attempt: Cell::new(0),
                state: Cell::new(CONNECTING),
                ws: Cell::new(None),
                timer: Cell::new(None),
            }
        });
        connect(&inner).map_err(|e| {
            failure(
                err!(Transport, "WebSocket {}: {}", inner.url, describe(&e)),
                e,
            )
        })?;
        Ok(SocketCore { inner })
    }

    /// Sends a text frame; `ERR_TRANSPORT` when the socket is not open.
    pub fn send(&self, text: &str) -> Result<(), JsValue> {
        let s = &self.inner;
        match s.ws() {
            Some(ws) if s.state.get() == OPEN && get_number(&ws, "readyState", 0.0) == 1.0 => ws
                .send_with_str(text)
                .map_err(|e| failure(err!(Transport, "WebSocket {}: {}", s.url, describe(&e)), e)),
            _ => Err(js_error(err!(Transport, "WebSocket {} is not open", s.url))),
        }
    }

    /// Closes for good (code 1000 unless given). No reconnection after it; a pending one is
    /// cancelled. `onClose` follows with `reconnectInMs: null`: once the socket has closed,
    /// or at once when between attempts. Closing again does nothing.
    pub fn close(&self, code: Option<u16>, reason: Option<String>) {
        let s = &self.inner;
        if s.state.replace(CLOSED) == CLOSED {
            return;
        }
        if let Some(timer) = s.timer.take() {
            clear_timeout(&timer);
        }
        let code = code.unwrap_or(1000);
        let reason = reason.unwrap_or_default();
        match s.ws() {
            // The close event finishes (see `closed`).
            Some(ws) if ws.close_with_code_and_reason(code, &reason).is_ok() => {}
            ws => {
                if let Some(ws) = ws {
                    // A code or reason the socket refused: close it plainly.
                    let _ = ws.close_with_code_and_reason(1000, "");
                }
                closed(s, code, reason);
            }
        }
    }

    /// 'connecting', 'open', 'waiting' (between attempts) or 'closed'.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        ["connecting", "open", "waiting", "closed"][usize::from(self.inner.state.get() & 3)].into()
    }

    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.inner.url.clone()
    }
}

/// Opens a new WebSocket with the callback attached.
fn connect(s: &Shared) -> Result<(), JsValue> {
    let args = Array::new();
    args.push(&s.url.as_str().into());
    let ws: WebSocket = Reflect::construct(&s.ctor, &args)?.unchecked_into();
    set(&ws, "binaryType", &"arraybuffer".into());
    attach(&ws, &s.func);
    s.state.set(CONNECTING);
    s.ws.set(Some(ws));
    Ok(())
}

/// The callback as the socket's four event handlers (the `ws` package's WebSocket has the
/// same properties as the browser's).
fn attach(ws: &WebSocket, f: &JsValue) {
    for name in ["onopen", "onmessage", "onclose", "onerror"] {
        set(ws, name, f);
    }
}

fn detach(ws: &WebSocket) {
    attach(ws, &JsValue::NULL);
}

/// A socket event, or (undefined) the reconnect timer.
fn on_event(s: &Shared, event: &JsValue) {
    if event.is_undefined() {
        s.timer.set(None);
        if s.state.get() == WAITING {
            // A constructor that throws counts as a failed attempt.
            if let Err(e) = connect(s) {
                closed(s, 1006, describe(&e));
            }
        }
        return;
    }
    let kind = get_string(event, "type").unwrap_or_default();
    if kind == "open" {
        if s.state.get() == CONNECTING {
            s.state.set(OPEN);
            s.attempt.set(0);
            call(s, "onOpen", None);
        }
    } else if kind == "message" {
        if s.state.get() == OPEN {
            let data = get(event, "data");
            let text = if data.is_string() {
                data
            } else {
                // A binary frame (an ArrayBuffer), as UTF-8 text; nothing else is text.
                TextDecoder::new()
                    .and_then(|d| d.decode_with_buffer_source(data.unchecked_ref()))
                    .map_or_else(|_| "".into(), JsValue::from)
            };
            call(s, "onMessage", Some(&text));
        }
    } else if kind == "close" {
        let code = get_number(event, "code", 1006.0) as u16;
        let reason = get_string(event, "reason").unwrap_or_default();
        closed(s, code, reason);
    }
    // An error event is followed by a close.
}

/// The socket has closed: schedule the next attempt (unless closed for good), then tell
/// `onClose`.
fn closed(s: &Shared, code: u16, reason: String) {
    if let Some(ws) = s.ws.take() {
        detach(&ws);
    }
    let mut delay = JsValue::NULL;
    let mut callback = None;
    if s.state.get() != CLOSED && s.reconnect {
        // min(max, initial · 2^attempt), with jitter in [50 %, 100 %].
        let attempt = s.attempt.get();
        let mut ms = s.initial_ms;
        for _ in 0..attempt.min(64) {
            ms *= 2.0;
        }
        let ms = ms.min(s.max_ms);
        let mut random = [0u8; 4];
        let _ = getrandom::fill(&mut random);
        let random = f64::from(u32::from_le_bytes(random)) / 4_294_967_296.0;
        let ms = (ms * (1.0 + random) / 2.0).ceil().min(ms);
        s.attempt.set(attempt.saturating_add(1));
        s.state.set(WAITING);
        s.timer.set(Some(set_timeout(&s.func, ms)));
        delay = ms.into();
    } else {
        s.state.set(CLOSED);
        callback = s.callback.take();
    }
    let info = JsValue::from(Object::new());
    set(&info, "code", &code.into());
    set(&info, "reason", &reason.into());
    set(&info, "reconnectInMs", &delay);
    call(s, "onClose", Some(&info));
    // Last: this may be the callback running now (wasm-bindgen frees it once it returns).
    drop(callback);
}

/// `handlers[name](arg)` with `this` = handlers, if it is a function; what it throws is
/// ignored.
fn call(s: &Shared, name: &str, arg: Option<&JsValue>) {
    if let Some(f) = method(&s.handlers, name) {
        let _ = f.call1(&s.handlers, arg.unwrap_or(&JsValue::UNDEFINED));
    }
}
