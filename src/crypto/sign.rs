//! JWS signature algorithms: EdDSA (Ed25519), ES256 (P-256), ES256K (secp256k1).
//! ECDSA signatures are raw r‖s, as JWS requires (not DER). The reference implementation
//! behind `crypto::backend::{sign, verify}`.

use std::fmt;

use k256::ecdsa::signature::{Signer, Verifier};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::crypto::key::{Curve, Material, PublicKey, SecretKey};
use crate::error::{err, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignAlg {
    EdDsa,
    Es256,
    Es256K,
}

impl SignAlg {
    /// The JWS `alg` name.
    pub fn name(self) -> &'static str {
        match self {
            SignAlg::EdDsa => "EdDSA",
            SignAlg::Es256 => "ES256",
            SignAlg::Es256K => "ES256K",
        }
    }

    pub fn from_name(name: &str) -> Option<SignAlg> {
        [SignAlg::EdDsa, SignAlg::Es256, SignAlg::Es256K]
            .into_iter()
            .find(|a| a.name() == name)
    }

    /// The algorithm a key on `curve` signs with.
    pub fn for_curve(curve: Curve) -> Option<SignAlg> {
        match curve {
            Curve::Ed25519 => Some(SignAlg::EdDsa),
            Curve::P256 => Some(SignAlg::Es256),
            Curve::Secp256k1 => Some(SignAlg::Es256K),
            _ => None,
        }
    }
}

impl fmt::Display for SignAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Signs `message`; the algorithm follows from the key's curve.
pub fn sign(secret: &SecretKey, message: &[u8]) -> Result<(SignAlg, Vec<u8>)> {
    let failed = |_| err!(Internal, "signing failed");
    Ok(match secret.material() {
        Material::Ed25519(k) => (SignAlg::EdDsa, k.sign(message).to_bytes().to_vec()),
        Material::P256(k) => {
            let sig: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(k)
                .try_sign(message)
                .map_err(failed)?;
            (SignAlg::Es256, sig.to_bytes().to_vec())
        }
        Material::Secp256k1(k) => {
            // What `SigningKey::try_sign` does (RFC 6979 over SHA-256, low S), without the
            // public key a `SigningKey` computes first: one scalar multiplication, not two.
            let d = Zeroizing::new(k.to_nonzero_scalar());
            let digest = Sha256::digest(message);
            let (sig, _) =
                ecdsa::hazmat::sign_prehashed_rfc6979::<k256::Secp256k1, Sha256>(&d, &digest, &[]);
            (SignAlg::Es256K, sig.to_bytes().to_vec())
        }
        _ => {
            return Err(err!(
                Unsupported,
                "no JWS algorithm signs with {} keys",
                secret.curve()
            ))
        }
    })
}

/// Fails unless `alg` is the algorithm of the key's curve.
pub fn check_alg(public: &PublicKey, alg: SignAlg) -> Result<()> {
    if SignAlg::for_curve(public.curve()) != Some(alg) {
        return Err(err!(
            Inconsistent,
            "JWS alg {alg} cannot be verified with a {} key",
            public.curve()
        ));
    }
    Ok(())
}

pub fn verification_failed(alg: SignAlg) -> crate::Error {
    err!(VerificationFailed, "{alg} signature does not verify")
}

/// Verifies `signature` over `message`. The algorithm must match the key's curve.
pub fn verify(public: &PublicKey, alg: SignAlg, message: &[u8], signature: &[u8]) -> Result<()> {
    check_alg(public, alg)?;
    let bad = || verification_failed(alg);
    let ok = match public {
        PublicKey::Ed25519(k) => {
            let sig = ed25519_dalek::Signature::from_slice(signature).map_err(|_| bad())?;
            k.verify_strict(message, &sig).is_ok()
        }
        PublicKey::P256(k) => {
            let sig = p256::ecdsa::Signature::from_slice(signature).map_err(|_| bad())?;
            p256::ecdsa::VerifyingKey::from(k)
                .verify(message, &sig)
                .is_ok()
        }
        PublicKey::Secp256k1(k) => {
            // Accept high-S signatures from peers that do not normalise.
            let sig = k256::ecdsa::Signature::from_slice(signature).map_err(|_| bad())?;
            k256::ecdsa::VerifyingKey::from(k)
                .verify(message, &sig.normalize_s())
                .is_ok()
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(bad())
    }
}

/// Whether an Ed25519 signature that a platform verified (OpenSSL, WebCrypto: the
/// cofactorless equation, `R` compared as bytes) also passes dalek's `verify_strict`, which
/// demands besides: `s` canonical, and neither `R` nor the public key of small order. A
/// platform's "valid" counts only with this; its "invalid" is checked again by dalek.
pub fn ed25519_strict_extras(key: &ed25519_dalek::VerifyingKey, signature: &[u8]) -> bool {
    let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
        return false;
    };
    let canonical_s: bool = curve25519_dalek::Scalar::from_canonical_bytes(*sig.s_bytes())
        .is_some()
        .into();
    let r_of_large_order = curve25519_dalek::edwards::CompressedEdwardsY(*sig.r_bytes())
        .decompress()
        .is_some_and(|r| !r.is_small_order());
    canonical_s && r_of_large_order && !key.is_weak()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_strict_extras_refuse_what_verify_strict_adds() {
        let key = SecretKey::generate(Curve::Ed25519).unwrap();
        let PublicKey::Ed25519(public) = key.public_key() else {
            unreachable!()
        };
        let (_, sig) = sign(&key, b"m").unwrap();
        assert!(ed25519_strict_extras(&public, &sig));
        // R the identity (order 1), and R of order 2 (y = -1).
        let mut identity = sig.clone();
        identity[..32].fill(0);
        identity[0] = 1;
        assert!(!ed25519_strict_extras(&public, &identity));
        let mut minus_one = sig.clone();
        minus_one[0] = 0xec;
        minus_one[1..31].fill(0xff);
        minus_one[31] = 0x7f;
        assert!(!ed25519_strict_extras(&public, &minus_one));
        // s + L: the same residue, not canonical.
        let mut l = [0u8; 32];
        l[..16].copy_from_slice(&[
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14,
        ]);
        l[31] = 0x10;
        let s =
            curve25519_dalek::Scalar::from_canonical_bytes(sig[32..].try_into().unwrap()).unwrap();
        let mut carry = 0u16;
        let mut wide = [0u8; 32];
        for (i, (a, b)) in s.to_bytes().iter().zip(l.iter()).enumerate() {
            let sum = u16::from(*a) + u16::from(*b) + carry;
            wide[i] = sum as u8;
            carry = sum >> 8;
        }
        let mut non_canonical = sig.clone();
        non_canonical[32..].copy_from_slice(&wide);
        assert!(!ed25519_strict_extras(&public, &non_canonical));
        // A weak public key (the identity) is refused whatever the signature.
        let weak =
            ed25519_dalek::VerifyingKey::from_bytes(&identity[..32].try_into().unwrap()).unwrap();
        assert!(!ed25519_strict_extras(&weak, &sig));
        assert!(!ed25519_strict_extras(&public, &sig[..63]));
    }

    #[test]
    fn es256k_signs_as_the_ecdsa_signing_key_does() {
        let key = SecretKey::generate(Curve::Secp256k1).unwrap();
        let Material::Secp256k1(k) = key.material() else {
            unreachable!()
        };
        for message in [&b""[..], b"hello", &[7u8; 1000]] {
            let expected: k256::ecdsa::Signature =
                k256::ecdsa::SigningKey::from(k).try_sign(message).unwrap();
            let (alg, sig) = sign(&key, message).unwrap();
            assert_eq!(alg, SignAlg::Es256K);
            assert_eq!(sig, expected.to_bytes().to_vec());
        }
    }

    #[test]
    fn sign_and_verify_on_every_signing_curve() {
        for curve in [Curve::Ed25519, Curve::P256, Curve::Secp256k1] {
            let key = SecretKey::generate(curve).unwrap();
            let (alg, sig) = sign(&key, b"hello").unwrap();
            assert_eq!(sig.len(), 64);
            verify(&key.public_key(), alg, b"hello", &sig).unwrap();
            let e = verify(&key.public_key(), alg, b"hellO", &sig).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::VerificationFailed);
        }
    }
}
