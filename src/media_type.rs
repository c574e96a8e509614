//! The three DIDComm media types (CHECKLIST §1), used in `typ` headers and as HTTP
//! content types. A type written without `application/` means the same thing.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    Plain,
    Signed,
    Encrypted,
}

impl MediaType {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Plain => "application/didcomm-plain+json",
            MediaType::Signed => "application/didcomm-signed+json",
            MediaType::Encrypted => "application/didcomm-encrypted+json",
        }
    }

    /// Whether `typ` names this media type, with or without the `application/` prefix.
    pub fn matches(self, typ: &str) -> bool {
        let full = self.as_str();
        typ == full || Some(typ) == full.strip_prefix("application/")
    }
}
