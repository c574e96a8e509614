//! Multikey: a public key as multibase base58btc (`z…`) of a multicodec varint followed by
//! the key bytes (raw for Ed25519/X25519, compressed SEC1 for the EC curves). did:key,
//! did:peer and `publicKeyMultibase` all use it.

use p256::elliptic_curve::sec1::ToSec1Point;

use crate::crypto::{Curve, PublicKey};
use crate::error::{err, Result};

/// Multicodec code of each curve's public key.
fn codec(curve: Curve) -> u64 {
    match curve {
        Curve::Ed25519 => 0xed,
        Curve::X25519 => 0xec,
        Curve::P256 => 0x1200,
        Curve::P384 => 0x1201,
        Curve::P521 => 0x1202,
        Curve::Secp256k1 => 0xe7,
    }
}

fn curve_of_codec(code: u64) -> Option<Curve> {
    Curve::ALL.into_iter().find(|c| codec(*c) == code)
}

/// Base58btc text (no multibase prefix).
pub fn base58_decode(text: &str, what: &str) -> Result<Vec<u8>> {
    bs58::decode(text)
        .into_vec()
        .map_err(|_| err!(Malformed, "{what} is not valid base58btc"))
}

/// Multibase text: only `z` (base58btc), the one DIDs use.
pub fn multibase_decode(text: &str, what: &str) -> Result<Vec<u8>> {
    match text.strip_prefix('z') {
        Some(rest) => base58_decode(rest, what),
        None => Err(err!(
            Unsupported,
            "{what}: multibase prefix '{}' is not supported (only 'z', base58btc)",
            text.chars().next().unwrap_or(' ')
        )),
    }
}

fn read_varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().enumerate().take(9) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, bytes.get(i + 1..)?));
        }
    }
    None
}

fn write_varint(mut value: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Decodes multicodec-prefixed key bytes.
pub fn decode_codec_key(bytes: &[u8], what: &str) -> Result<PublicKey> {
    let (code, key) =
        read_varint(bytes).ok_or_else(|| err!(Malformed, "{what}: truncated multicodec prefix"))?;
    let curve = curve_of_codec(code).ok_or_else(|| {
        err!(
            Unsupported,
            "{what}: multicodec 0x{code:x} is not a supported public key type"
        )
    })?;
    from_key_bytes(curve, key).map_err(|e| e.context(what))
}

/// A public key from its plain bytes: 32 for Ed25519/X25519, SEC1 (compressed or not) for
/// the EC curves. Checks length and curve membership.
pub fn from_key_bytes(curve: Curve, key: &[u8]) -> Result<PublicKey> {
    let bad = || {
        err!(
            Malformed,
            "{curve} key is not a valid point ({} bytes)",
            key.len()
        )
    };
    Ok(match curve {
        Curve::X25519 | Curve::Ed25519 => return PublicKey::from_coordinates(curve, key, None),
        Curve::P256 => PublicKey::P256(p256::PublicKey::from_sec1_bytes(key).map_err(|_| bad())?),
        Curve::P384 => PublicKey::P384(p384::PublicKey::from_sec1_bytes(key).map_err(|_| bad())?),
        Curve::P521 => PublicKey::P521(p521::PublicKey::from_sec1_bytes(key).map_err(|_| bad())?),
        Curve::Secp256k1 => {
            PublicKey::Secp256k1(k256::PublicKey::from_sec1_bytes(key).map_err(|_| bad())?)
        }
    })
}

/// Parses `z…` Multikey text.
pub fn decode(text: &str, what: &str) -> Result<PublicKey> {
    decode_codec_key(&multibase_decode(text, what)?, what)
}

/// The Multikey text of a key (`z6Mk…` for Ed25519, `z6LS…` for X25519, `zDn…` for P-256).
pub fn encode(key: &PublicKey) -> String {
    let mut bytes = Vec::with_capacity(70);
    write_varint(codec(key.curve()), &mut bytes);
    match key {
        PublicKey::X25519(k) => bytes.extend_from_slice(k.as_bytes()),
        PublicKey::Ed25519(k) => bytes.extend_from_slice(k.as_bytes()),
        PublicKey::P256(k) => bytes.extend_from_slice(k.to_sec1_point(true).as_bytes()),
        PublicKey::P384(k) => bytes.extend_from_slice(k.to_sec1_point(true).as_bytes()),
        PublicKey::P521(k) => bytes.extend_from_slice(k.to_sec1_point(true).as_bytes()),
        PublicKey::Secp256k1(k) => bytes.extend_from_slice(k.to_sec1_point(true).as_bytes()),
    }
    format!("z{}", bs58::encode(bytes).into_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::SecretKey;

    #[test]
    fn round_trips_every_curve_with_the_known_prefixes() {
        for (curve, prefix) in [
            (Curve::Ed25519, "z6Mk"),
            (Curve::X25519, "z6LS"),
            (Curve::P256, "zDn"),
            (Curve::P384, "z82"),
            (Curve::P521, "z2J9"),
            (Curve::Secp256k1, "zQ3s"),
        ] {
            let key = SecretKey::generate(curve).unwrap().public_key();
            let text = encode(&key);
            assert!(text.starts_with(prefix), "{curve}: {text}");
            assert_eq!(decode(&text, "k").unwrap(), key, "{curve}");
        }
    }

    #[test]
    fn clear_errors() {
        assert_eq!(
            decode("m6Mk", "k").unwrap_err().kind(),
            crate::ErrorKind::Unsupported
        );
        assert_eq!(
            decode("z0OIl", "k").unwrap_err().kind(),
            crate::ErrorKind::Malformed
        );
        // 0x1300 is no key codec
        let mut bytes = Vec::new();
        write_varint(0x1300, &mut bytes);
        bytes.extend([0u8; 32]);
        let text = format!("z{}", bs58::encode(bytes).into_string());
        assert_eq!(
            decode(&text, "k").unwrap_err().kind(),
            crate::ErrorKind::Unsupported
        );
        // Ed25519 codec with 31 bytes
        let mut bytes = vec![0xed, 0x01];
        bytes.extend([1u8; 31]);
        let text = format!("z{}", bs58::encode(bytes).into_string());
        assert_eq!(
            decode(&text, "k").unwrap_err().kind(),
            crate::ErrorKind::Malformed
        );
    }
}
