//! Opaque secrets: 256 random bits, base64url, with a prefix saying what
//! they are (`tlr_` refresh token, `tls_` client secret) so a leaked one is
//! recognisable by secret scanners. Only their SHA-256 is stored: they are
//! random, so a fast hash is as strong as a slow one here.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const REFRESH_TOKEN_PREFIX: &str = "tlr_";
pub const CLIENT_SECRET_PREFIX: &str = "tls_";

/// A new random secret with `prefix`.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a secret: its SHA-256, hex.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether `secret` hashes to `stored`, compared in constant time.
pub fn matches(secret: &str, stored: &str) -> bool {
    digest(secret).as_bytes().ct_eq(stored.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_verify_only_against_their_digest() {
        let a = generate(CLIENT_SECRET_PREFIX);
        let b = generate(CLIENT_SECRET_PREFIX);
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 43);
        assert!(matches(&a, &digest(&a)));
        assert!(!matches(&b, &digest(&a)));
    }
}
