//! JSON Web Keys (RFC 7517/7518/8037) for the six curves: parse public and private JWKs,
//! and emit them.

use serde_json::{Map, Value};

use crate::crypto::key::{Curve, PublicKey, SecretKey};
use crate::error::{err, Result};
use crate::jose::b64;

fn field<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>> {
    match jwk.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(err!(Malformed, "JWK '{name}' must be a string")),
    }
}

fn curve_of(jwk: &Map<String, Value>) -> Result<Curve> {
    let crv = field(jwk, "crv")?.ok_or_else(|| err!(Malformed, "JWK has no 'crv'"))?;
    let curve = Curve::from_name(crv)
        .ok_or_else(|| err!(Unsupported, "JWK curve '{crv}' is not supported"))?;
    if let Some(kty) = field(jwk, "kty")? {
        if kty != curve.kty() {
            return Err(err!(
                Malformed,
                "JWK kty '{kty}' does not fit curve {curve}"
            ));
        }
    }
    Ok(curve)
}

fn as_object(jwk: &Value) -> Result<&Map<String, Value>> {
    jwk.as_object()
        .ok_or_else(|| err!(Malformed, "a JWK must be a JSON object"))
}

/// Parses the public part of a JWK (`kty`, `crv`, `x`, `y`); checks the point.
pub fn public_from_jwk(jwk: &Value) -> Result<PublicKey> {
    let jwk = as_object(jwk)?;
    let curve = curve_of(jwk)?;
    let x = field(jwk, "x")?.ok_or_else(|| err!(Malformed, "JWK has no 'x'"))?;
    let x = b64::decode(x, "JWK 'x'")?;
    let y = match field(jwk, "y")? {
        Some(y) if curve.kty() == "EC" => Some(b64::decode(y, "JWK 'y'")?),
        _ => None,
    };
    PublicKey::from_coordinates(curve, &x, y.as_deref())
}

/// Parses a private JWK (needs `d`). The public coordinates, if present, are not
/// re-derived here; [`crate::secrets::Secret::from_jwk`] checks them where it matters.
pub fn secret_from_jwk(jwk: &Value) -> Result<SecretKey> {
    let jwk = as_object(jwk)?;
    let curve = curve_of(jwk)?;
    let d = field(jwk, "d")?.ok_or_else(|| err!(Malformed, "private JWK has no 'd'"))?;
    let d = b64::decode_secret(d, "JWK 'd'")?;
    SecretKey::from_bytes(curve, &d)
}

/// The public JWK of a key: `kty`, `crv`, `x` (and `y` on EC curves).
pub fn public_to_jwk(key: &PublicKey) -> Map<String, Value> {
    let curve = key.curve();
    let (x, y) = key.coordinates();
    let mut jwk = Map::new();
    jwk.insert("kty".into(), curve.kty().into());
    jwk.insert("crv".into(), curve.name().into());
    jwk.insert("x".into(), b64::encode(x).into());
    if let Some(y) = y {
        jwk.insert("y".into(), b64::encode(y).into());
    }
    jwk
}

/// The private JWK of a key (public fields plus `d`). The caller owns the secret it returns.
pub fn secret_to_jwk(key: &SecretKey) -> Map<String, Value> {
    let mut jwk = public_to_jwk(&key.public_key());
    jwk.insert("d".into(), b64::encode_secret(key.to_bytes()).into());
    jwk
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_every_curve() {
        for curve in Curve::ALL {
            let secret = SecretKey::generate(curve).unwrap();
            let jwk = Value::Object(secret_to_jwk(&secret));
            let again = secret_from_jwk(&jwk).unwrap();
            assert_eq!(again.public_key(), secret.public_key());
            assert_eq!(public_from_jwk(&jwk).unwrap(), secret.public_key());
        }
    }

    #[test]
    fn clear_errors() {
        let unknown = json!({"kty": "EC", "crv": "P-192", "x": "AA", "y": "AA"});
        assert_eq!(
            public_from_jwk(&unknown).unwrap_err().kind(),
            crate::ErrorKind::Unsupported
        );
        let wrong_kty = json!({"kty": "EC", "crv": "X25519", "x": "AA"});
        assert_eq!(
            public_from_jwk(&wrong_kty).unwrap_err().kind(),
            crate::ErrorKind::Malformed
        );
        let no_x = json!({"kty": "OKP", "crv": "X25519"});
        assert!(public_from_jwk(&no_x)
            .unwrap_err()
            .message()
            .contains("'x'"));
    }
}
