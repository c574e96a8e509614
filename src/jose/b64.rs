//! base64url: emit unpadded base64url (RFC 7515 §2); accept what peers send — base64url or
//! standard base64, padded or not.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;

use crate::error::{err, Result};

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const URL_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);
const STD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);

/// Unpadded base64url.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url or standard base64, padded or not. `what` names the field in errors.
pub fn decode(text: &str, what: &str) -> Result<Vec<u8>> {
    let engine = if text.contains(['+', '/']) {
        &STD_LENIENT
    } else {
        &URL_LENIENT
    };
    engine
        .decode(text)
        .map_err(|_| err!(Malformed, "{what} is not valid base64url"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_common_form() {
        // 0xfb 0xff encodes to "-_8" (url) and "+/8=" (standard, padded).
        for text in ["-_8", "-_8=", "+/8", "+/8="] {
            assert_eq!(decode(text, "x").unwrap(), vec![0xfb, 0xff], "{text}");
        }
        assert_eq!(encode([0xfb, 0xff]), "-_8");
    }

    #[test]
    fn rejects_garbage_with_the_field_name() {
        let e = decode("a*b", "JWE iv").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Malformed);
        assert!(e.message().contains("JWE iv"));
    }
}
