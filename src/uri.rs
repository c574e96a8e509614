//! URL text: percent-decoding (RFC 3986 §2.1), shared by did:web DIDs and out-of-band URLs.

/// The bytes of `text` with every `%XX` escape decoded; `None` when a `%` is not followed by
/// exactly two hex digits.
pub(crate) fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            // Two hex digits exactly: from_str_radix alone would also take a sign ("%+1").
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_refuses_bad_ones() {
        assert_eq!(percent_decode("a%20b%3A").unwrap(), b"a b:");
        assert_eq!(percent_decode("plain").unwrap(), b"plain");
        for bad in ["%", "%2", "%zz", "%+1", "a%-1"] {
            assert!(percent_decode(bad).is_none(), "{bad}");
        }
    }
}
