//! Cryptographic primitives below JOSE: key types, ECDH, signatures, randomness.

pub mod ecdh;
pub mod key;
pub mod random;
pub mod sign;

pub use key::{Curve, PublicKey, SecretKey};
pub use sign::SignAlg;
