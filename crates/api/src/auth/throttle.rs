//! Limits on credential attempts (logins, client authentication, refresh),
//! per account and per source address, with the `governor` crate's GCRA
//! limiters. Every attempt counts before the credentials are checked, so a
//! guesser is stopped before a guess is verified; the allowance is far above
//! what a person or an ERP system needs.
//!
//! The limiters live in memory: with several replicas, each enforces its own
//! share (put a shared limiter in the load balancer if that matters).

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Attempts allowed per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleSettings {
    pub per_account_per_minute: u32,
    pub per_address_per_minute: u32,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            per_account_per_minute: 10,
            per_address_per_minute: 60,
        }
    }
}

/// Past the limit: retry after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

pub struct Throttle {
    accounts: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle").finish_non_exhaustive()
    }
}

impl Throttle {
    pub fn new(settings: ThrottleSettings) -> Self {
        let quota = |per_minute: u32| {
            Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN))
        };
        Self {
            accounts: RateLimiter::keyed(quota(settings.per_account_per_minute)),
            addresses: RateLimiter::keyed(quota(settings.per_address_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt for `account` (lower-cased e-mail or client id)
    /// from `address`.
    pub fn attempt(&self, account: &str, address: Option<IpAddr>) -> Result<(), RetryAfter> {
        if self.accounts.len() > 100_000 {
            self.accounts.retain_recent();
            self.addresses.retain_recent();
        }
        let now = self.clock.now();
        let wait = |not_until: governor::NotUntil<_>| {
            RetryAfter(not_until.wait_time_from(now).as_secs().max(1))
        };
        if let Some(address) = address {
            self.addresses.check_key(&address).map_err(wait)?;
        }
        self.accounts
            .check_key(&account.to_lowercase())
            .map_err(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_past_the_allowance_are_refused_per_account() {
        let throttle = Throttle::new(ThrottleSettings {
            per_account_per_minute: 2,
            per_address_per_minute: 100,
        });
        let address = Some(IpAddr::from([127, 0, 0, 1]));
        assert!(throttle.attempt("a@x.kr", address).is_ok());
        assert!(throttle.attempt("A@x.kr", address).is_ok());
        let refused = throttle.attempt("a@x.kr", address);
        assert!(refused.is_err_and(|retry| retry.0 >= 1));
        assert!(
            throttle.attempt("b@x.kr", address).is_ok(),
            "other accounts are unaffected"
        );
    }

    #[test]
    fn attempts_past_the_allowance_are_refused_per_address() {
        let throttle = Throttle::new(ThrottleSettings {
            per_account_per_minute: 100,
            per_address_per_minute: 1,
        });
        let address = Some(IpAddr::from([10, 0, 0, 1]));
        assert!(throttle.attempt("a@x.kr", address).is_ok());
        assert!(throttle.attempt("b@x.kr", address).is_err());
        assert!(
            throttle
                .attempt("b@x.kr", Some(IpAddr::from([10, 0, 0, 2])))
                .is_ok()
        );
    }
}
