//! Elliptic-curve Diffie-Hellman on X25519, P-256, P-384 and P-521: the reference
//! implementation behind `crypto::backend::agree`.

use zeroize::Zeroizing;

use crate::crypto::key::{Material, PublicKey, SecretKey};
use crate::error::{err, Result};

/// The raw shared secret Z (the x coordinate on NIST curves), zeroized on drop.
/// Fails when the curves differ or when an X25519 peer key has low order (all-zero Z).
pub fn agree(secret: &SecretKey, public: &PublicKey) -> Result<Zeroizing<Vec<u8>>> {
    let z = match (secret.material(), public) {
        (Material::X25519(s), PublicKey::X25519(p)) => {
            let shared = s.diffie_hellman(p);
            if !shared.was_contributory() {
                return Err(err!(Malformed, "X25519 public key has low order"));
            }
            shared.as_bytes().to_vec()
        }
        (Material::P256(s), PublicKey::P256(p)) => s.diffie_hellman(p).raw_secret_bytes().to_vec(),
        (Material::P384(s), PublicKey::P384(p)) => s.diffie_hellman(p).raw_secret_bytes().to_vec(),
        (Material::P521(s), PublicKey::P521(p)) => s.diffie_hellman(p).raw_secret_bytes().to_vec(),
        _ if secret.curve() != public.curve() => {
            return Err(err!(
                Inconsistent,
                "key agreement between different curves ({} and {})",
                secret.curve(),
                public.curve()
            ))
        }
        _ => return Err(err!(Unsupported, "no key agreement on {}", secret.curve())),
    };
    Ok(Zeroizing::new(z))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::key::Curve;

    #[test]
    fn both_sides_agree_on_every_key_agreement_curve() {
        for curve in [Curve::X25519, Curve::P256, Curve::P384, Curve::P521] {
            let a = SecretKey::generate(curve).unwrap();
            let b = SecretKey::generate(curve).unwrap();
            let z1 = agree(&a, &b.public_key()).unwrap();
            let z2 = agree(&b, &a.public_key()).unwrap();
            assert_eq!(*z1, *z2, "{curve}");
            assert_eq!(z1.len(), curve.field_len());
        }
    }

    #[test]
    fn low_order_and_cross_curve_inputs_fail() {
        let a = SecretKey::generate(Curve::X25519).unwrap();
        let zero = PublicKey::X25519([0u8; 32].into());
        assert_eq!(
            agree(&a, &zero).unwrap_err().kind(),
            crate::ErrorKind::Malformed
        );
        let p = SecretKey::generate(Curve::P256).unwrap().public_key();
        assert_eq!(
            agree(&a, &p).unwrap_err().kind(),
            crate::ErrorKind::Inconsistent
        );
    }
}
