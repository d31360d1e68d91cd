//! The webhook delivery worker: one per server process, claiming due
//! deliveries (exactly one worker across all replicas gets each attempt,
//! see `persistence::webhooks::claim`), signing them per Standard Webhooks
//! and POSTing them, then recording what happened.
//!
//! Request forgery is guarded twice: a URL's literal address is checked
//! before sending, and host names are resolved by [`PublicOnly`], which
//! drops private, loopback and link-local addresses (unless the operator
//! allows them), so the connection goes only to an address that was
//! checked, whatever the name resolves to later. Redirects are never
//! followed: a 3xx is a failed attempt.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tierlink_domain::time::now;
use tierlink_domain::webhooks::address_allowed;
use tierlink_persistence::Database;
use tierlink_persistence::log_throttle::LogThrottle;
use tierlink_usecases::webhooks::{self as usecase, Attempt, AttemptOutcome, Claimed, OAuthClient};

use crate::config::WebhookSettings;
use crate::db;

/// Deliveries claimed per claim, at most.
const BATCH: i64 = 16;

/// Attempts in flight at once per process. Each runs on its own, so a slow
/// endpoint (up to the timeout) holds one slot, not the others' deliveries.
const IN_FLIGHT: usize = 64;

/// Resolves host names to their public addresses only.
#[derive(Debug, Clone, Copy)]
struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| address_allowed(address.ip(), allow_private))
                .collect();
            if found.is_empty() {
                return Err(format!(
                    "{host} resolves to no public address (private, loopback and link-local ones are refused)"
                )
                .into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client deliveries go out with.
pub fn client(settings: &WebhookSettings) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
        .dns_resolver(Arc::new(PublicOnly {
            allow_private: settings.allow_private,
        }))
        .user_agent(concat!("Tierlink-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Runs the worker until the process ends.
pub async fn run(db: Database, settings: WebhookSettings) {
    let client = match client(&settings) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "webhook deliveries are off: no HTTP client");
            return;
        }
    };
    let mut tick = tokio::time::interval(settings.poll_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let slots = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let shared = Arc::new((db, client, settings));
    loop {
        tick.tick().await;
        // Claim while a full batch comes back, never more than free slots:
        // a claimed delivery's lease starts at once, so it must start too.
        loop {
            let free = i64::try_from(slots.available_permits())
                .unwrap_or(BATCH)
                .min(BATCH);
            if free == 0 {
                break;
            }
            let claimed = claim(&shared.0, &shared.2, free).await;
            let full = i64::try_from(claimed.len()).unwrap_or(0) == free;
            for delivery in claimed {
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    break;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let (db, client, settings) = &*shared;
                    attempt_and_record(db, client, settings, delivery).await;
                    drop(slot);
                });
            }
            if !full {
                break;
            }
        }
    }
}

/// Claims up to `limit` due deliveries (none when the database fails).
async fn claim(db: &Database, settings: &WebhookSettings, limit: i64) -> Vec<Claimed> {
    // The lease outlasts an attempt (at most its timeout) with room to
    // record it; when the worker dies, another claims it after the lease.
    let lease = chrono::Duration::from_std(settings.timeout * 2 + Duration::from_secs(5))
        .unwrap_or(chrono::Duration::minutes(1));
    match db::write(db, move |tx| usecase::claim(tx, now() + lease, limit)).await {
        Ok(claimed) => claimed,
        Err(error) => {
            static FAILED: LogThrottle = LogThrottle::new(Duration::from_secs(10));
            if let Some(left_out) = FAILED.admit() {
                tracing::warn!(?error, left_out, "could not claim webhook deliveries");
            }
            Vec::new()
        }
    }
}

async fn attempt_and_record(
    db: &Database,
    client: &reqwest::Client,
    settings: &WebhookSettings,
    delivery: Claimed,
) {
    let attempt = attempt(client, settings, &delivery).await;
    tracing::info!(
        delivery_id = %delivery.id,
        webhook_id = %delivery.endpoint_id,
        attempt = delivery.attempt,
        status = attempt.response_status,
        error = attempt.error.as_deref(),
        "webhook delivery attempted"
    );
    let recorded = db::write(db, move |tx| {
        usecase::record_attempt(tx, &delivery, &attempt)
    })
    .await;
    if let Err(error) = recorded {
        // The lease runs out and another round tries again: at least once.
        tracing::warn!(?error, "could not record a webhook attempt");
    }
}

/// One attempt: sign, send, and decide what comes next.
async fn attempt(
    client: &reqwest::Client,
    settings: &WebhookSettings,
    delivery: &Claimed,
) -> Attempt {
    let started = Instant::now();
    let at = now();
    let (response_status, error) = match send(client, settings, delivery, at.timestamp()).await {
        Ok(status) if (200..300).contains(&status) => (Some(i32::from(status)), None),
        Ok(status) if (300..400).contains(&status) => (
            Some(i32::from(status)),
            Some(format!("HTTP {status}: redirects are not followed")),
        ),
        Ok(status) => (Some(i32::from(status)), Some(format!("HTTP {status}"))),
        Err(error) => (None, Some(error)),
    };
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let outcome = if error.is_none() {
        AttemptOutcome::Succeeded
    } else {
        let failed = u32::try_from(delivery.attempt).unwrap_or(u32::MAX);
        let wait = settings.retry.wait_after(failed, rand::random::<f64>());
        let next = at + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6));
        let deadline = delivery.created_at
            + chrono::Duration::from_std(settings.retry.give_up_after)
                .unwrap_or(chrono::Duration::hours(72));
        if next > deadline {
            AttemptOutcome::GaveUp
        } else {
            AttemptOutcome::RetryAt(next)
        }
    };
    Attempt {
        at,
        response_status,
        error,
        duration_ms,
        outcome,
    }
}

/// A URL to send to, refused when it names a private address the settings
/// do not allow (names are checked as they resolve, by [`PublicOnly`]).
fn target(url: &str, settings: &WebhookSettings) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(url).map_err(|_| "the URL is not valid".to_owned())?;
    let literal = match url.host() {
        Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        _ => None,
    };
    if let Some(address) = literal
        && !address_allowed(address, settings.allow_private)
    {
        return Err(format!("{address} is not a public address"));
    }
    Ok(url)
}

/// POSTs the delivery; the HTTP status, or why there is none. A webhook's
/// is signed (Standard Webhooks); a PACT host's is a CloudEvent sent with
/// a token got from its token endpoint.
async fn send(
    client: &reqwest::Client,
    settings: &WebhookSettings,
    delivery: &Claimed,
    timestamp: i64,
) -> Result<u16, String> {
    let url = target(&delivery.url, settings)?;
    if let Some(oauth) = &delivery.oauth {
        let secret = delivery
            .secrets
            .first()
            .map(String::as_str)
            .unwrap_or_default();
        let token = pact_token(client, settings, oauth, secret).await?;
        let response = client
            .post(url)
            .header(
                "content-type",
                "application/cloudevents+json; charset=utf-8",
            )
            .bearer_auth(token)
            .body(delivery.body.clone())
            .send()
            .await
            .map_err(|error| describe(&error, settings))?;
        return Ok(response.status().as_u16());
    }
    let mut signatures = Vec::with_capacity(delivery.secrets.len());
    for secret in &delivery.secrets {
        let signer = standardwebhooks::Webhook::new(secret)
            .map_err(|_| "the endpoint's secret is not valid".to_owned())?;
        signatures.push(
            signer
                .sign(&delivery.event_id, timestamp, delivery.body.as_bytes())
                .map_err(|_| "the body could not be signed".to_owned())?,
        );
    }
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header(standardwebhooks::HEADER_WEBHOOK_ID, &delivery.event_id)
        .header(
            standardwebhooks::HEADER_WEBHOOK_TIMESTAMP,
            timestamp.to_string(),
        )
        .header(
            standardwebhooks::HEADER_WEBHOOK_SIGNATURE,
            signatures.join(" "),
        )
        .body(delivery.body.clone())
        .send()
        .await
        .map_err(|error| describe(&error, settings))?;
    Ok(response.status().as_u16())
}

/// An access token from a PACT host: OAuth client credentials by HTTP
/// Basic (PACT Action Authenticate).
async fn pact_token(
    client: &reqwest::Client,
    settings: &WebhookSettings,
    oauth: &OAuthClient,
    secret: &str,
) -> Result<String, String> {
    #[derive(serde::Deserialize)]
    struct Token {
        access_token: String,
    }
    // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic.
    let encode =
        |value: &str| form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
    let response = client
        .post(target(&oauth.token_url, settings)?)
        .basic_auth(encode(&oauth.client_id), Some(encode(secret)))
        .header("accept", "application/json")
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .map_err(|error| format!("token: {}", describe(&error, settings)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("token: HTTP {}", status.as_u16()));
    }
    let token: Token = response
        .json()
        .await
        .map_err(|_| "token: the answer has no access_token".to_owned())?;
    Ok(token.access_token)
}

/// Why a request got no answer, in words for the delivery log (without
/// the URL, which may carry a token in its query).
fn describe(error: &reqwest::Error, settings: &WebhookSettings) -> String {
    if error.is_timeout() {
        format!("no answer within {} s", settings.timeout.as_secs())
    } else if error.is_connect() {
        let mut source = std::error::Error::source(error);
        let mut innermost = None;
        while let Some(cause) = source {
            innermost = Some(cause.to_string());
            source = cause.source();
        }
        format!(
            "could not connect: {}",
            innermost.unwrap_or_else(|| "connection failed".to_owned())
        )
    } else {
        let error = error.to_string();
        let cleaned = error.split(" for url").next().unwrap_or(&error);
        format!("request failed: {cleaned}")
    }
}
