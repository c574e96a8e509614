//! The crypto backend seam: every primitive the crate performs goes through the functions
//! here. The Rust crates ([`ecdh`], [`sign`], `jose::enc`, `jose::kw`, `sha2`) are the
//! reference implementation and the fallback. A platform backend (node:crypto in Node,
//! WebCrypto in browsers: `src/wasm/backend.rs`) may serve any primitive; what it declines
//! or fails at runs on the Rust crates, so every error comes from the reference.
//!
//! Rules a backend keeps: same inputs, same outputs as the reference (byte for byte for
//! deterministic primitives; signatures that the reference verifies); public keys it gets
//! are already validated; secret keys are named by [`KeyId`] and forgotten when dropped.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::crypto::key::{Curve, KeyId, PublicKey, SecretKey};
use crate::crypto::{ecdh, sign, SignAlg};
use crate::error::Result;
use crate::jose::enc::ContentEnc;
use crate::jose::kw;

/// What a backend did with a request.
pub enum Served<T> {
    /// Not served here: the reference runs.
    Declined,
    /// Done synchronously. An `Err` means the backend failed; the reference runs.
    Ready(Result<T>),
    /// Running (a WebCrypto promise). An `Err` means the backend failed; the reference runs.
    Later(Pin<Box<dyn Future<Output = Result<T>>>>),
}

/// A platform's primitives. Every method may decline; the defaults do.
pub trait Backend {
    /// A fresh key pair on `curve`, held by the backend under `id`: the private scalar and
    /// the public key.
    fn generate(&self, _curve: Curve, _id: KeyId) -> Served<(Zeroizing<Vec<u8>>, PublicKey)> {
        Served::Declined
    }
    /// The ECDH shared secret Z (the x coordinate on NIST curves).
    fn agree(&self, _secret: &SecretKey, _public: &PublicKey) -> Served<Zeroizing<Vec<u8>>> {
        Served::Declined
    }
    /// A JWS signature (r‖s for ECDSA) with the algorithm of the key's curve.
    fn sign(&self, _secret: &SecretKey, _message: &[u8]) -> Served<Vec<u8>> {
        Served::Declined
    }
    /// Whether `signature` verifies; the algorithm already matches the key's curve.
    fn verify(&self, _public: &PublicKey, _message: &[u8], _signature: &[u8]) -> Served<bool> {
        Served::Declined
    }
    /// `(ciphertext, tag)`; lengths of `cek` and `iv` already checked.
    fn encrypt(
        &self,
        _enc: ContentEnc,
        _cek: &[u8],
        _iv: &[u8],
        _aad: &[u8],
        _plaintext: &[u8],
    ) -> Served<(Vec<u8>, Vec<u8>)> {
        Served::Declined
    }
    /// The plaintext, or `None` when authentication fails (final: the reference does not
    /// run again); lengths of `cek`, `iv` and `tag` already checked.
    fn decrypt(
        &self,
        _enc: ContentEnc,
        _cek: &[u8],
        _iv: &[u8],
        _aad: &[u8],
        _ciphertext: &[u8],
        _tag: &[u8],
    ) -> Served<Option<Vec<u8>>> {
        Served::Declined
    }
    /// AES-256 key wrap (RFC 3394).
    fn wrap(&self, _kek: &[u8; 32], _cek: &[u8]) -> Served<Vec<u8>> {
        Served::Declined
    }
    /// AES-256 key unwrap, or `None` when the integrity check fails (final); the length of
    /// `wrapped` already checked.
    fn unwrap(&self, _kek: &[u8; 32], _wrapped: &[u8]) -> Served<Option<Zeroizing<Vec<u8>>>> {
        Served::Declined
    }
    /// The public key of `secret`, synchronously (the backend may keep the key under its id).
    fn public_key(&self, _secret: &SecretKey) -> Option<PublicKey> {
        None
    }
    /// SHA-256, synchronously.
    fn sha256(&self, _data: &[u8]) -> Option<[u8; 32]> {
        None
    }
    /// Drops whatever the backend holds for key `id`.
    fn forget(&self, _id: KeyId) {}
}

thread_local! {
    static INSTALLED: RefCell<Option<Rc<dyn Backend>>> = const { RefCell::new(None) };
}

/// Makes `backend` serve this thread's primitives (`None`: the Rust crates alone).
pub fn install(backend: Option<Rc<dyn Backend>>) {
    INSTALLED.with(|b| *b.borrow_mut() = backend);
}

/// The installed backend. Cloned out, so no borrow is held across an await.
fn installed() -> Option<Rc<dyn Backend>> {
    INSTALLED.try_with(|b| b.borrow().clone()).ok().flatten()
}

/// Called when a key a backend has seen is dropped.
pub(crate) fn forget(id: KeyId) {
    if let Some(b) = installed() {
        b.forget(id);
    }
}

async fn served<T>(s: Served<T>) -> Option<T> {
    match s {
        Served::Declined => None,
        Served::Ready(r) => r.ok(),
        Served::Later(f) => f.await.ok(),
    }
}

/// A fresh key pair on `curve`.
pub async fn generate(curve: Curve) -> Result<(SecretKey, PublicKey)> {
    if let Some(b) = installed() {
        let id = SecretKey::reserve_id();
        match b.generate(curve, id) {
            Served::Declined => {}
            attempt => {
                if let Some((d, public)) = served(attempt).await {
                    if public.curve() == curve {
                        return Ok((SecretKey::adopted(id, curve, &d)?, public));
                    }
                }
                // Whatever the backend made under `id` goes: the id is never used again.
                b.forget(id);
            }
        }
    }
    let secret = SecretKey::generate(curve)?;
    let public = secret.public_key();
    Ok((secret, public))
}

/// ECDH: see [`ecdh::agree`], whose checks (same curve, no low-order X25519 point) every
/// backend result passes too.
pub async fn agree(secret: &SecretKey, public: &PublicKey) -> Result<Zeroizing<Vec<u8>>> {
    let curve = secret.curve();
    if let Some(b) = installed().filter(|_| curve == public.curve()) {
        if let Some(z) = served(b.agree(secret, public)).await {
            let zero = z.iter().fold(0u8, |acc, x| acc | x).ct_eq(&0).into();
            if z.len() == curve.field_len() && !(curve == Curve::X25519 && zero) {
                return Ok(z);
            }
        }
    }
    ecdh::agree(secret, public)
}

/// A JWS signature with the algorithm of the key's curve.
pub async fn sign(secret: &SecretKey, message: &[u8]) -> Result<(SignAlg, Vec<u8>)> {
    if let (Some(b), Some(alg)) = (installed(), SignAlg::for_curve(secret.curve())) {
        if let Some(sig) = served(b.sign(secret, message)).await {
            if sig.len() == 2 * secret.curve().field_len() {
                return Ok((alg, sig));
            }
        }
    }
    sign::sign(secret, message)
}

/// Verifies a JWS signature: see [`sign::verify`].
pub async fn verify(
    public: &PublicKey,
    alg: SignAlg,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    sign::check_alg(public, alg)?;
    if let Some(b) = installed() {
        if let Some(ok) = served(b.verify(public, message, signature)).await {
            match public {
                // A platform's Ed25519 lacks dalek's strict rules: its yes counts once they
                // hold; its no, and a yes they refuse, go to dalek below.
                PublicKey::Ed25519(k) => {
                    if ok && sign::ed25519_strict_extras(k, signature) {
                        return Ok(());
                    }
                }
                _ if ok => return Ok(()),
                _ => return Err(sign::verification_failed(alg)),
            }
        }
    }
    sign::verify(public, alg, message, signature)
}

/// Content encryption: see [`ContentEnc::encrypt`].
pub async fn encrypt(
    enc: ContentEnc,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>)> {
    enc.check_lengths(cek, iv)?;
    if let Some(b) = installed() {
        if let Some((c, t)) = served(b.encrypt(enc, cek, iv, aad, plaintext)).await {
            if t.len() == enc.tag_len() {
                return Ok((c, t));
            }
        }
    }
    enc.encrypt(cek, iv, aad, plaintext)
}

/// Content decryption: see [`ContentEnc::decrypt`].
pub async fn decrypt(
    enc: ContentEnc,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>> {
    enc.check_lengths(cek, iv)?;
    enc.check_tag(tag)?;
    if let Some(b) = installed() {
        if let Some(plaintext) = served(b.decrypt(enc, cek, iv, aad, ciphertext, tag)).await {
            return plaintext.ok_or_else(|| enc.authentication_failed());
        }
    }
    enc.decrypt(cek, iv, aad, ciphertext, tag)
}

/// AES-256 key wrap: see [`kw::wrap`].
pub async fn wrap(kek: &[u8; 32], cek: &[u8]) -> Result<Vec<u8>> {
    if let Some(b) = installed() {
        if let Some(w) = served(b.wrap(kek, cek)).await {
            if w.len() == cek.len() + 8 {
                return Ok(w);
            }
        }
    }
    kw::wrap(kek, cek)
}

/// AES-256 key unwrap: see [`kw::unwrap`].
pub async fn unwrap(kek: &[u8; 32], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    kw::check_wrapped_len(wrapped)?;
    if let Some(b) = installed() {
        if let Some(cek) = served(b.unwrap(kek, wrapped)).await {
            return cek.ok_or_else(kw::unwrap_failed);
        }
    }
    kw::unwrap(kek, wrapped)
}

/// The public key of `secret` (on NIST curves a scalar multiplication: slow in wasm).
pub fn public_key(secret: &SecretKey) -> PublicKey {
    installed()
        .and_then(|b| b.public_key(secret))
        .filter(|p| p.curve() == secret.curve())
        .unwrap_or_else(|| secret.public_key())
}

/// SHA-256.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    installed()
        .and_then(|b| b.sha256(data))
        .unwrap_or_else(|| Sha256::digest(data).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::SecretKey;

    /// Serves every primitive wrongly (or fails), to show what the seam does with that.
    struct Broken;

    impl Backend for Broken {
        fn agree(&self, _: &SecretKey, _: &PublicKey) -> Served<Zeroizing<Vec<u8>>> {
            Served::Ready(Ok(Zeroizing::new(vec![0u8; 5]))) // wrong length: not taken
        }
        fn sign(&self, _: &SecretKey, _: &[u8]) -> Served<Vec<u8>> {
            Served::Later(Box::pin(async {
                Err(crate::error::err!(Internal, "backend down"))
            }))
        }
        fn decrypt(
            &self,
            _: ContentEnc,
            _: &[u8],
            _: &[u8],
            _: &[u8],
            _: &[u8],
            _: &[u8],
        ) -> Served<Option<Vec<u8>>> {
            Served::Ready(Ok(None)) // "authentication failed" is final
        }
        fn sha256(&self, _: &[u8]) -> Option<[u8; 32]> {
            None
        }
    }

    #[test]
    fn failures_fall_back_to_the_reference_and_authentication_failures_are_final() {
        let a = SecretKey::generate(Curve::X25519).unwrap();
        let b = SecretKey::generate(Curve::X25519).unwrap();
        let e = SecretKey::generate(Curve::Ed25519).unwrap();
        let (cek, iv) = ([1u8; 64], [2u8; 16]);
        let (c, t) = ContentEnc::A256CbcHs512
            .encrypt(&cek, &iv, b"aad", b"hi")
            .unwrap();

        install(Some(Rc::new(Broken)));
        let z = pollster::block_on(agree(&a, &b.public_key())).unwrap();
        let (alg, sig) = pollster::block_on(sign(&e, b"m")).unwrap();
        let denied =
            pollster::block_on(decrypt(ContentEnc::A256CbcHs512, &cek, &iv, b"aad", &c, &t));
        install(None);

        assert_eq!(*z, *ecdh::agree(&a, &b.public_key()).unwrap());
        sign::verify(&e.public_key(), alg, b"m", &sig).unwrap();
        assert_eq!(
            denied.unwrap_err().kind(),
            crate::ErrorKind::DecryptionFailed
        );
        // Without a backend the same message decrypts.
        let plain =
            pollster::block_on(decrypt(ContentEnc::A256CbcHs512, &cek, &iv, b"aad", &c, &t));
        assert_eq!(plain.unwrap(), b"hi");
    }

    #[test]
    fn keys_a_backend_has_seen_are_forgotten_on_drop() {
        use std::cell::RefCell;
        struct Recorder(RefCell<Vec<u64>>);
        impl Backend for Recorder {
            fn forget(&self, id: KeyId) {
                self.0.borrow_mut().push(id.0);
            }
        }
        let recorder = Rc::new(Recorder(RefCell::new(Vec::new())));
        install(Some(recorder.clone()));
        let key = SecretKey::generate(Curve::P256).unwrap();
        let id = key.id().0;
        let clone = key.clone();
        key.mark_shown();
        drop(key);
        assert!(
            recorder.0.borrow().is_empty(),
            "a clone still holds the key"
        );
        drop(clone);
        let unseen = SecretKey::generate(Curve::P256).unwrap();
        drop(unseen);
        install(None);
        assert_eq!(*recorder.0.borrow(), vec![id]);
    }
}
