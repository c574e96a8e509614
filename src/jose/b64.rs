//! base64url: emit unpadded base64url (RFC 7515 §2); accept what peers send — base64url or
//! standard base64, padded or not.
//!
//! Two codecs with the same verdicts: [`encode`] and [`decode`] use lookup tables, for the
//! public data that is most of every message (a JWE's ciphertext, a JWS payload: base64ct
//! took a third of a 1 MiB unpack); [`encode_secret`] and [`decode_secret`] run in constant
//! time (base64ct), for the private scalar of a JWK (`d`).

use base64ct::{Base64UrlUnpadded, Encoding};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::error::{err, Result};

const URL_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Not a character of the alphabet: the high bit, which no 6-bit value has.
const INVALID: u8 = 0xFF;

/// The value of every byte in an alphabet whose last two characters are `c62`, `c63`.
const fn decoding_table(c62: u8, c63: u8) -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 26 {
        table[b'A' as usize + i] = i as u8;
        table[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = 52 + i as u8;
        i += 1;
    }
    table[c62 as usize] = 62;
    table[c63 as usize] = 63;
    table
}

static URL_TABLE: [u8; 256] = decoding_table(b'-', b'_');
static STANDARD_TABLE: [u8; 256] = decoding_table(b'+', b'/');

/// Unpadded base64url of public data.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    encode_slice(bytes.as_ref())
}

/// [`encode`], one copy in the wasm whatever the callers' argument types.
#[inline(never)]
fn encode_slice(bytes: &[u8]) -> String {
    let mut out = vec![0u8; (bytes.len() * 4).div_ceil(3)];
    let sextet = |n: u32, shift: u32| URL_ALPHABET[(n >> shift) as usize & 63];
    let mut blocks = out.chunks_exact_mut(4);
    let mut groups = bytes.chunks_exact(3);
    for (group, block) in (&mut groups).zip(&mut blocks) {
        if let ([a, b, c], [w, x, y, z]) = (group, block) {
            let n = u32::from(*a) << 16 | u32::from(*b) << 8 | u32::from(*c);
            (*w, *x, *y, *z) = (sextet(n, 18), sextet(n, 12), sextet(n, 6), sextet(n, 0));
        }
    }
    match (groups.remainder(), blocks.into_remainder()) {
        ([a], [w, x]) => {
            let n = u32::from(*a) << 16;
            (*w, *x) = (sextet(n, 18), sextet(n, 12));
        }
        ([a, b], [w, x, y]) => {
            let n = u32::from(*a) << 16 | u32::from(*b) << 8;
            (*w, *x, *y) = (sextet(n, 18), sextet(n, 12), sextet(n, 6));
        }
        _ => {}
    }
    // Every byte written is from the alphabet, so this is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// Unpadded base64url of a secret, in constant time.
pub fn encode_secret(bytes: impl AsRef<[u8]>) -> String {
    Base64UrlUnpadded::encode_string(bytes.as_ref())
}

/// Decodes base64url or standard base64 of public data, padded or not. `what` names the
/// field in errors.
pub fn decode(text: &str, what: &str) -> Result<Vec<u8>> {
    let bad = || err!(Malformed, "{what} is not valid base64url");
    let (body, standard) = unpadded(text).ok_or_else(bad)?;
    let table = if standard {
        &STANDARD_TABLE
    } else {
        &URL_TABLE
    };
    decode_with(body, table).ok_or_else(bad)
}

/// [`decode`] in constant time per character, for a secret (JWK `d`).
///
/// One decoder (unpadded base64url) serves every form: padding is checked and stripped,
/// and standard text is mapped to the url alphabet (`+` → `-`, `/` → `_`; its own `-`
/// and `_` become invalid), so the wasm links one base64ct alphabet, not four.
pub fn decode_secret(text: &str, what: &str) -> Result<Zeroizing<Vec<u8>>> {
    let bad = || err!(Malformed, "{what} is not valid base64url");
    let (body, standard) = unpadded(text).ok_or_else(bad)?;
    let url: Zeroizing<Vec<u8>>;
    let body = if standard {
        url = Zeroizing::new(body.iter().map(|&b| to_url(b)).collect());
        &url[..]
    } else {
        body
    };
    // Into a buffer that is wiped however decoding ends: base64ct's `decode_vec` drops its
    // buffer, with what it had decoded so far, when the text turns out invalid.
    let mut out = Zeroizing::new(vec![0u8; body.len() * 3 / 4]);
    let len = Base64UrlUnpadded::decode(body, &mut out)
        .map_err(|_| bad())?
        .len();
    out.truncate(len);
    Ok(out)
}

/// The text without its padding, and whether it uses the standard alphabet (`+` or `/`
/// present). `None` for padding that is not whole 4-character blocks ending in one or two `=`.
fn unpadded(text: &str) -> Option<(&[u8], bool)> {
    let mut body = text.as_bytes();
    if body.ends_with(b"=") {
        if !body.len().is_multiple_of(4) {
            return None;
        }
        body = body
            .strip_suffix(b"==")
            .or_else(|| body.strip_suffix(b"="))
            .unwrap_or(body);
    }
    // Bytes, not chars: '+' and '/' are ASCII, and a byte scan is several times faster than
    // `str::contains` with a char set (this runs over every ciphertext).
    Some((body, body.iter().any(|&b| b == b'+' || b == b'/')))
}

/// Unpadded base64 in the alphabet of `table`, canonical: the bits after the last whole byte
/// must be zero, as base64ct requires.
fn decode_with(body: &[u8], table: &[u8; 256]) -> Option<Vec<u8>> {
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = vec![0u8; body.len() / 4 * 3 + (body.len() % 4).saturating_sub(1)];
    let value = |c: &u8| table[usize::from(*c)];
    // Invalid characters set the high bit; checked once at the end.
    let mut seen = 0u8;
    let mut blocks = body.chunks_exact(4);
    let mut groups = out.chunks_exact_mut(3);
    for (block, group) in (&mut blocks).zip(&mut groups) {
        if let ([w, x, y, z], [a, b, c]) = (block, group) {
            let (w, x, y, z) = (value(w), value(x), value(y), value(z));
            seen |= w | x | y | z;
            let n = u32::from(w) << 18 | u32::from(x) << 12 | u32::from(y) << 6 | u32::from(z);
            (*a, *b, *c) = ((n >> 16) as u8, (n >> 8) as u8, n as u8);
        }
    }
    // The bits after the last whole byte must be zero.
    let canonical = match (blocks.remainder(), groups.into_remainder()) {
        ([w, x], [a]) => {
            let (w, x) = (value(w), value(x));
            seen |= w | x;
            *a = (w << 2) | (x >> 4);
            x & 0x0F == 0
        }
        ([w, x, y], [a, b]) => {
            let (w, x, y) = (value(w), value(x), value(y));
            seen |= w | x | y;
            let n = u32::from(w) << 18 | u32::from(x) << 12 | u32::from(y) << 6;
            (*a, *b) = ((n >> 16) as u8, (n >> 8) as u8);
            y & 0x03 == 0
        }
        _ => true,
    };
    (seen & 0x80 == 0 && canonical).then_some(out)
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
            assert_eq!(secret(text), four_alphabets(text), "{text:?}");
        }
    }

    /// What the constant-time decoder makes of `text`.
    fn secret(text: &str) -> Option<Vec<u8>> {
        decode_secret(text, "x").ok().map(|d| d.to_vec())
    }

    #[test]
    fn every_byte_value_decodes_as_base64ct_does() {
        // Each byte in each position of a 2-, 3- and 4-character block, in both alphabets.
        for len in 2..=4 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut text = vec![b'Q'; len];
                    text[at] = b;
                    let Ok(text) = String::from_utf8(text) else {
                        continue;
                    };
                    for text in [text.clone(), format!("+{text}")] {
                        assert_eq!(decode(&text, "x").ok(), four_alphabets(&text), "{text:?}");
                        assert_eq!(secret(&text), four_alphabets(&text), "{text:?}");
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Same verdict and bytes as the four-alphabet decoder on any short text.
        #[test]
        fn agrees_with_four_alphabets(text in "[A-Za-z0-9+/_=-]{0,13}") {
            prop_assert_eq!(decode(&text, "x").ok(), four_alphabets(&text));
            prop_assert_eq!(secret(&text), four_alphabets(&text));
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
            prop_assert_eq!(secret(&text), four_alphabets(&text), "{}", text);
        }

        /// Agrees with the `base64` crate on every form, both ways.
        #[test]
        fn agrees_with_the_reference(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let url = URL_SAFE_NO_PAD.encode(&bytes);
            prop_assert_eq!(encode(&bytes), url.clone());
            prop_assert_eq!(encode_secret(&bytes), url.clone());
            prop_assert_eq!(decode(&url, "x").unwrap(), bytes.clone());
            prop_assert_eq!(decode(&STANDARD.encode(&bytes), "x").unwrap(), bytes.clone());
            let unpadded_std = STANDARD.encode(&bytes).trim_end_matches('=').to_owned();
            prop_assert_eq!(decode(&unpadded_std, "x").unwrap(), bytes);
        }
    }
}
