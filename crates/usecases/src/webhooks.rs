//! Webhooks: endpoints an organisation's admins register, their delivery
//! logs, redelivery and test pings; and the delivery workers' two steps
//! (claim due deliveries, record an attempt).
//!
//! Deliveries of events are made where events are recorded (see
//! `events::record`), in the same transaction. Validation that needs the
//! operator's settings (may URLs point at private addresses?) takes them
//! as an argument.

use chrono::{DateTime, Utc};
use tierlink_domain::events::EventType;
use tierlink_domain::ids::{DeliveryId, OrgId, WebhookId};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::time::now;
use tierlink_domain::webhooks::{DeliveryStatus, check_url, parse_types};
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::DbConnection;
use tierlink_persistence::webhooks::{self, EndpointChanges, NewEndpoint};
pub use tierlink_persistence::webhooks::{
    Attempt, AttemptOutcome, Claimed, Delivery, Endpoint, OAuthClient, PactHost,
};

use crate::error::{Error, not_found};

/// The longest description an endpoint may have.
pub const DESCRIPTION_MAX: usize = 200;
/// The type name of test pings (not an event: it is never in the feed).
pub const PING: &str = "webhook.ping";

/// An endpoint as a client asks for it, before validation.
#[derive(Debug, Clone, Default)]
pub struct EndpointInput {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

struct Checked {
    url: Option<String>,
    description: Option<String>,
    event_types: Option<Vec<EventType>>,
}

fn check(input: &EndpointInput, allow_private: bool) -> Result<Checked, Error> {
    let mut errors = ValidationErrors::new();
    let url = input
        .url
        .as_deref()
        .map(|url| check_url(url.trim(), allow_private).map(|url| url.to_string()))
        .transpose();
    let url = errors.collect(url).flatten();
    let description = input.description.as_deref().map(str::trim);
    if let Some(text) = description
        && (text.chars().count() > DESCRIPTION_MAX || text.chars().any(char::is_control))
    {
        errors.push(FieldError::new(
            "description",
            "invalid_value",
            format!(
                "a description is at most {DESCRIPTION_MAX} characters without control characters"
            ),
        ));
    }
    let event_types = input.event_types.as_deref().map(parse_types).transpose();
    let event_types = errors.collect(event_types).flatten();
    if errors.is_empty() {
        Ok(Checked {
            url,
            description: description.map(str::to_owned),
            event_types,
        })
    } else {
        Err(Error::Invalid(errors))
    }
}

/// Registers an endpoint signing with `secret`.
pub fn create(
    tx: &mut DbConnection,
    org: OrgId,
    input: &EndpointInput,
    secret: &str,
    allow_private: bool,
) -> Result<Endpoint, Error> {
    if input.url.is_none() {
        return Err(Error::invalid(FieldError::new(
            "url",
            "required",
            "url is required",
        )));
    }
    let checked = check(input, allow_private)?;
    Ok(webhooks::insert(
        tx,
        org,
        &NewEndpoint {
            url: checked.url.as_deref().unwrap_or_default(),
            description: checked.description.as_deref().unwrap_or_default(),
            event_types: checked.event_types.as_deref().unwrap_or_default(),
            enabled: input.enabled.unwrap_or(true),
            secret,
        },
    )?)
}

pub fn list(
    conn: &mut DbConnection,
    org: OrgId,
    page: &PageRequest,
) -> Result<Page<Endpoint>, Error> {
    Ok(webhooks::list(conn, org, page)?)
}

pub fn show(conn: &mut DbConnection, org: OrgId, id: WebhookId) -> Result<Endpoint, Error> {
    webhooks::find(conn, org, id).map_err(not_found("webhook"))
}

pub fn update(
    tx: &mut DbConnection,
    org: OrgId,
    id: WebhookId,
    input: &EndpointInput,
    allow_private: bool,
) -> Result<Endpoint, Error> {
    let checked = check(input, allow_private)?;
    webhooks::update(
        tx,
        org,
        id,
        &EndpointChanges {
            url: checked.url.as_deref(),
            description: checked.description.as_deref(),
            event_types: checked.event_types.as_deref(),
            enabled: input.enabled,
        },
    )
    .map_err(not_found("webhook"))
}

pub fn delete(tx: &mut DbConnection, org: OrgId, id: WebhookId) -> Result<(), Error> {
    webhooks::delete(tx, org, id).map_err(not_found("webhook"))
}

/// Replaces the signing secret; the old one also signs until `overlap_until`.
pub fn rotate_secret(
    tx: &mut DbConnection,
    org: OrgId,
    id: WebhookId,
    secret: &str,
    overlap_until: DateTime<Utc>,
) -> Result<Endpoint, Error> {
    webhooks::rotate_secret(tx, org, id, secret, overlap_until).map_err(not_found("webhook"))
}

/// Queues a test ping for the endpoint, due now.
pub fn ping(tx: &mut DbConnection, org: OrgId, id: WebhookId) -> Result<Delivery, Error> {
    let event_id = uuid::Uuid::now_v7().to_string();
    let body = serde_json::json!({
        "id": event_id,
        "type": PING,
        "resource": {"type": "webhook", "id": id.to_string()},
        "actor": "system",
        "occurred_at": now(),
        "data": {"webhook_id": id.to_string()},
    })
    .to_string();
    webhooks::enqueue_for(tx, org, id, &event_id, PING, &body).map_err(not_found("webhook"))
}

/// The endpoint's deliveries, newest first.
pub fn deliveries(
    conn: &mut DbConnection,
    org: OrgId,
    id: WebhookId,
    status: Option<DeliveryStatus>,
    page: &PageRequest,
) -> Result<Page<Delivery>, Error> {
    webhooks::deliveries(conn, org, id, webhooks::WEBHOOK, status, page)
        .map_err(not_found("webhook"))
}

/// Sends an earlier delivery's event again, as a new delivery due now.
pub fn redeliver(
    tx: &mut DbConnection,
    org: OrgId,
    id: WebhookId,
    delivery: DeliveryId,
) -> Result<Delivery, Error> {
    webhooks::redeliver(tx, org, id, webhooks::WEBHOOK, delivery).map_err(not_found("delivery"))
}

/// Claims up to `limit` due deliveries for this worker until `lease_until`.
pub fn claim(
    tx: &mut DbConnection,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Claimed>, Error> {
    Ok(webhooks::claim(tx, lease_until, limit)?)
}

/// Records what an attempt on a claimed delivery did.
pub fn record_attempt(
    tx: &mut DbConnection,
    claimed: &Claimed,
    attempt: &Attempt,
) -> Result<(), Error> {
    Ok(webhooks::record_attempt(
        tx,
        claimed.id,
        claimed.endpoint_id,
        attempt,
    )?)
}

/// Removes finished deliveries created before `cutoff`.
pub fn purge_before(tx: &mut DbConnection, cutoff: DateTime<Utc>) -> Result<usize, Error> {
    Ok(webhooks::purge_before(tx, cutoff)?)
}
