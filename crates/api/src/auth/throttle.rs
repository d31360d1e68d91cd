//! Limits on credential attempts (logins, client authentication, refresh,
//! password change) and on account creation (sign-up, new users), with the
//! `governor` crate's GCRA limiters.
//!
//! Credential attempts are limited per source address, and per account
//! *from* each address: a guesser is stopped before a guess is verified,
//! and its wrong passwords do not lock the account's owner out, who signs
//! in from another address. Against guesses spread over many addresses,
//! failed sign-ins are also counted per account: past that allowance the
//! account refuses every address that has not signed in to it
//! successfully within [`TRUSTED_FOR`] (so the owner's usual addresses keep
//! working). The allowances are far above what a person or an ERP system
//! needs.
//!
//! Sign-ups are limited per address and new users per organisation: each
//! answer says whether an e-mail address or business number is taken, and
//! these limits keep that from being a way to list them.
//!
//! The limiters live in memory: with several replicas, each enforces its own
//! share (put a shared limiter in the load balancer if that matters).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The allowances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleSettings {
    /// Credential attempts per account from one address, per minute.
    pub per_account_per_minute: u32,
    /// Credential attempts per address (any account), per minute.
    pub per_address_per_minute: u32,
    /// Failed sign-ins per account (from any address) per hour before the
    /// account refuses addresses it does not know.
    pub failures_per_account_per_hour: u32,
    /// Sign-up attempts per address, per hour.
    pub signups_per_address_per_hour: u32,
    /// Attempts to add a user, per organisation, per hour.
    pub new_users_per_organisation_per_hour: u32,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            per_account_per_minute: 10,
            per_address_per_minute: 60,
            // NIST SP 800-63B §5.2.2: at most 100 consecutive failures.
            failures_per_account_per_hour: 100,
            signups_per_address_per_hour: 10,
            new_users_per_organisation_per_hour: 60,
        }
    }
}

/// Past the limit: retry after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

/// How long a successful sign-in makes its address known to the account.
pub const TRUSTED_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

/// Past this many keys, a map or limiter forgets what no longer matters.
const PRUNE_ABOVE: usize = 100_000;

type Address = Option<IpAddr>;

pub struct Throttle {
    /// Every credential attempt, by account and address.
    pairs: DefaultKeyedRateLimiter<(String, Address)>,
    /// Every credential attempt, by address.
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    /// Failed sign-ins, by account.
    failures: DefaultKeyedRateLimiter<String>,
    /// Accounts whose failure allowance ran out: until when they refuse
    /// addresses they do not know.
    guarded: Mutex<HashMap<String, Instant>>,
    /// When each address last signed in to each account.
    trusted: Mutex<HashMap<(String, IpAddr), Instant>>,
    signups: DefaultKeyedRateLimiter<Address>,
    new_users: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle").finish_non_exhaustive()
    }
}

fn allowance(per: u32) -> NonZeroU32 {
    NonZeroU32::new(per.max(1)).unwrap_or(NonZeroU32::MIN)
}

impl Throttle {
    pub fn new(settings: ThrottleSettings) -> Self {
        let per_minute = |n: u32| Quota::per_minute(allowance(n));
        let per_hour = |n: u32| Quota::per_hour(allowance(n));
        Self {
            pairs: RateLimiter::keyed(per_minute(settings.per_account_per_minute)),
            addresses: RateLimiter::keyed(per_minute(settings.per_address_per_minute)),
            failures: RateLimiter::keyed(per_hour(settings.failures_per_account_per_hour)),
            guarded: Mutex::new(HashMap::new()),
            trusted: Mutex::new(HashMap::new()),
            signups: RateLimiter::keyed(per_hour(settings.signups_per_address_per_hour)),
            new_users: RateLimiter::keyed(per_hour(settings.new_users_per_organisation_per_hour)),
            clock: DefaultClock::default(),
        }
    }

    /// One check of a keyed limiter, with its wait when refused.
    fn check<K: Hash + Eq + Clone>(
        &self,
        limiter: &DefaultKeyedRateLimiter<K>,
        key: &K,
    ) -> Result<(), RetryAfter> {
        if limiter.len() > PRUNE_ABOVE {
            limiter.retain_recent();
        }
        let now = self.clock.now();
        limiter
            .check_key(key)
            .map_err(|not_until| RetryAfter(not_until.wait_time_from(now).as_secs().max(1)))
    }

    /// Counts one credential attempt for `account` (lower-cased e-mail,
    /// `client:<id>`, …) from `address`. Refused past the address's
    /// allowance, past the account's allowance from that address, and,
    /// while the account is guarded, from an address it does not know.
    pub fn attempt(&self, account: &str, address: Address) -> Result<(), RetryAfter> {
        let account = account.to_lowercase();
        if let Some(address) = address {
            self.check(&self.addresses, &address)?;
        }
        self.check(&self.pairs, &(account.clone(), address))?;
        if let Some(until) = self.guarded_until(&account)
            && !self.knows(&account, address)
        {
            let wait = until.saturating_duration_since(Instant::now());
            return Err(RetryAfter(wait.as_secs().max(1)));
        }
        Ok(())
    }

    /// Records a wrong password for `account`: past the account's failure
    /// allowance it is guarded until the allowance refills.
    pub fn failed(&self, account: &str) {
        let account = account.to_lowercase();
        if let Err(RetryAfter(secs)) = self.check(&self.failures, &account) {
            let until = Instant::now() + Duration::from_secs(secs);
            if let Ok(mut guarded) = self.guarded.lock() {
                let now = Instant::now();
                if guarded.len() > PRUNE_ABOVE {
                    guarded.retain(|_, until| *until > now);
                }
                tracing::warn!(
                    "too many failed sign-ins for one account: it now refuses addresses it does not know"
                );
                guarded.insert(account, until);
            }
        }
    }

    /// Records a successful sign-in: `address` is known to `account` for
    /// [`TRUSTED_FOR`].
    pub fn succeeded(&self, account: &str, address: Address) {
        let Some(address) = address else {
            return;
        };
        if let Ok(mut trusted) = self.trusted.lock() {
            let now = Instant::now();
            if trusted.len() > PRUNE_ABOVE {
                trusted.retain(|_, at| now.duration_since(*at) < TRUSTED_FOR);
            }
            trusted.insert((account.to_lowercase(), address), now);
        }
    }

    fn guarded_until(&self, account: &str) -> Option<Instant> {
        let guarded = self.guarded.lock().ok()?;
        guarded
            .get(account)
            .copied()
            .filter(|until| *until > Instant::now())
    }

    fn knows(&self, account: &str, address: Address) -> bool {
        let Some(address) = address else {
            return false;
        };
        self.trusted.lock().is_ok_and(|trusted| {
            trusted
                .get(&(account.to_owned(), address))
                .is_some_and(|at| at.elapsed() < TRUSTED_FOR)
        })
    }

    /// Counts one sign-up attempt from `address`.
    pub fn sign_up(&self, address: Address) -> Result<(), RetryAfter> {
        self.check(&self.signups, &address)
    }

    /// Counts one attempt to add a user to `organisation`.
    pub fn new_user(&self, organisation: &str) -> Result<(), RetryAfter> {
        self.check(&self.new_users, &organisation.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ThrottleSettings {
        ThrottleSettings {
            per_account_per_minute: 100,
            per_address_per_minute: 100,
            failures_per_account_per_hour: 100,
            signups_per_address_per_hour: 100,
            new_users_per_organisation_per_hour: 100,
        }
    }

    fn ip(last: u8) -> Address {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn attempts_past_the_allowance_are_refused_per_account_and_address() {
        let throttle = Throttle::new(ThrottleSettings {
            per_account_per_minute: 2,
            ..settings()
        });
        assert!(throttle.attempt("a@x.kr", ip(1)).is_ok());
        assert!(throttle.attempt("A@x.kr", ip(1)).is_ok());
        let refused = throttle.attempt("a@x.kr", ip(1));
        assert!(refused.is_err_and(|retry| retry.0 >= 1));
        assert!(
            throttle.attempt("b@x.kr", ip(1)).is_ok(),
            "other accounts are unaffected"
        );
        assert!(
            throttle.attempt("a@x.kr", ip(2)).is_ok(),
            "the account from another address is unaffected"
        );
    }

    #[test]
    fn attempts_past_the_allowance_are_refused_per_address() {
        let throttle = Throttle::new(ThrottleSettings {
            per_address_per_minute: 1,
            ..settings()
        });
        assert!(throttle.attempt("a@x.kr", ip(1)).is_ok());
        assert!(throttle.attempt("b@x.kr", ip(1)).is_err());
        assert!(throttle.attempt("b@x.kr", ip(2)).is_ok());
    }

    #[test]
    fn a_guarded_account_refuses_only_addresses_it_does_not_know() {
        let throttle = Throttle::new(ThrottleSettings {
            failures_per_account_per_hour: 2,
            ..settings()
        });
        throttle.succeeded("a@x.kr", ip(1));
        for n in 10..13 {
            assert!(throttle.attempt("a@x.kr", ip(n)).is_ok());
            throttle.failed("a@x.kr");
        }
        assert!(
            throttle.attempt("a@x.kr", ip(20)).is_err(),
            "an unknown address"
        );
        assert!(throttle.attempt("A@X.kr", ip(1)).is_ok(), "the known one");
        assert!(
            throttle.attempt("b@x.kr", ip(20)).is_ok(),
            "another account"
        );
    }

    #[test]
    fn sign_ups_and_new_users_have_their_own_allowances() {
        let throttle = Throttle::new(ThrottleSettings {
            signups_per_address_per_hour: 1,
            new_users_per_organisation_per_hour: 1,
            ..settings()
        });
        assert!(throttle.sign_up(ip(1)).is_ok());
        assert!(throttle.sign_up(ip(1)).is_err());
        assert!(throttle.sign_up(ip(2)).is_ok());
        assert!(throttle.new_user("org-1").is_ok());
        assert!(throttle.new_user("org-1").is_err());
        assert!(throttle.new_user("org-2").is_ok());
        assert!(throttle.attempt("a@x.kr", ip(1)).is_ok(), "sign-ins apart");
    }
}
