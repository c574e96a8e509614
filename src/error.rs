//! One error type for the crate: a stable [`ErrorKind`] plus a message that says what was
//! wrong and where (which header, which kid). Messages never contain secret material.

use std::fmt;

/// The stable category of an [`Error`]. The JS face maps each kind to a `DIDCommError.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Input is not well formed: not JSON, bad base64url, a header of the wrong JSON type,
    /// a missing required field, a key that is not a point on its curve.
    Malformed,
    /// Well-formed parts contradict each other: `from` vs `skid`, `apu` vs `skid`, `apv` vs
    /// the recipient kids, the `epk` curve vs the recipient key, `to` vs the recipient kid.
    Inconsistent,
    /// The DID resolver knows no document for a DID.
    DidNotFound,
    /// A DID URL (kid) is not in its DID document, or not in the relationship it must be in.
    KidNotFound,
    /// The secrets resolver holds no secret for the kid(s) needed.
    SecretNotFound,
    /// An algorithm, curve or key type this library does not implement.
    Unsupported,
    /// The caller passed arguments that cannot work together.
    IllegalArgument,
    /// A signature did not verify.
    VerificationFailed,
    /// Decryption failed: wrong key, or a tampered ciphertext, tag, iv or encrypted key.
    DecryptionFailed,
    /// Sender and recipient have no key in common (no shared curve, no usable key).
    NoCompatibleKeys,
    /// A DID or secrets resolver reported a failure of its own.
    Resolver,
    /// A transport failed: the network, a timeout, an HTTP status outside 2xx, a socket not
    /// open.
    Transport,
    /// Input is over one of the [`Limits`](crate::Limits): size, nesting, counts.
    LimitExceeded,
    /// The environment failed (no randomness source).
    Internal,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 14] = [
        ErrorKind::Malformed,
        ErrorKind::Inconsistent,
        ErrorKind::DidNotFound,
        ErrorKind::KidNotFound,
        ErrorKind::SecretNotFound,
        ErrorKind::Unsupported,
        ErrorKind::IllegalArgument,
        ErrorKind::VerificationFailed,
        ErrorKind::DecryptionFailed,
        ErrorKind::NoCompatibleKeys,
        ErrorKind::Resolver,
        ErrorKind::Transport,
        ErrorKind::LimitExceeded,
        ErrorKind::Internal,
    ];

    /// The kind of a [`ErrorKind::code`] string.
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The stable code string, as exposed to JavaScript (`DIDCommError.code`).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Malformed => "ERR_MALFORMED",
            ErrorKind::Inconsistent => "ERR_INCONSISTENT",
            ErrorKind::DidNotFound => "ERR_DID_NOT_FOUND",
            ErrorKind::KidNotFound => "ERR_KID_NOT_FOUND",
            ErrorKind::SecretNotFound => "ERR_SECRET_NOT_FOUND",
            ErrorKind::Unsupported => "ERR_UNSUPPORTED",
            ErrorKind::IllegalArgument => "ERR_ILLEGAL_ARGUMENT",
            ErrorKind::VerificationFailed => "ERR_VERIFICATION_FAILED",
            ErrorKind::DecryptionFailed => "ERR_DECRYPTION_FAILED",
            ErrorKind::NoCompatibleKeys => "ERR_NO_COMPATIBLE_KEYS",
            ErrorKind::Resolver => "ERR_RESOLVER",
            ErrorKind::Transport => "ERR_TRANSPORT",
            ErrorKind::LimitExceeded => "ERR_LIMIT_EXCEEDED",
            ErrorKind::Internal => "ERR_INTERNAL",
        }
    }
}

/// An error with a stable kind and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// The error of `err!`: out of line and cold, so each of the many call sites costs a
    /// call, not an inlined `format!` (about 4 KB of gzipped wasm).
    #[cold]
    #[inline(never)]
    pub(crate) fn from_args(kind: ErrorKind, args: fmt::Arguments<'_>) -> Self {
        Error {
            kind,
            message: fmt::format(args),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error with `context` prepended to its message, kind unchanged.
    pub fn context(self, context: impl fmt::Display) -> Self {
        Error {
            kind: self.kind,
            message: format!("{context}: {}", self.message),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `err!(Kind, "format", args…)` builds an [`Error`] of that kind.
macro_rules! err {
    ($kind:ident, $($arg:tt)*) => {
        $crate::error::Error::from_args($crate::error::ErrorKind::$kind, format_args!($($arg)*))
    };
}
pub(crate) use err;

/// `a, b, c` for error messages (Debug formatting would drag Unicode escape tables into
/// the wasm).
pub(crate) fn list<T: fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    use fmt::Write;
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{item}");
    }
    out
}

/// Where and why JSON failed to parse, e.g. "syntax error at line 1, column 7". Avoids
/// serde_json's `Display`, which links all of `std::io`'s error formatting into the wasm.
pub(crate) fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let why = match e.classify() {
        Category::Io => "read error",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected data",
        Category::Eof => "unexpected end of input",
    };
    format!("{why} at line {}, column {}", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_read_back() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(ErrorKind::from_code("ERR_SOMETHING"), None);
        assert_eq!(
            ErrorKind::from_code("ERR_TRANSPORT"),
            Some(ErrorKind::Transport)
        );
    }

    #[test]
    fn list_joins_with_commas() {
        assert_eq!(list(["a", "b", "c"]), "a, b, c");
        assert_eq!(list([1]), "1");
        assert_eq!(list(Vec::<String>::new()), "");
    }
}
