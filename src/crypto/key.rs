//! Public and secret keys on the six curves DIDComm uses, with on-curve validation on
//! construction. Secret keys zeroize on drop and never print their material.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use p256::elliptic_curve::point::AffineCoordinates;
use zeroize::Zeroizing;

use crate::crypto::random;
use crate::error::{err, Result};

/// A curve, named as in JWK `crv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    X25519,
    Ed25519,
    P256,
    P384,
    P521,
    Secp256k1,
}

impl Curve {
    /// Every curve, in the order anoncrypt prefers them when nothing else decides.
    pub const ALL: [Curve; 6] = [
        Curve::X25519,
        Curve::P256,
        Curve::P384,
        Curve::P521,
        Curve::Ed25519,
        Curve::Secp256k1,
    ];

    /// The JWK `crv` name.
    pub fn name(self) -> &'static str {
        match self {
            Curve::X25519 => "X25519",
            Curve::Ed25519 => "Ed25519",
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::Secp256k1 => "secp256k1",
        }
    }

    pub fn from_name(name: &str) -> Option<Curve> {
        Curve::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether JWE key agreement (ECDH-ES / ECDH-1PU) works on this curve here.
    pub fn is_key_agreement(self) -> bool {
        matches!(
            self,
            Curve::X25519 | Curve::P256 | Curve::P384 | Curve::P521
        )
    }

    /// JWK `kty`.
    pub fn kty(self) -> &'static str {
        match self {
            Curve::X25519 | Curve::Ed25519 => "OKP",
            _ => "EC",
        }
    }

    /// Length in bytes of a coordinate (and of a private scalar).
    pub fn field_len(self) -> usize {
        match self {
            Curve::X25519 | Curve::Ed25519 | Curve::P256 | Curve::Secp256k1 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A validated public key.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    X25519(x25519_dalek::PublicKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::PublicKey),
    P384(p384::PublicKey),
    P521(p521::PublicKey),
    Secp256k1(k256::PublicKey),
}

/// Runs `$body` with `$k` bound to the inner key of any short-Weierstrass variant.
macro_rules! each_ec {
    ($enum:ident, $value:expr, $k:ident => $body:expr, $other:pat => $else:expr) => {
        match $value {
            $enum::P256($k) => $body,
            $enum::P384($k) => $body,
            $enum::P521($k) => $body,
            $enum::Secp256k1($k) => $body,
            $other => $else,
        }
    };
}

/// `Option<$krate::PublicKey>` from fixed-length affine coordinates: on the curve and not
/// the identity.
macro_rules! affine {
    ($krate:ident, $x:expr, $y:expr) => {{
        let x = $krate::FieldBytes::try_from($x).ok();
        let y = $krate::FieldBytes::try_from($y).ok();
        x.zip(y)
            .and_then(|(x, y)| Option::from($krate::AffinePoint::from_coordinates(&x, &y)))
            .and_then(|p| $krate::PublicKey::from_affine(p).ok())
    }};
}

impl PublicKey {
    pub fn curve(&self) -> Curve {
        match self {
            PublicKey::X25519(_) => Curve::X25519,
            PublicKey::Ed25519(_) => Curve::Ed25519,
            PublicKey::P256(_) => Curve::P256,
            PublicKey::P384(_) => Curve::P384,
            PublicKey::P521(_) => Curve::P521,
            PublicKey::Secp256k1(_) => Curve::Secp256k1,
        }
    }

    /// Builds a key from JWK-style coordinates: `x` alone for OKP curves, `x` and `y` for EC
    /// curves. EC points are checked to lie on the curve; short coordinates (leading zeros
    /// dropped by some encoders) are left-padded.
    pub fn from_coordinates(curve: Curve, x: &[u8], y: Option<&[u8]>) -> Result<PublicKey> {
        let len = curve.field_len();
        match curve {
            Curve::X25519 | Curve::Ed25519 => {
                let bytes: [u8; 32] = x.try_into().map_err(|_| {
                    err!(Malformed, "{curve} key must be 32 bytes, got {}", x.len())
                })?;
                if curve == Curve::X25519 {
                    return Ok(PublicKey::X25519(bytes.into()));
                }
                ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                    .map(PublicKey::Ed25519)
                    .map_err(|_| err!(Malformed, "Ed25519 key is not a valid curve point"))
            }
            _ => {
                let y = y.ok_or_else(|| err!(Malformed, "{curve} key has no y coordinate"))?;
                if x.len() > len || y.len() > len {
                    return Err(err!(
                        Malformed,
                        "{curve} coordinates must be {len} bytes, got {} and {}",
                        x.len(),
                        y.len()
                    ));
                }
                let mut xy = vec![0u8; 2 * len];
                xy[len - x.len()..len].copy_from_slice(x);
                xy[2 * len - y.len()..].copy_from_slice(y);
                let (x, y) = xy.split_at(len);
                // From affine coordinates, not SEC1: this checks the curve equation and
                // keeps point decompression (a modular square root) out of the wasm.
                let point = match curve {
                    Curve::P256 => affine!(p256, x, y).map(PublicKey::P256),
                    Curve::P384 => affine!(p384, x, y).map(PublicKey::P384),
                    Curve::P521 => affine!(p521, x, y).map(PublicKey::P521),
                    _ => affine!(k256, x, y).map(PublicKey::Secp256k1),
                };
                point.ok_or_else(|| err!(Malformed, "{curve} key is not a point on the curve"))
            }
        }
    }

    /// The JWK coordinates: `(x, None)` for OKP curves, `(x, Some(y))` for EC curves.
    pub fn coordinates(&self) -> (Vec<u8>, Option<Vec<u8>>) {
        each_ec!(PublicKey, self,
            k => {
                let point = k.as_affine();
                (point.x().to_vec(), Some(point.y().to_vec()))
            },
            other => match other {
                PublicKey::X25519(k) => (k.as_bytes().to_vec(), None),
                PublicKey::Ed25519(k) => (k.as_bytes().to_vec(), None),
                _ => (Vec::new(), None),
            }
        )
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (x, _) = self.coordinates();
        write!(
            f,
            "PublicKey({}, x={})",
            self.curve(),
            crate::jose::b64::encode(x)
        )
    }
}

/// Identifies one secret key to a crypto backend (which may hold its own copy of the key,
/// such as a node:crypto `KeyObject`) for the key's lifetime. Clones share it; ids are never
/// reused within a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub u64);

impl KeyId {
    fn next() -> KeyId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        KeyId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// A secret key. Zeroized on drop (each inner type zeroizes itself), and then forgotten by
/// the crypto backend if it was shown one; `Debug` shows only the curve. Clones share one
/// key (and one [`KeyId`]).
#[derive(Clone)]
pub struct SecretKey(Arc<Held>);

struct Held {
    id: KeyId,
    /// Whether a backend has seen this key (and may hold a copy to forget).
    shown: AtomicBool,
    material: Material,
    /// Static-static agreements made with this key ([`SecretKey::kept_agreement`]), by the
    /// other key's coordinates.
    agreements: Mutex<Vec<(Coordinates, Zeroizing<Vec<u8>>)>>,
}

/// A public key's JWK coordinates ([`PublicKey::coordinates`]).
type Coordinates = (Vec<u8>, Option<Vec<u8>>);

/// Static-static agreements a key keeps before it starts over: a bound on memory that input
/// cannot raise, well above the peers an agent talks to at once.
const KEPT_AGREEMENTS: usize = 64;

impl Drop for Held {
    fn drop(&mut self) {
        if *self.shown.get_mut() {
            crate::crypto::backend::forget(self.id);
        }
    }
}

/// The key material, one variant per curve.
pub enum Material {
    X25519(x25519_dalek::StaticSecret),
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
    Secp256k1(k256::SecretKey),
}

impl From<Material> for SecretKey {
    fn from(material: Material) -> SecretKey {
        SecretKey::with_id(KeyId::next(), material)
    }
}

impl Material {
    fn from_bytes(curve: Curve, d: &[u8]) -> Result<Material> {
        let len = curve.field_len();
        if d.len() > len || d.is_empty() {
            return Err(err!(
                Malformed,
                "{curve} private key must be {len} bytes, got {}",
                d.len()
            ));
        }
        let mut padded = Zeroizing::new(vec![0u8; len]);
        padded[len - d.len()..].copy_from_slice(d);
        let invalid = || err!(Malformed, "{curve} private key is not a valid scalar");
        Ok(match curve {
            Curve::X25519 | Curve::Ed25519 => {
                let mut bytes = Zeroizing::new([0u8; 32]);
                bytes.copy_from_slice(&padded);
                if curve == Curve::X25519 {
                    Material::X25519(x25519_dalek::StaticSecret::from(*bytes))
                } else {
                    Material::Ed25519(ed25519_dalek::SigningKey::from_bytes(&bytes))
                }
            }
            Curve::P256 => {
                Material::P256(p256::SecretKey::from_slice(&padded).map_err(|_| invalid())?)
            }
            Curve::P384 => {
                Material::P384(p384::SecretKey::from_slice(&padded).map_err(|_| invalid())?)
            }
            Curve::P521 => {
                Material::P521(p521::SecretKey::from_slice(&padded).map_err(|_| invalid())?)
            }
            Curve::Secp256k1 => {
                Material::Secp256k1(k256::SecretKey::from_slice(&padded).map_err(|_| invalid())?)
            }
        })
    }
}

impl SecretKey {
    fn with_id(id: KeyId, material: Material) -> SecretKey {
        SecretKey(Arc::new(Held {
            id,
            shown: AtomicBool::new(false),
            material,
            agreements: Mutex::new(Vec::new()),
        }))
    }

    /// The ECDH shared secret of this key and `public` kept by [`SecretKey::keep_agreement`].
    ///
    /// Between two long-term keys (ECDH-1PU's Zs) Z never changes, so an agent that packs
    /// and unpacks authcrypt with the same peers can skip one of the two ECDH per recipient,
    /// as NaCl's `crypto_box_beforenm` does. Z is secret: kept only with the key it comes
    /// from, wiped when dropped, and never shown.
    pub(crate) fn kept_agreement(&self, public: &PublicKey) -> Option<Zeroizing<Vec<u8>>> {
        let point = public.coordinates();
        let kept = self.0.agreements.lock().ok()?;
        kept.iter()
            .find(|(p, _)| *p == point)
            .map(|(_, z)| Zeroizing::new(z.to_vec()))
    }

    /// Keeps `z`, the ECDH shared secret of this key and the long-term key `public`, for
    /// [`SecretKey::kept_agreement`]. Only for Z proven right: made here, or confirmed by a
    /// successful unwrap (an attacker's JWE must not fill the room or push out real peers).
    pub(crate) fn keep_agreement(&self, public: &PublicKey, z: &[u8]) {
        if let Ok(mut kept) = self.0.agreements.lock() {
            if kept.len() >= KEPT_AGREEMENTS {
                kept.clear();
            }
            // Each Z in its own heap block (the Vec moves only its header), wiped on drop.
            kept.push((public.coordinates(), Zeroizing::new(z.to_vec())));
        }
    }

    pub fn material(&self) -> &Material {
        &self.0.material
    }

    pub fn id(&self) -> KeyId {
        self.0.id
    }

    /// Records that a backend has seen this key, so that dropping it tells the backend.
    pub(crate) fn mark_shown(&self) {
        self.0.shown.store(true, Ordering::Relaxed);
    }

    /// A key a backend generated and already holds under `id`.
    pub(crate) fn adopted(id: KeyId, curve: Curve, d: &[u8]) -> Result<SecretKey> {
        let key = SecretKey::with_id(id, Material::from_bytes(curve, d)?);
        key.mark_shown();
        Ok(key)
    }

    /// A fresh id for a key a backend is about to generate.
    pub(crate) fn reserve_id() -> KeyId {
        KeyId::next()
    }

    pub fn curve(&self) -> Curve {
        match self.material() {
            Material::X25519(_) => Curve::X25519,
            Material::Ed25519(_) => Curve::Ed25519,
            Material::P256(_) => Curve::P256,
            Material::P384(_) => Curve::P384,
            Material::P521(_) => Curve::P521,
            Material::Secp256k1(_) => Curve::Secp256k1,
        }
    }

    /// A fresh key from the platform CSPRNG.
    pub fn generate(curve: Curve) -> Result<SecretKey> {
        // Rejection sampling for the NIST curves: a uniformly random string is a valid
        // scalar with overwhelming probability; loop until it is.
        for _ in 0..64 {
            let mut bytes = Zeroizing::new(vec![0u8; curve.field_len()]);
            random::fill(&mut bytes)?;
            if curve == Curve::P521 {
                bytes[0] &= 0x01; // 521 bits in 66 bytes
            }
            if let Ok(key) = SecretKey::from_bytes(curve, &bytes) {
                return Ok(key);
            }
        }
        Err(err!(
            Internal,
            "the random source produced no valid {curve} scalar"
        ))
    }

    /// Builds a key from its private scalar (JWK `d`). Short scalars are left-padded.
    pub fn from_bytes(curve: Curve, d: &[u8]) -> Result<SecretKey> {
        Material::from_bytes(curve, d).map(SecretKey::from)
    }

    /// The private scalar (JWK `d`).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(each_ec!(Material, self.material(),
            k => k.to_bytes().to_vec(),
            other => match other {
                Material::X25519(k) => k.to_bytes().to_vec(),
                Material::Ed25519(k) => k.to_bytes().to_vec(),
                _ => Vec::new(),
            }
        ))
    }

    pub fn public_key(&self) -> PublicKey {
        match self.material() {
            Material::X25519(k) => PublicKey::X25519(x25519_dalek::PublicKey::from(k)),
            Material::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
            Material::P256(k) => PublicKey::P256(k.public_key()),
            Material::P384(k) => PublicKey::P384(k.public_key()),
            Material::P521(k) => PublicKey::P521(k.public_key()),
            Material::Secp256k1(k) => PublicKey::Secp256k1(k.public_key()),
        }
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({}, <redacted>)", self.curve())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_round_trip_through_their_bytes() {
        for curve in Curve::ALL {
            let secret = SecretKey::generate(curve).unwrap();
            let again = SecretKey::from_bytes(curve, &secret.to_bytes()).unwrap();
            assert_eq!(again.public_key(), secret.public_key(), "{curve}");
            let (x, y) = secret.public_key().coordinates();
            let public = PublicKey::from_coordinates(curve, &x, y.as_deref()).unwrap();
            assert_eq!(public, secret.public_key(), "{curve}");
        }
    }

    #[test]
    fn off_curve_points_are_rejected() {
        for curve in [Curve::P256, Curve::P384, Curve::P521, Curve::Secp256k1] {
            let (x, y) = SecretKey::generate(curve)
                .unwrap()
                .public_key()
                .coordinates();
            let mut y = y.unwrap();
            let last = y.len() - 1;
            y[last] ^= 1;
            let e = PublicKey::from_coordinates(curve, &x, Some(&y)).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Malformed, "{curve}");
        }
    }

    #[test]
    fn debug_never_shows_secret_material() {
        let secret = SecretKey::generate(Curve::P256).unwrap();
        let d = crate::jose::b64::encode(secret.to_bytes());
        let shown = format!("{secret:?}");
        assert!(!shown.contains(&d) && shown.contains("redacted"));
    }
}
