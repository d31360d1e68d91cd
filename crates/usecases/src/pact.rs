//! PACT events: the customer's PACT hosts Tierlink answers to, and what a
//! `RequestCreatedEvent` from a customer's PACT client does. The footprints
//! published to the customer that meet the event's criteria go back in a
//! `RequestFulfilledEvent`; when none does, a `RequestRejectedEvent` says
//! so. Either is queued on the delivery engine (retries for 72 hours) for
//! the host the event came from, which the customer registered first.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use tierlink_domain::FieldError;
use tierlink_domain::footprints::{FootprintStatus, ProductFootprint};
use tierlink_domain::ids::{DeliveryId, OrgId, RequirementId, WebhookId};
use tierlink_domain::metrics::PRODUCT_FOOTPRINTS;
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::products::UrnIssuer;
use tierlink_domain::requests::Request;
use tierlink_domain::requirements::{
    ContentInput, ItemInput, RequirementAction, RequirementContent,
};
use tierlink_domain::time::now;
use tierlink_domain::webhooks::DeliveryStatus;
use tierlink_domain::webhooks::check_url;
use tierlink_persistence::DbConnection;
use tierlink_persistence::footprints::{self as store, Criteria, PendingPactRequest};
use tierlink_persistence::webhooks::{self, Delivery, NewPactHost, PactHost};
use tierlink_persistence::{network, products};

use crate::error::{Error, not_found};
use crate::footprints::list_published;
use crate::requirements;

/// PACT's event types, as spelled on the wire.
pub const REQUEST_CREATED: &str = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3";
pub const REQUEST_FULFILLED: &str = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3";
pub const REQUEST_REJECTED: &str = "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3";
pub const PUBLISHED: &str = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3";

/// The most footprints one `RequestFulfilledEvent` carries.
const MAX_FULFILLED: usize = 100;

/// A PACT host as its owner registers it.
#[derive(Clone)]
pub struct HostInput {
    /// The host's base URL: events go to `<base>/3/events`.
    pub base_url: String,
    /// Its token endpoint; by default `<base>/auth/token`.
    pub token_url: Option<String>,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for HostInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostInput")
            .field("base_url", &self.base_url)
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// `<base>/3/events` for a base URL or an event's `source` (which may be
/// `//host/path` without a scheme, or the events URL itself).
/// Parsed as a URL, so a source and a registered host compare equal
/// whatever the case of the host or an explicit default port.
pub fn events_url(source: &str) -> String {
    let source = source.trim();
    let absolute = match source.strip_prefix("//") {
        Some(rest) => format!("https://{rest}"),
        None => source.to_owned(),
    };
    let normalised = url::Url::parse(&absolute).map_or(absolute, |url| url.to_string());
    let base = normalised.trim_end_matches('/');
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
        None => format!("{}/auth/token", base.origin().ascii_serialization()),
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

/// What was sent to one of `org`'s PACT hosts, newest first.
pub fn host_deliveries(
    conn: &mut DbConnection,
    org: OrgId,
    id: WebhookId,
    status: Option<DeliveryStatus>,
    page: &PageRequest,
) -> Result<Page<Delivery>, Error> {
    webhooks::deliveries(conn, org, id, webhooks::PACT_HOST, status, page)
        .map_err(not_found("PACT host"))
}

/// Sends an earlier answer to one of `org`'s PACT hosts again (the same
/// event id), as a new delivery due now.
pub fn redeliver_to_host(
    tx: &mut DbConnection,
    org: OrgId,
    id: WebhookId,
    delivery: DeliveryId,
) -> Result<Delivery, Error> {
    webhooks::redeliver(tx, org, id, webhooks::PACT_HOST, delivery).map_err(not_found("delivery"))
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
    /// The requester's words, for the suppliers asked.
    pub comment: Option<String>,
}

/// A CloudEvent Tierlink sends (structured mode).
#[derive(Debug, Serialize)]
struct OutgoingEvent<'a> {
    specversion: &'static str,
    id: String,
    source: &'a str,
    time: DateTime<Utc>,
    #[serde(rename = "type")]
    event_type: &'static str,
    data: serde_json::Value,
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
    /// Footprints published to the customer met it: they are on their way.
    Fulfilled,
    /// None did, but products of its suppliers are named: they were asked,
    /// through a requirement, and their answers will fulfil it.
    AskedSuppliers,
    /// Nothing meets it, and no supplier's product is named (or the
    /// caller may not ask suppliers).
    Rejected,
    /// The same event (`source`, `id`) came before: nothing is done again.
    AlreadyReceived,
}

/// Why a request is rejected: PACT's error code and a message.
type Refusal = (&'static str, &'static str);

const NOTHING_MEETS_IT: Refusal = (
    "NotFound",
    "No footprint published to you meets the request's criteria, and it names no product of \
     your suppliers.",
);

const NOT_ANSWERED: Refusal = (
    "NotFound",
    "The suppliers asked for the footprints declined, or the request was closed, before any \
     answer met it.",
);

const MAY_NOT_ASK: Refusal = (
    "AccessDenied",
    "No footprint published to you meets the request's criteria; asking your suppliers for \
     them needs the requirements:write scope (or an editor).",
);

/// Queues the answer to a PACT request for the customer's host: fulfilled
/// with `pfs`, or, when there are none, rejected with `NotFound`.
fn queue_answer(
    tx: &mut DbConnection,
    org: OrgId,
    host: WebhookId,
    request_event_id: &str,
    our_source: &str,
    pfs: Vec<ProductFootprint>,
    refusal: Refusal,
) -> Result<(), Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let event = |event_type, data| {
        serde_json::to_string(&OutgoingEvent {
            specversion: "1.0",
            id: id.clone(),
            source: our_source,
            time: now(),
            event_type,
            data,
        })
        .map_err(crate::footprints::corrupt)
    };
    let (event_type, body) = if pfs.is_empty() {
        let error = PactErrorData {
            code: refusal.0,
            message: refusal.1.to_owned(),
        };
        let data = serde_json::to_value(Rejected {
            request_event_id,
            error,
        });
        (REQUEST_REJECTED, data.map_err(crate::footprints::corrupt)?)
    } else {
        let data = serde_json::to_value(Fulfilled {
            request_event_id,
            pfs,
        });
        (REQUEST_FULFILLED, data.map_err(crate::footprints::corrupt)?)
    };
    let body = event(event_type, body)?;
    webhooks::enqueue_pact(tx, org, host, &id, event_type, &body)?;
    Ok(())
}

/// Answers a waiting PACT request once: claims it (another transaction
/// may have answered it first), then queues the answer for its host. A
/// host removed meanwhile leaves nowhere to answer; it stays answered.
fn answer_waiting(
    tx: &mut DbConnection,
    waiting: &PendingPactRequest,
    pfs: Vec<ProductFootprint>,
    refusal: Refusal,
) -> Result<(), Error> {
    if !store::claim_pact_request(tx, &waiting.id)? {
        return Ok(());
    }
    let answered = queue_answer(
        tx,
        waiting.org,
        waiting.host,
        &waiting.request_event_id,
        &waiting.our_source,
        pfs,
        refusal,
    );
    match answered {
        Ok(()) | Err(Error::NotFound(_)) => Ok(()),
        Err(other) => Err(other),
    }
}

/// The footprints published to `org` that answer `criteria`: the active
/// ones unless it asks for a status.
fn answering(
    tx: &mut DbConnection,
    org: OrgId,
    criteria: &Criteria,
) -> Result<Vec<ProductFootprint>, Error> {
    let mut criteria = criteria.clone();
    if criteria.statuses.is_none() {
        criteria.statuses = Some(vec![FootprintStatus::Active]);
    }
    Ok(list_published(tx, org, &criteria, None, MAX_FULFILLED)?.0)
}

/// The suppliers of `org` selling it a product the criteria name.
fn suppliers_named(
    tx: &mut DbConnection,
    org: OrgId,
    criteria: &Criteria,
    issuer: &UrnIssuer,
) -> Result<Vec<OrgId>, Error> {
    let mut named = Vec::new();
    if criteria.product_ids.is_empty() {
        return Ok(named);
    }
    for supplier in network::active_suppliers_of(tx, org)? {
        let sold = products::sold_to(tx, supplier, org)?;
        let names_one = sold.iter().any(|product| {
            issuer.product_ids(product, org).iter().any(|id| {
                criteria
                    .product_ids
                    .iter()
                    .any(|wanted| wanted.eq_ignore_ascii_case(id))
            })
        });
        if names_one {
            named.push(supplier);
        }
    }
    Ok(named)
}

/// Asks `suppliers` for footprints with a published requirement for the
/// last calendar year, due in 30 days, titled after the PACT request.
fn ask_suppliers(
    tx: &mut DbConnection,
    org: OrgId,
    by: &str,
    request: &RequestCreated,
    suppliers: Vec<OrgId>,
) -> Result<RequirementId, Error> {
    let today = now().date_naive();
    let year = today.year() - 1;
    let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(Error::NotFound("period"))?;
    let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(Error::NotFound("period"))?;
    let title: String = format!("PACT request {}", request.id)
        .chars()
        .take(200)
        .collect();
    let description = request
        .comment
        .clone()
        .unwrap_or_else(|| "Product footprints requested through the PACT API.".to_owned());
    let input = ContentInput {
        title: &title,
        description: &description,
        period_start: start,
        period_end: end,
        due_date: today + chrono::Duration::days(30),
        items: vec![ItemInput {
            metric: PRODUCT_FOOTPRINTS,
            required: true,
            guidance: None,
            estimates_accepted: true,
            part_numbers: Vec::new(),
        }],
        audience_all: false,
        audience: suppliers,
        cascade_depth: 1,
    };
    let content = RequirementContent::parse(&input, today, |code| code == PRODUCT_FOOTPRINTS)?;
    let created = requirements::create(tx, org, by, &content)?;
    requirements::transition(tx, org, by, created.id, None, RequirementAction::Publish)?;
    Ok(created.id)
}

/// Answers a customer's `RequestCreatedEvent`. Footprints published to
/// `org` that meet its criteria (the active ones unless it asks for a
/// status) go back fulfilled. When none does but it names products its
/// suppliers sell it, those suppliers get a request for footprints in
/// their inbox, and the first answer that meets the criteria fulfils it.
/// Otherwise it is rejected with `NotFound`. Answers are queued for the
/// host at the event's `source`, which `org` must have registered (a 4xx
/// otherwise, as PACT asks of what can be told at once). `our_source` is
/// this server's own `source`; `by` the caller, as recorded, and
/// `may_ask_suppliers` whether it may publish requirements. An event seen
/// before (same `source` and `id`) is acknowledged and not acted on again.
pub fn answer_request(
    tx: &mut DbConnection,
    org: OrgId,
    by: &str,
    may_ask_suppliers: bool,
    request: &RequestCreated,
    our_source: &str,
    issuer: &UrnIssuer,
) -> Result<Answered, Error> {
    if !store::first_receipt(tx, org, &request.source, &request.id)? {
        return Ok(Answered::AlreadyReceived);
    }
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
    let pfs = answering(tx, org, &request.criteria)?;
    if !pfs.is_empty() {
        queue_answer(
            tx,
            org,
            host.id,
            &request.id,
            our_source,
            pfs,
            NOTHING_MEETS_IT,
        )?;
        return Ok(Answered::Fulfilled);
    }
    let suppliers = suppliers_named(tx, org, &request.criteria, issuer)?;
    if suppliers.is_empty() || !may_ask_suppliers {
        let refusal = if suppliers.is_empty() {
            NOTHING_MEETS_IT
        } else {
            MAY_NOT_ASK
        };
        queue_answer(
            tx,
            org,
            host.id,
            &request.id,
            our_source,
            Vec::new(),
            refusal,
        )?;
        return Ok(Answered::Rejected);
    }
    let requirement = ask_suppliers(tx, org, by, request, suppliers)?;
    store::insert_pact_request(
        tx,
        &requirement.to_string(),
        &PendingPactRequest {
            id: uuid::Uuid::now_v7().to_string(),
            org,
            host: host.id,
            request_event_id: request.id.clone(),
            our_source: our_source.to_owned(),
            criteria: request.criteria.clone(),
        },
    )?;
    Ok(Answered::AskedSuppliers)
}

/// After a supplier submitted footprints for `request`: the PACT requests
/// behind its requirement that they now meet are fulfilled. A host that
/// was removed meanwhile is skipped (its request stays unanswered).
pub(crate) fn on_submitted(tx: &mut DbConnection, request: &Request) -> Result<(), Error> {
    // Only a footprint request can be one a PACT request made.
    if !request.items.iter().any(|i| i.metric == PRODUCT_FOOTPRINTS) {
        return Ok(());
    }
    let pending = store::pending_pact_requests(tx, &request.requirement_id.to_string())?;
    for waiting in pending.iter().filter(|p| p.org == request.requester_org_id) {
        let pfs = answering(tx, waiting.org, &waiting.criteria)?;
        if !pfs.is_empty() {
            answer_waiting(tx, waiting, pfs, NOTHING_MEETS_IT)?;
        }
    }
    Ok(())
}

/// After a request of `requirement` was declined, or the requirement
/// closed or cancelled: when none of its requests awaits an answer any
/// more, the PACT requests still waiting on it are rejected, so each gets
/// its one answer.
pub(crate) fn on_requests_ended(
    tx: &mut DbConnection,
    requirement: RequirementId,
) -> Result<(), Error> {
    let pending = store::pending_pact_requests(tx, &requirement.to_string())?;
    if pending.is_empty() || tierlink_persistence::requests::awaiting_count(tx, requirement)? > 0 {
        return Ok(());
    }
    for waiting in &pending {
        answer_waiting(tx, waiting, Vec::new(), NOT_ANSWERED)?;
    }
    Ok(())
}
