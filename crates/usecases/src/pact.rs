//! PACT events: the customer's PACT hosts Tierlink answers to, and what a
//! `RequestCreatedEvent` from a customer's PACT client does. The footprints
//! published to the customer that meet the event's criteria go back in a
//! `RequestFulfilledEvent`; when none does, a `RequestRejectedEvent` says
//! so. Either is queued on the delivery engine (retries for 72 hours) for
//! the host the event came from, which the customer registered first.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tierlink_domain::FieldError;
use tierlink_domain::footprints::{FootprintStatus, ProductFootprint};
use tierlink_domain::ids::{OrgId, WebhookId};
use tierlink_domain::time::now;
use tierlink_domain::webhooks::check_url;
use tierlink_persistence::DbConnection;
use tierlink_persistence::footprints::Criteria;
use tierlink_persistence::webhooks::{self, NewPactHost, PactHost};

use crate::error::{Error, not_found};
use crate::footprints::list_published;

/// PACT's event types, as spelled on the wire.
pub const REQUEST_CREATED: &str = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3";
pub const REQUEST_FULFILLED: &str = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3";
pub const REQUEST_REJECTED: &str = "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3";
pub const PUBLISHED: &str = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3";

/// The most footprints one `RequestFulfilledEvent` carries.
const MAX_FULFILLED: usize = 100;

/// A PACT host as its owner registers it.
#[derive(Debug, Clone)]
pub struct HostInput {
    /// The host's base URL: events go to `<base>/3/events`.
    pub base_url: String,
    /// Its token endpoint; by default `<base>/auth/token`.
    pub token_url: Option<String>,
    pub client_id: String,
    pub client_secret: String,
}

/// `<base>/3/events` for a base URL or an event's `source` (which may be
/// `//host/path` without a scheme, or the events URL itself).
pub fn events_url(source: &str) -> String {
    let source = source.trim();
    let absolute = match source.strip_prefix("//") {
        Some(rest) => format!("https://{rest}"),
        None => source.to_owned(),
    };
    let base = absolute.trim_end_matches('/');
    if base.ends_with("/3/events") {
        base.to_owned()
    } else {
        format!("{base}/3/events")
    }
}

/// Registers (or replaces) one of `org`'s PACT hosts.
pub fn register_host(
    tx: &mut DbConnection,
    org: OrgId,
    input: &HostInput,
    allow_private: bool,
) -> Result<PactHost, Error> {
    let named = |field: &'static str| {
        move |mut error: FieldError| {
            error.field = field.to_owned();
            Error::invalid(error)
        }
    };
    let base = check_url(&input.base_url, allow_private).map_err(named("base_url"))?;
    let events = events_url(base.as_str());
    let token_url = match &input.token_url {
        Some(url) => check_url(url, allow_private)
            .map_err(named("token_url"))?
            .to_string(),
        None => format!("{}/auth/token", base.as_str().trim_end_matches('/')),
    };
    for (field, value) in [
        ("client_id", &input.client_id),
        ("client_secret", &input.client_secret),
    ] {
        if value.trim().is_empty() || value.len() > 500 {
            return Err(Error::invalid(FieldError::new(
                field,
                "invalid_value",
                format!("{field} is 1 to 500 characters"),
            )));
        }
    }
    Ok(webhooks::save_pact_host(
        tx,
        org,
        &NewPactHost {
            events_url: &events,
            token_url: &token_url,
            client_id: &input.client_id,
            client_secret: &input.client_secret,
        },
    )?)
}

/// `org`'s PACT hosts.
pub fn hosts(conn: &mut DbConnection, org: OrgId) -> Result<Vec<PactHost>, Error> {
    Ok(webhooks::pact_hosts(conn, org)?)
}

/// Removes one of `org`'s PACT hosts.
pub fn delete_host(tx: &mut DbConnection, org: OrgId, id: WebhookId) -> Result<(), Error> {
    webhooks::delete_pact_host(tx, org, id).map_err(not_found("PACT host"))
}

/// A `RequestCreatedEvent` as received.
#[derive(Debug, Clone)]
pub struct RequestCreated {
    /// The event's `id`, echoed as `requestEventId`.
    pub id: String,
    pub source: String,
    pub criteria: Criteria,
}

/// A CloudEvent Tierlink sends (structured mode).
#[derive(Debug, Serialize)]
struct OutgoingEvent<'a, T: Serialize> {
    specversion: &'static str,
    id: String,
    source: &'a str,
    time: DateTime<Utc>,
    #[serde(rename = "type")]
    event_type: &'static str,
    data: T,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Fulfilled<'a> {
    request_event_id: &'a str,
    pfs: Vec<ProductFootprint>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Rejected<'a> {
    request_event_id: &'a str,
    error: PactErrorData,
}

#[derive(Debug, Serialize)]
struct PactErrorData {
    code: &'static str,
    message: String,
}

/// What became of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Fulfilled,
    Rejected,
}

/// Answers a customer's `RequestCreatedEvent`: the footprints published
/// to `org` that meet its criteria (the active ones unless it asks for a
/// status) go back fulfilled; none, rejected with `NotFound`. The answer
/// is queued for the host at the event's `source`, which `org` must have
/// registered (a 4xx otherwise, as PACT asks of what can be told at once).
/// `our_source` is this server's own `source` for the answer.
pub fn answer_request(
    tx: &mut DbConnection,
    org: OrgId,
    request: &RequestCreated,
    our_source: &str,
) -> Result<Answered, Error> {
    let events = events_url(&request.source);
    let host = webhooks::pact_host_for(tx, org, &events)?.ok_or_else(|| {
        Error::invalid(FieldError::new(
            "source",
            "unknown_pact_host",
            format!(
                "no PACT host is registered for `{}`: register it under /v1/pact-hosts first",
                request.source
            ),
        ))
    })?;
    let mut criteria = request.criteria.clone();
    if criteria.statuses.is_none() {
        criteria.statuses = Some(vec![FootprintStatus::Active]);
    }
    let (pfs, _) = list_published(tx, org, &criteria, None, MAX_FULFILLED)?;
    let id = uuid::Uuid::now_v7().to_string();
    let (event_type, body, answered) = if pfs.is_empty() {
        let event = OutgoingEvent {
            specversion: "1.0",
            id: id.clone(),
            source: our_source,
            time: now(),
            event_type: REQUEST_REJECTED,
            data: Rejected {
                request_event_id: &request.id,
                error: PactErrorData {
                    code: "NotFound",
                    message: "No footprint published to you meets the request's criteria."
                        .to_owned(),
                },
            },
        };
        (
            REQUEST_REJECTED,
            serde_json::to_string(&event),
            Answered::Rejected,
        )
    } else {
        let event = OutgoingEvent {
            specversion: "1.0",
            id: id.clone(),
            source: our_source,
            time: now(),
            event_type: REQUEST_FULFILLED,
            data: Fulfilled {
                request_event_id: &request.id,
                pfs,
            },
        };
        (
            REQUEST_FULFILLED,
            serde_json::to_string(&event),
            Answered::Fulfilled,
        )
    };
    let body =
        body.map_err(|e| Error::Store(tierlink_persistence::StoreError::Corrupt(e.to_string())))?;
    webhooks::enqueue_pact(tx, org, host.id, &id, event_type, &body)?;
    Ok(answered)
}
