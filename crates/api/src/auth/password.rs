//! Password hashing with argon2id, stored as PHC strings.
//!
//! Hashing is deliberately slow; callers run it on the blocking pool
//! (`web::block`), never on an async worker. Verifying an unknown account
//! runs against a dummy hash made with the same parameters, so "no such
//! user" and "wrong password" take the same time and give the same answer.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tierlink_domain::identity::Password;

/// argon2id cost parameters. The defaults are OWASP's minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Settings {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Argon2Settings {
    pub const OWASP_MINIMUM: Self = Self {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// OWASP's equally strong argon2id settings (Password Storage Cheat
    /// Sheet): less memory is made up for by more passes. Less memory per
    /// hash means less resident memory and fewer of the readers' cache lines
    /// evicted by each login (bench/RESULTS.md, scenario f).
    pub const OWASP_EQUIVALENTS: [(u32, u32); 4] =
        [(19 * 1024, 2), (12 * 1024, 3), (9 * 1024, 4), (7 * 1024, 5)];

    /// Refuses anything weaker than one of OWASP's minimum settings.
    pub fn validate(self) -> Result<Self, String> {
        let strong_enough = Self::OWASP_EQUIVALENTS
            .iter()
            .any(|&(memory_kib, iterations)| {
                self.memory_kib >= memory_kib && self.iterations >= iterations
            });
        if !strong_enough || self.parallelism < 1 {
            return Err(
                "argon2 parameters must meet one of OWASP's minimums: 19456 KiB and 2 \
                 iterations, 12288 KiB and 3, 9216 KiB and 4, or 7168 KiB and 5; at least 1 lane"
                    .to_owned(),
            );
        }
        Ok(self)
    }
}

impl Default for Argon2Settings {
    fn default() -> Self {
        Self::OWASP_MINIMUM
    }
}

/// The outcome of checking a password.
#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    /// The password is right. `rehashed` is a new hash when the stored one
    /// was made with other parameters; store it.
    Valid {
        rehashed: Option<String>,
    },
    Invalid,
}

/// Hashes and verifies passwords with one set of parameters.
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    params: Params,
    dummy_hash: String,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl PasswordHasher {
    pub fn new(settings: Argon2Settings) -> Result<Self, String> {
        let settings = settings.validate()?;
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|error| format!("invalid argon2 parameters: {error}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let salt = SaltString::generate(&mut OsRng);
        let dummy_hash = argon2
            .hash_password(b"tierlink dummy password for unknown accounts", &salt)
            .map_err(|error| format!("argon2 failed: {error}"))?
            .to_string();
        Ok(Self {
            argon2,
            params,
            dummy_hash,
        })
    }

    /// A PHC string for `password`. Slow: call on the blocking pool.
    pub fn hash(&self, password: &Password) -> Result<String, String> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| format!("argon2 failed: {error}"))
    }

    /// Checks `candidate` against `stored` (or the dummy hash when there is
    /// no account). Slow: call on the blocking pool.
    pub fn verify(&self, candidate: &str, stored: Option<&str>) -> Verification {
        let target = stored.unwrap_or(&self.dummy_hash);
        let Ok(parsed) = PasswordHash::new(target) else {
            return Verification::Invalid;
        };
        let valid = self
            .argon2
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok();
        if !valid || stored.is_none() {
            return Verification::Invalid;
        }
        let current = parsed.algorithm.as_str() == "argon2id"
            && Params::try_from(&parsed).is_ok_and(|p| {
                p.m_cost() == self.params.m_cost()
                    && p.t_cost() == self.params.t_cost()
                    && p.p_cost() == self.params.p_cost()
            });
        let rehashed = if current {
            None
        } else {
            Password::parse("password", candidate)
                .ok()
                .and_then(|p| self.hash(&p).ok())
        };
        Verification::Valid { rehashed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::parse("password", text).expect("a valid password")
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hasher = PasswordHasher::new(Argon2Settings::default()).expect("hasher");
        let hash = hasher
            .hash(&password("correct horse battery"))
            .expect("hash");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert_eq!(
            hasher.verify("correct horse battery", Some(&hash)),
            Verification::Valid { rehashed: None }
        );
        assert_eq!(
            hasher.verify("wrong horse battery", Some(&hash)),
            Verification::Invalid
        );
        assert_eq!(
            hasher.verify("correct horse battery", None),
            Verification::Invalid
        );
    }

    #[test]
    fn hashes_made_with_other_parameters_are_rehashed() {
        let old = PasswordHasher::new(Argon2Settings::default()).expect("hasher");
        let hash = old.hash(&password("correct horse battery")).expect("hash");
        let stronger = PasswordHasher::new(Argon2Settings {
            iterations: 3,
            ..Argon2Settings::default()
        })
        .expect("hasher");
        let Verification::Valid {
            rehashed: Some(new_hash),
        } = stronger.verify("correct horse battery", Some(&hash))
        else {
            panic!("expected a rehash");
        };
        assert!(new_hash.contains("t=3"), "{new_hash}");
    }

    #[test]
    fn parameters_below_owasp_are_refused() {
        let weak = Argon2Settings {
            memory_kib: 4096,
            ..Argon2Settings::default()
        };
        assert!(PasswordHasher::new(weak).is_err());
    }

    #[test]
    fn owasps_equivalent_settings_trade_memory_for_passes() {
        let settings = |memory_kib, iterations| Argon2Settings {
            memory_kib,
            iterations,
            parallelism: 1,
        };
        for (memory_kib, iterations) in Argon2Settings::OWASP_EQUIVALENTS {
            assert!(settings(memory_kib, iterations).validate().is_ok());
            assert!(
                settings(memory_kib, iterations - 1).validate().is_err(),
                "{memory_kib} KiB needs {iterations} passes"
            );
        }
        assert!(settings(7 * 1024 - 1, 10).validate().is_err());
        assert!(settings(64 * 1024, 1).validate().is_err());
        assert!(
            Argon2Settings {
                parallelism: 0,
                ..Argon2Settings::default()
            }
            .validate()
            .is_err()
        );
    }
}
