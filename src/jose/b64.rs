//! base64url: emit unpadded base64url (RFC 7515 §2); accept what peers send — base64url or
//! standard base64, padded or not. Constant-time (base64ct), since JWK `d` passes through.

use base64ct::{Base64, Base64Unpadded, Base64Url, Base64UrlUnpadded, Encoding};

use crate::error::{err, Result};

/// Unpadded base64url.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    Base64UrlUnpadded::encode_string(bytes.as_ref())
}

/// Decodes base64url or standard base64, padded or not. `what` names the field in errors.
pub fn decode(text: &str, what: &str) -> Result<Vec<u8>> {
    let standard = text.contains(['+', '/']);
    let padded = text.ends_with('=');
    match (standard, padded) {
        (false, false) => Base64UrlUnpadded::decode_vec(text),
        (false, true) => Base64Url::decode_vec(text),
        (true, false) => Base64Unpadded::decode_vec(text),
        (true, true) => Base64::decode_vec(text),
    }
    .map_err(|_| err!(Malformed, "{what} is not valid base64url"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine;
    use proptest::prelude::*;

    #[test]
    fn accepts_every_common_form() {
        // 0xfb 0xff encodes to "-_8" (url) and "+/8=" (standard, padded).
        for text in ["-_8", "-_8=", "+/8", "+/8="] {
            assert_eq!(decode(text, "x").unwrap(), vec![0xfb, 0xff], "{text}");
        }
        assert_eq!(encode([0xfb, 0xff]), "-_8");
        assert_eq!(decode("", "x").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn rejects_garbage_with_the_field_name() {
        for bad in ["a*b", "abcde", "ab=c", "-_+/"] {
            let e = decode(bad, "JWE iv").unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Malformed, "{bad}");
            assert!(e.message().contains("JWE iv"));
        }
    }

    proptest! {
        /// Agrees with the `base64` crate on every form, both ways.
        #[test]
        fn agrees_with_the_reference(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let url = URL_SAFE_NO_PAD.encode(&bytes);
            prop_assert_eq!(encode(&bytes), url.clone());
            prop_assert_eq!(decode(&url, "x").unwrap(), bytes.clone());
            prop_assert_eq!(decode(&STANDARD.encode(&bytes), "x").unwrap(), bytes.clone());
            let unpadded_std = STANDARD.encode(&bytes).trim_end_matches('=').to_owned();
            prop_assert_eq!(decode(&unpadded_std, "x").unwrap(), bytes);
        }
    }
}
