//! AES-256 key wrap (RFC 3394), the "A256KW" half of ECDH-ES+A256KW and ECDH-1PU+A256KW:
//! the reference implementation behind `crypto::backend::{wrap, unwrap}`.

use aes_kw::{KeyInit, KwAes256};
use zeroize::Zeroizing;

use crate::error::{err, Result};

pub fn wrap(kek: &[u8; 32], cek: &[u8]) -> Result<Vec<u8>> {
    let mut out = vec![0u8; cek.len() + aes_kw::IV_LEN];
    KwAes256::new(kek.into())
        .wrap_key(cek, &mut out)
        .map_err(|_| err!(Internal, "cannot wrap a {}-byte key", cek.len()))?;
    Ok(out)
}

/// Unwraps and checks the RFC 3394 integrity value; a wrong KEK or a tampered
/// `encrypted_key` both fail here.
pub fn unwrap(kek: &[u8; 32], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let len = check_wrapped_len(wrapped)?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    KwAes256::new(kek.into())
        .unwrap_key(wrapped, &mut out)
        .map_err(|_| unwrap_failed())?;
    Ok(out)
}

/// The unwrapped key's length, or an error when `wrapped` cannot be a wrapped 128-bit+ key.
pub fn check_wrapped_len(wrapped: &[u8]) -> Result<usize> {
    wrapped
        .len()
        .checked_sub(aes_kw::IV_LEN)
        .filter(|n| *n >= 16 && *n % 8 == 0)
        .ok_or_else(|| {
            err!(
                Malformed,
                "encrypted_key has an impossible length {}",
                wrapped.len()
            )
        })
}

pub fn unwrap_failed() -> crate::Error {
    err!(DecryptionFailed, "key unwrap failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 3394 §4.6: wrap 256 bits of key data with a 256-bit KEK.
    #[test]
    fn rfc3394_vector() {
        let kek: [u8; 32] = core::array::from_fn(|i| i as u8);
        // 00112233…FF ‖ 000102…0F
        let data: Vec<u8> = (0..16u8).map(|i| i * 0x11).chain(0..16u8).collect();
        let wrapped = wrap(&kek, &data).unwrap();
        let hex: String = wrapped.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(
            hex,
            "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21"
        );
        assert_eq!(*unwrap(&kek, &wrapped).unwrap(), data);
        let mut bad = wrapped.clone();
        bad[5] ^= 1;
        assert_eq!(
            unwrap(&kek, &bad).unwrap_err().kind(),
            crate::ErrorKind::DecryptionFailed
        );
    }
}
