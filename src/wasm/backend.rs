//! A JS object as the crypto backend (`crypto::backend::Backend`): node:crypto in Node
//! (`js/crypto/node.js`), WebCrypto in browsers (`js/crypto/web.js`). Curves and `enc`
//! cross as small numbers (their index in `Curve::ALL` and `ContentEnc::ALL`), bytes as views
//! into wasm memory that the JS side reads before it returns or awaits. Secret outputs (Z,
//! generated scalars) are wiped on the JS side once copied here.

use std::rc::Rc;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use zeroize::Zeroizing;

use crate::crypto::backend::{self, Backend, Served};
use crate::crypto::{Curve, KeyId, PublicKey, SecretKey};
use crate::error::err;
use crate::jose::enc::ContentEnc;

#[wasm_bindgen]
extern "C" {
    /// The JS backend object; see `js/crypto/node.js` for the contract of each method.
    pub type Platform;

    #[wasm_bindgen(method, catch, js_name = importSecret)]
    fn import_secret(
        this: &Platform,
        id: f64,
        curve: u8,
        d: &[u8],
        public: Option<Box<[u8]>>,
    ) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn forget(this: &Platform, id: f64) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn generate(this: &Platform, id: f64, curve: u8) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn agree(
        this: &Platform,
        id: f64,
        curve: u8,
        public: &[u8],
    ) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn sign(
        this: &Platform,
        id: f64,
        curve: u8,
        message: &[u8],
    ) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn verify(
        this: &Platform,
        curve: u8,
        public: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn encrypt(
        this: &Platform,
        enc: u8,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn decrypt(
        this: &Platform,
        enc: u8,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn wrap(this: &Platform, kek: &[u8], cek: &[u8]) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn unwrap(this: &Platform, kek: &[u8], wrapped: &[u8])
        -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = publicKey)]
    fn public_key(
        this: &Platform,
        id: f64,
        curve: u8,
        d: &[u8],
    ) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn sha256(this: &Platform, data: &[u8]) -> std::result::Result<JsValue, JsValue>;
}

/// Which curves (bit = index in `Curve::ALL`) or encs (index in `ContentEnc::ALL`) each
/// primitive serves (`js/crypto/codes.js` `servesMasks` of the object's `serves`).
#[derive(Default)]
struct Serves {
    /// Curves whose `importSecret` needs the public key too (the JS side cannot derive it).
    import_public: u8,
    public_key: u8,
    generate: u8,
    agree: u8,
    sign: u8,
    verify: u8,
    encrypt: u8,
    decrypt: u8,
    wrap: bool,
    unwrap: bool,
    sha256: bool,
}

struct JsBackend {
    js: Platform,
    serves: Serves,
}

fn curve_code(curve: Curve) -> u8 {
    Curve::ALL.iter().position(|c| *c == curve).unwrap_or(0) as u8
}

fn enc_code(enc: ContentEnc) -> u8 {
    ContentEnc::ALL.iter().position(|e| *e == enc).unwrap_or(0) as u8
}

fn has(mask: u8, code: u8) -> bool {
    mask & (1 << code) != 0
}

fn failed(_: JsValue) -> crate::Error {
    err!(Internal, "the platform crypto backend failed")
}

/// A Uint8Array's bytes, or `None` for anything else (`undefined`: declined).
fn bytes(v: &JsValue) -> Option<Vec<u8>> {
    v.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
}

/// Like [`bytes`] for secret output: copied, then wiped on the JS side.
fn secret_bytes(v: &JsValue) -> Option<Zeroizing<Vec<u8>>> {
    let array = v.dyn_ref::<Uint8Array>()?;
    let out = Zeroizing::new(array.to_vec());
    array.fill(0, 0, array.length());
    Some(out)
}

/// A synchronous result as it is; a promise awaited later. `read` maps the value; `None`
/// from it on a synchronous result means declined.
fn settle<T: 'static>(
    result: std::result::Result<JsValue, JsValue>,
    read: impl Fn(&JsValue) -> Option<T> + 'static,
) -> Served<T> {
    match result {
        Err(e) => Served::Ready(Err(failed(e))),
        Ok(v) => match v.dyn_into::<Promise>() {
            Ok(p) => Served::Later(Box::pin(async move {
                let v = JsFuture::from(p).await.map_err(failed)?;
                read(&v).ok_or_else(|| err!(Internal, "the platform crypto backend declined"))
            })),
            Err(v) => match read(&v) {
                Some(t) => Served::Ready(Ok(t)),
                None => Served::Declined,
            },
        },
    }
}

/// `false` reads as an authentication failure (`Some(None)`).
fn checked<T>(v: &JsValue, read: impl Fn(&JsValue) -> Option<T>) -> Option<Option<T>> {
    if v.as_bool() == Some(false) {
        Some(None)
    } else {
        read(v).map(Some)
    }
}

impl JsBackend {
    /// Calls `op` with the key's id, handing the key over first when the backend does not
    /// hold it (its answer `undefined`).
    fn with_secret(
        &self,
        secret: &SecretKey,
        op: impl Fn(f64) -> std::result::Result<JsValue, JsValue>,
    ) -> std::result::Result<JsValue, JsValue> {
        let id = secret.id().0 as f64;
        let first = op(id)?;
        if !first.is_undefined() {
            return Ok(first);
        }
        // The public key only where the backend asks for it: on NIST curves it costs a
        // scalar multiplication here, once per key.
        let curve = curve_code(secret.curve());
        let public = has(self.serves.import_public, curve)
            .then(|| public_bytes(&secret.public_key()).into_boxed_slice());
        secret.mark_shown();
        let d = secret.to_bytes();
        self.js.import_secret(id, curve, &d, public)?;
        op(id)
    }
}

/// Public key bytes as the JS side takes them: `x` for OKP curves, `x‖y` for EC curves.
fn public_bytes(public: &PublicKey) -> Vec<u8> {
    let (mut x, y) = public.coordinates();
    if let Some(y) = y {
        x.extend_from_slice(&y);
    }
    x
}

/// The inverse of [`public_bytes`], validated (on the curve).
fn public_from_bytes(curve: Curve, bytes: &[u8]) -> Option<PublicKey> {
    let (x, y) = bytes.split_at(curve.field_len().min(bytes.len()));
    let y = (!y.is_empty()).then_some(y);
    PublicKey::from_coordinates(curve, x, y).ok()
}

impl Backend for JsBackend {
    fn generate(&self, curve: Curve, id: KeyId) -> Served<(Zeroizing<Vec<u8>>, PublicKey)> {
        if !has(self.serves.generate, curve_code(curve)) {
            return Served::Declined;
        }
        let result = self.js.generate(id.0 as f64, curve_code(curve));
        settle(result, move |v| {
            // d ‖ x (‖ y), each field_len bytes.
            let out = secret_bytes(v)?;
            let n = curve.field_len();
            let (d, public) = out.split_at(n.min(out.len()));
            Some((
                Zeroizing::new(d.to_vec()),
                public_from_bytes(curve, public)?,
            ))
        })
    }

    fn agree(&self, secret: &SecretKey, public: &PublicKey) -> Served<Zeroizing<Vec<u8>>> {
        let curve = curve_code(secret.curve());
        if !has(self.serves.agree, curve) {
            return Served::Declined;
        }
        let public = public_bytes(public);
        let result = self.with_secret(secret, |id| self.js.agree(id, curve, &public));
        settle(result, secret_bytes)
    }

    fn sign(&self, secret: &SecretKey, message: &[u8]) -> Served<Vec<u8>> {
        let curve = curve_code(secret.curve());
        if !has(self.serves.sign, curve) {
            return Served::Declined;
        }
        let result = self.with_secret(secret, |id| self.js.sign(id, curve, message));
        settle(result, bytes)
    }

    fn verify(&self, public: &PublicKey, message: &[u8], signature: &[u8]) -> Served<bool> {
        let curve = curve_code(public.curve());
        if !has(self.serves.verify, curve) {
            return Served::Declined;
        }
        let result = self
            .js
            .verify(curve, &public_bytes(public), message, signature);
        settle(result, JsValue::as_bool)
    }

    fn encrypt(
        &self,
        enc: ContentEnc,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Served<(Vec<u8>, Vec<u8>)> {
        let code = enc_code(enc);
        if !has(self.serves.encrypt, code) {
            return Served::Declined;
        }
        let result = self.js.encrypt(code, cek, iv, aad, plaintext);
        // ciphertext ‖ tag: the tag is the last tag_len bytes.
        match enc {
            ContentEnc::A256CbcHs512 => settle(result, |v| split_tag(v, 32)),
            _ => settle(result, |v| split_tag(v, 16)),
        }
    }

    fn decrypt(
        &self,
        enc: ContentEnc,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> Served<Option<Vec<u8>>> {
        let code = enc_code(enc);
        if !has(self.serves.decrypt, code) {
            return Served::Declined;
        }
        let result = self.js.decrypt(code, cek, iv, aad, ciphertext, tag);
        settle(result, |v| checked(v, bytes))
    }

    fn wrap(&self, kek: &[u8; 32], cek: &[u8]) -> Served<Vec<u8>> {
        if !self.serves.wrap {
            return Served::Declined;
        }
        settle(self.js.wrap(kek, cek), bytes)
    }

    fn unwrap(&self, kek: &[u8; 32], wrapped: &[u8]) -> Served<Option<Zeroizing<Vec<u8>>>> {
        if !self.serves.unwrap {
            return Served::Declined;
        }
        settle(self.js.unwrap(kek, wrapped), |v| checked(v, secret_bytes))
    }

    fn public_key(&self, secret: &SecretKey) -> Option<PublicKey> {
        let curve = secret.curve();
        if !has(self.serves.public_key, curve_code(curve)) {
            return None;
        }
        secret.mark_shown();
        let d = secret.to_bytes();
        let xy = bytes(
            &self
                .js
                .public_key(secret.id().0 as f64, curve_code(curve), &d)
                .ok()?,
        )?;
        public_from_bytes(curve, &xy)
    }

    fn sha256(&self, data: &[u8]) -> Option<[u8; 32]> {
        if !self.serves.sha256 {
            return None;
        }
        let digest = bytes(&self.js.sha256(data).ok()?)?;
        digest.try_into().ok()
    }

    fn forget(&self, id: KeyId) {
        // A backend that cannot forget has nothing to forget: ignore its failure.
        let _ = self.js.forget(id.0 as f64);
    }
}

fn split_tag(v: &JsValue, tag_len: usize) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut all = bytes(v)?;
    let at = all.len().checked_sub(tag_len)?;
    let tag = all.split_off(at);
    Some((all, tag))
}

/// Makes `platform` (a JS backend object) serve the primitives `serves` names (its `serves`
/// property as `js/crypto/codes.js` `servesMasks` reads it: a bit per curve or enc for each
/// primitive, then the flags); `null` or `undefined` leaves the Rust crates alone.
#[wasm_bindgen(js_name = useCryptoBackend)]
pub fn use_crypto_backend(platform: JsValue, serves: &[u8]) {
    if platform.is_null() || platform.is_undefined() {
        backend::install(None);
        return;
    }
    let at = |i: usize| serves.get(i).copied().unwrap_or(0);
    let serves = Serves {
        import_public: at(0),
        public_key: at(1),
        generate: at(2),
        agree: at(3),
        sign: at(4),
        verify: at(5),
        encrypt: at(6),
        decrypt: at(7),
        wrap: at(8) & 1 != 0,
        unwrap: at(8) & 2 != 0,
        sha256: at(8) & 4 != 0,
    };
    backend::install(Some(Rc::new(JsBackend {
        js: platform.unchecked_into(),
        serves,
    })));
}
