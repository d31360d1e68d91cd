//! Authentication and authorisation plumbing.
//!
//! * [`password`]: argon2id hashing, with a dummy hash
//!   so unknown accounts cost the same time as wrong passwords.
//! * [`hashing`]: the few threads argon2 runs on.
//! * [`keys`]: the Ed25519 key ring that signs access tokens and publishes
//!   the JWKS; several verification keys allow rotation.
//! * [`tokens`]: access-token claims, issuing and verification.
//! * [`secrets`]: opaque random secrets (refresh tokens, client secrets) and
//!   their SHA-256 digests.
//! * [`caller`]: the [`caller::Authorized`] extractor every protected
//!   handler takes; the permission it needs is part of its type.
//! * [`throttle`]: limits on credential attempts per account and per address.

pub mod caller;
pub mod hashing;
pub mod jwt_crypto;
pub mod keys;
pub mod password;
pub mod secrets;
pub mod throttle;
pub mod tokens;

use std::sync::Arc;

pub use caller::{Authenticated, Authorized, AuthorizedRead};

/// Everything the auth endpoints and extractors share, built once at start-up.
#[derive(Debug, Clone)]
pub struct AuthState {
    pub tokens: Arc<tokens::TokenIssuer>,
    pub passwords: Arc<password::PasswordHasher>,
    pub throttle: Arc<throttle::Throttle>,
    /// The threads argon2 runs on (half the cores, at least one), so logins
    /// cannot starve reads of CPU or balloon memory (each takes 19 MiB).
    pub hashing: Arc<hashing::HashingThreads>,
    pub refresh_ttl: chrono::Duration,
    pub open_signup: bool,
}
