//! Webhooks: the rules for an endpoint (its URL, the addresses it may
//! resolve to), for a delivery's retries, and for its signing secrets.

use std::net::IpAddr;
use std::time::Duration;

use crate::error::FieldError;
use crate::events::EventType;

/// How a delivery is retried: exponential backoff from `first_retry`,
/// capped at `longest_wait`, with up to ±25 % jitter, for `give_up_after`
/// since the delivery was created (72 hours by default); then it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub first_retry: Duration,
    pub longest_wait: Duration,
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first_retry: Duration::from_secs(30),
            longest_wait: Duration::from_secs(6 * 3600),
            give_up_after: Duration::from_secs(72 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The wait before the next attempt after `attempts` failed ones;
    /// `jitter` in [0, 1) picks the point in the ±25 % band.
    pub fn wait_after(&self, attempts: u32, jitter: f64) -> Duration {
        let exponent = attempts.saturating_sub(1).min(30);
        let base = self
            .first_retry
            .saturating_mul(1u32 << exponent)
            .min(self.longest_wait);
        base.mul_f64(0.75 + jitter.clamp(0.0, 1.0) * 0.5)
    }
}

/// Whether a delivery may go to `address`: public unicast only, unless the
/// operator allows private networks (`TIERLINK_WEBHOOK_ALLOW_PRIVATE`).
/// Refuses loopback, private (RFC 1918, unique-local), link-local, shared
/// (CGNAT), unspecified, multicast, broadcast and documentation ranges,
/// and IPv4 addresses mapped into IPv6.
pub fn address_allowed(address: IpAddr, allow_private: bool) -> bool {
    if allow_private {
        return true;
    }
    match address {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return address_allowed(IpAddr::V4(v4), false);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// Checks an endpoint URL as given by a client: absolute `https` (or
/// `http` where private networks are allowed, for development), a host,
/// no user name or password, at most 2,000 characters.
pub fn check_url(input: &str, allow_private: bool) -> Result<url::Url, FieldError> {
    let invalid = |message: String| FieldError::new("url", "invalid_value", message);
    if input.len() > 2000 {
        return Err(FieldError::new(
            "url",
            "too_long",
            "url may be at most 2000 characters",
        ));
    }
    let url = url::Url::parse(input).map_err(|error| invalid(format!("not a URL: {error}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(invalid("the URL must start with https://".to_owned())),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "the URL may not carry a user name or password".to_owned(),
        ));
    }
    let literal = match url.host() {
        None => return Err(invalid("the URL has no host".to_owned())),
        Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        Some(url::Host::Domain(_)) => None,
    };
    if let Some(address) = literal
        && !address_allowed(address, allow_private)
    {
        return Err(invalid(format!(
            "{address} is a private, loopback or otherwise non-public address"
        )));
    }
    Ok(url)
}

/// Checks the event types an endpoint subscribes to (none means all).
pub fn parse_types(names: &[String]) -> Result<Vec<EventType>, FieldError> {
    let mut types = Vec::new();
    for name in names {
        let kind = EventType::parse(name).ok_or_else(|| {
            FieldError::new(
                "event_types",
                "invalid_value",
                format!("`{name}` is not an event type"),
            )
        })?;
        if !types.contains(&kind) {
            types.push(kind);
        }
    }
    Ok(types)
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Succeeded,
    /// Retries ran out (or the endpoint was disabled meanwhile).
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Self::Pending, Self::Succeeded, Self::Failed]
            .into_iter()
            .find(|status| status.as_str() == input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_exponentially_to_the_cap_within_the_jitter_band() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.wait_after(1, 0.5), Duration::from_secs(30));
        assert_eq!(policy.wait_after(2, 0.5), Duration::from_secs(60));
        assert_eq!(policy.wait_after(3, 0.0), Duration::from_secs(90));
        assert_eq!(policy.wait_after(40, 0.5), Duration::from_secs(6 * 3600));
        assert!(policy.wait_after(1, 0.999) < Duration::from_secs(38));
    }

    #[test]
    fn only_public_addresses_are_allowed_by_default() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            let address: IpAddr = refused.parse().expect("an address");
            assert!(!address_allowed(address, false), "{refused}");
            assert!(address_allowed(address, true), "{refused}");
        }
        for allowed in ["8.8.8.8", "1.1.1.1", "2606:4700::1111"] {
            assert!(
                address_allowed(allowed.parse().expect("an address"), false),
                "{allowed}"
            );
        }
    }

    #[test]
    fn urls_must_be_https_public_and_without_credentials() {
        assert!(check_url("https://erp.example.com/hooks", false).is_ok());
        for refused in [
            "http://erp.example.com/hooks",
            "ftp://erp.example.com/",
            "https://user:pw@erp.example.com/",
            "https://127.0.0.1/hooks",
            "https://[::1]/hooks",
            "https://169.254.169.254/latest",
            "not a url",
        ] {
            assert!(check_url(refused, false).is_err(), "{refused}");
        }
        assert!(check_url("http://127.0.0.1:9000/hooks", true).is_ok());
    }
}
