//! Cryptographic primitives below JOSE: key types, ECDH, signatures, randomness, and the
//! backend seam every primitive goes through (`backend`).

pub mod backend;
pub mod ecdh;
pub mod key;
pub mod random;
pub mod sign;

pub use key::{Curve, KeyId, PublicKey, SecretKey};
pub use sign::SignAlg;
