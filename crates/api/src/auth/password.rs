//! Password hashing with argon2id, stored as PHC strings.
//!
//! Hashing is deliberately slow; callers run it on the blocking pool
//! (`web::block`), never on an async worker. Verifying an unknown account
//! runs against a dummy hash made with the same parameters, so "no such
//! user" and "wrong password" take the same time and give the same answer.

use std::cell::{Cell, RefCell};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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
    /// Sheet): less memory is made up for by more passes. An operator short
    /// of memory may trade one for the other (7 MiB × 5 doubled the login rate
    /// under load in an earlier round of bench/RESULTS.md; the default stays
    /// 19 MiB × 2).
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

thread_local! {
    /// Whether this thread keeps argon2's working memory between hashes
    /// (the hashing threads do; see [`keep_working_memory`]).
    static KEEPS_MEMORY: Cell<bool> = const { Cell::new(false) };
    /// That memory: 19 MiB with the default settings.
    static WORKING_MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Makes the calling thread keep argon2's working memory from one hash to
/// the next. Allocated afresh, a block this large may be mapped and faulted
/// in for every hash (glibc maps large blocks and returns them to the
/// system on free): about 30 % of a login's time under load, measured in an
/// earlier round (bench/RESULTS.md's history). Only the few dedicated
/// hashing threads call this, so the memory kept is bounded by their number.
pub fn keep_working_memory() {
    KEEPS_MEMORY.set(true);
}

/// Runs argon2 over `password` and `salt` into `out`, in this thread's kept
/// working memory where it keeps one.
fn compute(
    argon2: &Argon2<'_>,
    blocks: usize,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    if !KEEPS_MEMORY.get() {
        return argon2.hash_password_into(password, salt, out);
    }
    WORKING_MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        // Every block is written before it is read, so what an earlier
        // hash left there does not matter to the next one.
        let result =
            argon2.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks]);
        // But it must not stay readable: the first blocks come from the
        // password by Blake2b alone, so a memory dump would let guesses
        // skip argon2's memory cost. Zeroing resident pages is cheap.
        memory[..blocks].fill(Block::default());
        result
    })
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
        let mut hasher = Self {
            argon2,
            params,
            dummy_hash: String::new(),
        };
        hasher.dummy_hash = hasher.hash_bytes(b"tierlink dummy password for unknown accounts")?;
        Ok(hasher)
    }

    /// A PHC string for `password`. Slow: call on the hashing threads.
    pub fn hash(&self, password: &Password) -> Result<String, String> {
        self.hash_bytes(password.expose().as_bytes())
    }

    fn hash_bytes(&self, password: &[u8]) -> Result<String, String> {
        let failed = |error: &dyn std::fmt::Display| format!("argon2 failed: {error}");
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| failed(&e))?;
        let mut out = vec![
            0u8;
            self.params
                .output_len()
                .unwrap_or(Params::DEFAULT_OUTPUT_LEN)
        ];
        compute(
            &self.argon2,
            self.params.block_count(),
            password,
            salt_bytes,
            &mut out,
        )
        .map_err(|e| failed(&e))?;
        let hash = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params).map_err(|e| failed(&e))?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
        };
        Ok(hash.to_string())
    }

    /// Whether `candidate` hashes to `stored` under the algorithm, version
    /// and parameters `stored` names (as the `argon2` crate's own verifier
    /// does, but in this thread's kept working memory).
    fn matches(candidate: &[u8], stored: &PasswordHash<'_>) -> bool {
        let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
            return false;
        };
        let Ok(algorithm) = Algorithm::try_from(stored.algorithm) else {
            return false;
        };
        let version = match stored.version.map(Version::try_from) {
            None => Version::default(),
            Some(Ok(version)) => version,
            Some(Err(_)) => return false,
        };
        let Ok(params) = Params::try_from(stored) else {
            return false;
        };
        let mut salt_bytes = [0u8; 64];
        let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
            return false;
        };
        let blocks = params.block_count();
        let argon2 = Argon2::new(algorithm, version, params);
        let mut out = vec![0u8; expected.len()];
        compute(&argon2, blocks, candidate, salt_bytes, &mut out).is_ok()
            // `Output`'s equality is constant-time.
            && Output::new(&out).is_ok_and(|computed| computed == *expected)
    }

    /// Checks `candidate` against `stored` (or the dummy hash when there is
    /// no account). Slow: call on the blocking pool.
    pub fn verify(&self, candidate: &str, stored: Option<&str>) -> Verification {
        let target = stored.unwrap_or(&self.dummy_hash);
        let Ok(parsed) = PasswordHash::new(target) else {
            return Verification::Invalid;
        };
        let valid = Self::matches(candidate.as_bytes(), &parsed);
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

    /// Hashes made by the `argon2` crate's own hasher (every stored hash
    /// so far) verify with ours, and ours with its verifier: the PHC strings
    /// are the same format, byte for byte in meaning.
    #[test]
    fn hashes_interoperate_with_the_argon2_crates_own_hasher() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let ours = PasswordHasher::new(Argon2Settings::default()).expect("hasher");
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, ours.params.clone());
        let salt = SaltString::generate(&mut OsRng);
        let stored = theirs
            .hash_password(b"correct horse battery", &salt)
            .expect("their hash")
            .to_string();
        assert_eq!(
            ours.verify("correct horse battery", Some(&stored)),
            Verification::Valid { rehashed: None }
        );
        assert_eq!(
            ours.verify("correct horse batterY", Some(&stored)),
            Verification::Invalid
        );

        let made = ours
            .hash(&password("correct horse battery"))
            .expect("our hash");
        let parsed = PasswordHash::new(&made).expect("a PHC string");
        assert!(
            theirs
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        assert!(
            theirs
                .verify_password(b"wrong horse battery", &parsed)
                .is_err()
        );
    }

    /// The hashing threads' path: one block of working memory reused across
    /// hashes of different sizes gives the same answers as fresh memory.
    #[test]
    fn kept_working_memory_gives_the_same_answers() {
        let small = PasswordHasher::new(Argon2Settings {
            memory_kib: 7 * 1024,
            iterations: 5,
            parallelism: 1,
        })
        .expect("hasher");
        let large = PasswordHasher::new(Argon2Settings::default()).expect("hasher");
        let small_hash = small
            .hash(&password("correct horse battery"))
            .expect("hash");
        let large_hash = large
            .hash(&password("correct horse battery"))
            .expect("hash");

        std::thread::spawn(move || {
            keep_working_memory();
            for _ in 0..2 {
                for (hasher, hash) in [(&large, &large_hash), (&small, &small_hash)] {
                    assert_eq!(
                        hasher.verify("correct horse battery", Some(hash)),
                        Verification::Valid { rehashed: None }
                    );
                    assert_eq!(
                        hasher.verify("wrong horse battery", Some(hash)),
                        Verification::Invalid
                    );
                }
            }
            let made = small
                .hash(&password("correct horse battery"))
                .expect("hash");
            assert_eq!(
                small.verify("correct horse battery", Some(&made)),
                Verification::Valid { rehashed: None }
            );
            WORKING_MEMORY.with_borrow(|memory| {
                assert_eq!(
                    memory.len(),
                    large.params.block_count(),
                    "one block, the largest"
                );
            });
        })
        .join()
        .expect("the hashing thread's checks pass");
    }

    #[test]
    fn a_tampered_hash_never_verifies() {
        let hasher = PasswordHasher::new(Argon2Settings::default()).expect("hasher");
        let hash = hasher
            .hash(&password("correct horse battery"))
            .expect("hash");
        let (head, tail) = hash.rsplit_once('$').expect("a hash part");
        let flipped: String = tail
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i == 3 {
                    if c == 'A' { 'B' } else { 'A' }
                } else {
                    c
                }
            })
            .collect();
        for broken in [
            format!("{head}${flipped}"),
            hash.replace("argon2id", "argon2i"),
            hash.replace("m=19456", "m=19457"),
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ".to_owned(),
            "not a hash".to_owned(),
        ] {
            assert_eq!(
                hasher.verify("correct horse battery", Some(&broken)),
                Verification::Invalid,
                "{broken}"
            );
        }
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
