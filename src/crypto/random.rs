//! The platform CSPRNG: the OS on native targets, `crypto.getRandomValues` in wasm.

use crate::error::{err, Result};

pub fn fill(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| {
        err!(
            Internal,
            "no randomness available (getrandom error {})",
            e.raw_os_error().unwrap_or(0)
        )
    })
}

pub fn bytes(len: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    fill(&mut buf)?;
    Ok(buf)
}
