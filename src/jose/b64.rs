//! base64url: emit unpadded base64url (RFC 7515 §2); accept what peers send — base64url or
//! standard base64, padded or not. Constant-time (base64ct), since JWK `d` passes through.

use base64ct::{Base64UrlUnpadded, Encoding};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::error::{err, Result};

/// Unpadded base64url.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    Base64UrlUnpadded::encode_string(bytes.as_ref())
}

/// Decodes base64url or standard base64, padded or not. `what` names the field in errors.
///
/// One decoder (unpadded base64url) serves every form: padding is checked and stripped,
/// and standard text is mapped to the url alphabet (`+` → `-`, `/` → `_`; its own `-`
/// and `_` become invalid), so the wasm links one base64ct alphabet, not four.
pub fn decode(text: &str, what: &str) -> Result<Vec<u8>> {
    let bad = || err!(Malformed, "{what} is not valid base64url");
    let mut body = text.as_bytes();
    if body.ends_with(b"=") {
        // Padded: whole 4-character blocks, the last ending in one or two '='.
        if !body.len().is_multiple_of(4) {
            return Err(bad());
        }
        body = body
            .strip_suffix(b"==")
            .or_else(|| body.strip_suffix(b"="))
            .unwrap_or(body);
    }
    // Bytes, not chars: '+' and '/' are ASCII, and a byte scan is several times faster than
    // `str::contains` with a char set (this runs over every ciphertext).
    if !body.iter().any(|&b| b == b'+' || b == b'/') {
        // `body` ends before ASCII '=' padding, so it is a char boundary of `text`.
        let body = text.get(..body.len()).ok_or_else(bad)?;
        return Base64UrlUnpadded::decode_vec(body).map_err(|_| bad());
    }
    // Constant time per character: the text may be a private key (JWK `d`).
    let url: Zeroizing<Vec<u8>> = Zeroizing::new(body.iter().map(|&b| to_url(b)).collect());
    Base64UrlUnpadded::decode_vec(std::str::from_utf8(&url).map_err(|_| bad())?).map_err(|_| bad())
}

/// A standard-alphabet character in the url alphabet; `-` and `_` (not in the standard
/// alphabet) become `*`, which no alphabet has.
fn to_url(b: u8) -> u8 {
    let b = u8::conditional_select(&b, &b'*', b.ct_eq(&b'-') | b.ct_eq(&b'_'));
    let b = u8::conditional_select(&b, &b'-', b.ct_eq(&b'+'));
    u8::conditional_select(&b, &b'_', b.ct_eq(&b'/'))
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

    /// The decoder before the alphabets were merged: one base64ct alphabet per form.
    fn four_alphabets(text: &str) -> Option<Vec<u8>> {
        use base64ct::{Base64, Base64Unpadded, Base64Url};
        let standard = text.contains(['+', '/']);
        let padded = text.ends_with('=');
        match (standard, padded) {
            (false, false) => Base64UrlUnpadded::decode_vec(text),
            (false, true) => Base64Url::decode_vec(text),
            (true, false) => Base64Unpadded::decode_vec(text),
            (true, true) => Base64::decode_vec(text),
        }
        .ok()
    }

    #[test]
    fn same_verdicts_as_four_alphabets_on_padding_and_alphabet_edges() {
        for text in [
            "", "=", "==", "===", "====", "A", "A=", "A==", "A===", "QQ", "QQ=", "QQ==", "QQ===",
            "QR==", "QUI", "QUI=", "QUI==", "QUJD", "QUJD=", "QUJD====", "Q=Q=", "QQ=A", "=QQ=",
            "-_8", "-_8=", "+/8", "+/8=", "-/8=", "+_8", "+/8==", "+/+/", "+/+/====", "++==",
            "+/9=", "é+/8", "-_8é", "ab\0c",
        ] {
            assert_eq!(decode(text, "x").ok(), four_alphabets(text), "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Same verdict and bytes as the four-alphabet decoder on any short text.
        #[test]
        fn agrees_with_four_alphabets(text in "[A-Za-z0-9+/_=-]{0,13}") {
            prop_assert_eq!(decode(&text, "x").ok(), four_alphabets(&text));
        }

        /// … and on every form of real encodings, with one character changed or not.
        #[test]
        fn agrees_with_four_alphabets_near_valid_text(
            bytes in prop::collection::vec(any::<u8>(), 0..12),
            form in 0..4usize,
            edit in prop::option::of((any::<prop::sample::Index>(), prop::sample::select(vec!['=', '+', '/', '-', '_', 'A', 'B']))),
        ) {
            let std = STANDARD.encode(&bytes);
            let mut text: Vec<char> = match form {
                0 => URL_SAFE_NO_PAD.encode(&bytes),
                1 => std.replace('+', "-").replace('/', "_"),
                2 => std.trim_end_matches('=').to_owned(),
                _ => std,
            }
            .chars()
            .collect();
            if let (Some((at, c)), false) = (edit, text.is_empty()) {
                let i = at.index(text.len());
                text[i] = c;
            }
            let text: String = text.into_iter().collect();
            prop_assert_eq!(decode(&text, "x").ok(), four_alphabets(&text), "{}", text);
        }

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
