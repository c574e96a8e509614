//! JWE content encryption: A256CBC-HS512 (RFC 7518 §5.2.5), A256GCM (§5.3) and XC20P
//! (XChaCha20-Poly1305). Tags are compared in constant time. The reference implementation
//! behind `crypto::backend::{encrypt, decrypt}`.

use std::fmt;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::Aes256Gcm;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use chacha20poly1305::XChaCha20Poly1305;
use hmac::{Hmac, Mac};
use sha2::Sha512;

use crate::error::{err, Result};

/// A JWE `enc` algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ContentEnc {
    /// AES-256-CBC with HMAC-SHA-512: the only algorithm authcrypt allows.
    #[default]
    A256CbcHs512,
    A256Gcm,
    Xc20p,
}

impl ContentEnc {
    pub const ALL: [ContentEnc; 3] = [
        ContentEnc::A256CbcHs512,
        ContentEnc::A256Gcm,
        ContentEnc::Xc20p,
    ];

    /// The JWE `enc` name.
    pub fn name(self) -> &'static str {
        match self {
            ContentEnc::A256CbcHs512 => "A256CBC-HS512",
            ContentEnc::A256Gcm => "A256GCM",
            ContentEnc::Xc20p => "XC20P",
        }
    }

    pub fn from_name(name: &str) -> Option<ContentEnc> {
        ContentEnc::ALL.into_iter().find(|e| e.name() == name)
    }

    pub fn key_len(self) -> usize {
        match self {
            ContentEnc::A256CbcHs512 => 64,
            ContentEnc::A256Gcm | ContentEnc::Xc20p => 32,
        }
    }

    pub fn iv_len(self) -> usize {
        match self {
            ContentEnc::A256CbcHs512 => 16,
            ContentEnc::A256Gcm => 12,
            ContentEnc::Xc20p => 24,
        }
    }

    pub fn tag_len(self) -> usize {
        match self {
            ContentEnc::A256CbcHs512 => 32,
            ContentEnc::A256Gcm | ContentEnc::Xc20p => 16,
        }
    }

    /// Encrypts `plaintext`, returning `(ciphertext, tag)`. `cek` and `iv` must have this
    /// algorithm's lengths.
    pub fn encrypt(
        self,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>)> {
        self.check_lengths(cek, iv)?;
        let fail = || err!(Internal, "{self} encryption failed");
        match self {
            ContentEnc::A256CbcHs512 => {
                let (mac_key, enc_key) = cek.split_at(32);
                let ciphertext = cbc::Encryptor::<aes::Aes256>::new_from_slices(enc_key, iv)
                    .map_err(|_| err!(Internal, "bad CBC key"))?
                    .encrypt_padded_vec::<Pkcs7>(plaintext);
                let tag = cbc_hmac_tag(mac_key, aad, iv, &ciphertext)?
                    .finalize()
                    .into_bytes();
                Ok((ciphertext, tag[..32].to_vec()))
            }
            ContentEnc::A256Gcm => {
                let mut buf = plaintext.to_vec();
                let tag = Aes256Gcm::new_from_slice(cek)
                    .map_err(|_| err!(Internal, "bad GCM key"))?
                    .encrypt_inout_detached(
                        iv.try_into().map_err(|_| fail())?,
                        aad,
                        buf.as_mut_slice().into(),
                    )
                    .map_err(|_| fail())?;
                Ok((buf, tag.to_vec()))
            }
            ContentEnc::Xc20p => {
                let mut buf = plaintext.to_vec();
                let tag = XChaCha20Poly1305::new_from_slice(cek)
                    .map_err(|_| err!(Internal, "bad XC20P key"))?
                    .encrypt_inout_detached(
                        iv.try_into().map_err(|_| fail())?,
                        aad,
                        buf.as_mut_slice().into(),
                    )
                    .map_err(|_| fail())?;
                Ok((buf, tag.to_vec()))
            }
        }
    }

    /// Checks the tag (constant time), then decrypts.
    pub fn decrypt(
        self,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> Result<Vec<u8>> {
        self.check_lengths(cek, iv)?;
        self.check_tag(tag)?;
        let failed = || self.authentication_failed();
        match self {
            ContentEnc::A256CbcHs512 => {
                let (mac_key, enc_key) = cek.split_at(32);
                cbc_hmac_tag(mac_key, aad, iv, ciphertext)?
                    .verify_truncated_left(tag)
                    .map_err(|_| failed())?;
                cbc::Decryptor::<aes::Aes256>::new_from_slices(enc_key, iv)
                    .map_err(|_| err!(Internal, "bad CBC key"))?
                    .decrypt_padded_vec::<Pkcs7>(ciphertext)
                    .map_err(|_| failed())
            }
            ContentEnc::A256Gcm => {
                let mut buf = ciphertext.to_vec();
                Aes256Gcm::new_from_slice(cek)
                    .map_err(|_| err!(Internal, "bad GCM key"))?
                    .decrypt_inout_detached(
                        iv.try_into().map_err(|_| failed())?,
                        aad,
                        buf.as_mut_slice().into(),
                        tag.try_into().map_err(|_| failed())?,
                    )
                    .map_err(|_| failed())?;
                Ok(buf)
            }
            ContentEnc::Xc20p => {
                let mut buf = ciphertext.to_vec();
                XChaCha20Poly1305::new_from_slice(cek)
                    .map_err(|_| err!(Internal, "bad XC20P key"))?
                    .decrypt_inout_detached(
                        iv.try_into().map_err(|_| failed())?,
                        aad,
                        buf.as_mut_slice().into(),
                        tag.try_into().map_err(|_| failed())?,
                    )
                    .map_err(|_| failed())?;
                Ok(buf)
            }
        }
    }

    pub fn authentication_failed(self) -> crate::Error {
        err!(DecryptionFailed, "{self} content authentication failed (protected header, iv, ciphertext or tag altered)")
    }

    pub fn check_tag(self, tag: &[u8]) -> Result<()> {
        if tag.len() != self.tag_len() {
            return Err(err!(
                Malformed,
                "{self} tag must be {} bytes, got {}",
                self.tag_len(),
                tag.len()
            ));
        }
        Ok(())
    }

    pub fn check_lengths(self, cek: &[u8], iv: &[u8]) -> Result<()> {
        if cek.len() != self.key_len() {
            return Err(err!(
                DecryptionFailed,
                "{self} needs a {}-byte content key, got {}",
                self.key_len(),
                cek.len()
            ));
        }
        if iv.len() != self.iv_len() {
            return Err(err!(
                Malformed,
                "{self} iv must be {} bytes, got {}",
                self.iv_len(),
                iv.len()
            ));
        }
        Ok(())
    }
}

impl fmt::Display for ContentEnc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// HMAC-SHA-512 over AAD ‖ IV ‖ ciphertext ‖ AL, where AL is the AAD length in bits (u64 BE).
fn cbc_hmac_tag(mac_key: &[u8], aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Hmac<Sha512>> {
    let mut mac =
        <Hmac<Sha512>>::new_from_slice(mac_key).map_err(|_| err!(Internal, "bad HMAC key"))?;
    mac.update(aad);
    mac.update(iv);
    mac.update(ciphertext);
    mac.update(&((aad.len() as u64) * 8).to_be_bytes());
    Ok(mac)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 7518 Appendix B.3: AES_256_CBC_HMAC_SHA_512.
    #[test]
    fn a256cbc_hs512_rfc7518_b3() {
        let key = hex(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
                       202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
        );
        let p = hex(
            "41206369706865722073797374656d206d757374206e6f7420626520726571756972656420746f
                     206265207365637265742c20616e64206974206d7573742062652061626c6520746f2066616c6c
                     20696e746f207468652068616e6473206f662074686520656e656d7920776974686f757420696e
                     636f6e76656e69656e6365",
        );
        let iv = hex("1af38c2dc2b96ffdd86694092341bc04");
        let a = hex(
            "546865207365636f6e64207072696e6369706c65206f66204175677573746520
                     4b6572636b686f666673",
        );
        let (c, t) = ContentEnc::A256CbcHs512.encrypt(&key, &iv, &a, &p).unwrap();
        assert_eq!(
            t,
            hex("4dd3b4c088a7f45c216839645b2012bf2e6269a8c56a816dbc1b267761955bc5")
        );
        assert_eq!(c[..16], hex("4affaaadb78c31c5da4b1b590d10ffbd")[..]);
        assert_eq!(
            ContentEnc::A256CbcHs512
                .decrypt(&key, &iv, &a, &c, &t)
                .unwrap(),
            p
        );
    }

    #[test]
    fn every_algorithm_round_trips_and_detects_tampering() {
        for enc in ContentEnc::ALL {
            let key = vec![7u8; enc.key_len()];
            let iv = vec![9u8; enc.iv_len()];
            let (c, t) = enc.encrypt(&key, &iv, b"aad", b"attack at dawn").unwrap();
            assert_eq!(t.len(), enc.tag_len());
            assert_eq!(
                enc.decrypt(&key, &iv, b"aad", &c, &t).unwrap(),
                b"attack at dawn"
            );
            let mut bad = c.clone();
            bad[0] ^= 1;
            let e = enc.decrypt(&key, &iv, b"aad", &bad, &t).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::DecryptionFailed, "{enc}");
            assert!(enc.decrypt(&key, &iv, b"aaD", &c, &t).is_err());
        }
    }
}
