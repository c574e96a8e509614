//! did:web (CHECKLIST §11): where a DID's document lives. Fetching it is the platform's
//! job (the wasm layer uses `fetch`); the rules are here.

use crate::error::{err, Result};

/// The https URL of the document of `did:web:…`: `did:web:host` → `https://host/.well-known/did.json`,
/// `did:web:host:a:b` → `https://host/a/b/did.json`. A port is written `%3A` in the host;
/// path segments are percent-decoded.
pub fn url_for(did: &str) -> Result<String> {
    let rest = did
        .strip_prefix("did:web:")
        .ok_or_else(|| err!(IllegalArgument, "{did} is not a did:web"))?;
    if rest.contains(['#', '?', '/']) {
        return Err(err!(
            Malformed,
            "{did}: a did:web has no path, query or fragment"
        ));
    }
    let mut parts = rest.split(':');
    let host = decode(parts.next().unwrap_or_default(), did)?;
    let valid_host = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        && host.matches(':').count() <= 1;
    if !valid_host {
        return Err(err!(Malformed, "{did}: '{host}' is not a host[:port]"));
    }
    let path: Vec<String> = parts.map(|p| decode(p, did)).collect::<Result<_>>()?;
    if path
        .iter()
        .any(|p| p.is_empty() || p == "." || p == ".." || p.contains('/'))
    {
        return Err(err!(Malformed, "{did}: empty or relative path segment"));
    }
    Ok(if path.is_empty() {
        format!("https://{host}/.well-known/did.json")
    } else {
        format!("https://{host}/{}/did.json", path.join("/"))
    })
}

fn decode(segment: &str, did: &str) -> Result<String> {
    let bytes = crate::uri::percent_decode(segment)
        .ok_or_else(|| err!(Malformed, "{did}: bad percent-encoding"))?;
    String::from_utf8(bytes).map_err(|_| err!(Malformed, "{did}: percent-encoding is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_path_and_port_rules() {
        for (did, url) in [
            (
                "did:web:w3c-ccg.github.io",
                "https://w3c-ccg.github.io/.well-known/did.json",
            ),
            (
                "did:web:w3c-ccg.github.io:user:alice",
                "https://w3c-ccg.github.io/user/alice/did.json",
            ),
            (
                "did:web:example.com%3A3000",
                "https://example.com:3000/.well-known/did.json",
            ),
            (
                "did:web:example.com%3A3000:a%20b",
                "https://example.com:3000/a b/did.json",
            ),
            (
                "did:web:127.0.0.1%3A8443:u",
                "https://127.0.0.1:8443/u/did.json",
            ),
        ] {
            assert_eq!(url_for(did).unwrap(), url, "{did}");
        }
        for bad in [
            "did:web:",
            "did:web:ex ample.com",
            "did:web:a.com:..",
            "did:web:a.com::b",
            "did:web:a.com%2Fx",
            "did:web:a.com%zz",
            "did:web:a.com#k",
            "did:key:z6Mk",
        ] {
            assert!(url_for(bad).is_err(), "{bad}");
        }
    }
}
