//! Webhook endpoints and their deliveries: rows and queries, scoped to the
//! owning organisation, plus the workers' side (claim due deliveries,
//! record what an attempt did).
//!
//! Deliveries are made in the transaction that records their event
//! ([`fan_out`], called by `events::record`), so an event and its
//! deliveries commit together or not at all. Workers of every replica
//! [`claim`] due rows: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, on
//! SQLite under its single writer; claiming pushes `next_attempt_at` past
//! a lease, so no two workers send one attempt, and a worker that dies
//! mid-attempt leaves the row to be claimed again when the lease ends.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use tierlink_domain::events::EventType;
use tierlink_domain::ids::{DeliveryId, OrgId, WebhookId};
use tierlink_domain::pagination::{Page, PageRequest};
use tierlink_domain::time::now;
use tierlink_domain::webhooks::DeliveryStatus;

use crate::batch::insert_rows;
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::prepared::prepared;
use crate::schema::{webhook_deliveries, webhook_endpoints};
use crate::statement;
use crate::time::{from_db, to_db};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints)]
struct EndpointRow {
    id: String,
    org_id: String,
    url: String,
    description: String,
    event_types: String,
    enabled: bool,
    secret: String,
    previous_secret: Option<String>,
    previous_secret_until: Option<NaiveDateTime>,
    disabled_reason: Option<String>,
    failing_since: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    kind: String,
    token_url: Option<String>,
    client_id: Option<String>,
}

/// What an endpoint is: a webhook (signed deliveries of the events it
/// subscribes to) or a customer's PACT host (PACT events, OAuth).
pub const WEBHOOK: &str = "webhook";
pub const PACT_HOST: &str = "pact";

/// A registered endpoint, without its secrets.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: WebhookId,
    pub org_id: OrgId,
    pub url: String,
    pub description: String,
    /// Empty: every type.
    pub event_types: Vec<EventType>,
    pub enabled: bool,
    /// Why the server switched it off, if it did.
    pub disabled_reason: Option<String>,
    /// Since when its deliveries have been failing, if they are.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation still signs.
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl EndpointRow {
    fn into_endpoint(self) -> Result<Endpoint, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("webhook {}: {what}", self.id));
        let names: Vec<String> =
            serde_json::from_str(&self.event_types).map_err(|_| corrupt("event_types"))?;
        let event_types = names
            .iter()
            .map(|name| EventType::parse(name).ok_or_else(|| corrupt("event type")))
            .collect::<Result<_, _>>()?;
        Ok(Endpoint {
            id: self.id.parse().map_err(|_| corrupt("id"))?,
            org_id: self.org_id.parse().map_err(|_| corrupt("org_id"))?,
            url: self.url,
            description: self.description,
            event_types,
            enabled: self.enabled,
            disabled_reason: self.disabled_reason,
            failing_since: self.failing_since.map(from_db),
            previous_secret_until: self.previous_secret_until.map(from_db),
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
        })
    }
}

fn types_json(types: &[EventType]) -> String {
    serde_json::Value::from(types.iter().map(|t| t.as_str()).collect::<Vec<_>>()).to_string()
}

/// What a new endpoint is made of.
#[derive(Debug, Clone)]
pub struct NewEndpoint<'a> {
    pub url: &'a str,
    pub description: &'a str,
    pub event_types: &'a [EventType],
    pub enabled: bool,
    pub secret: &'a str,
}

pub fn insert(
    conn: &mut DbConnection,
    org_id: OrgId,
    new: &NewEndpoint<'_>,
) -> Result<Endpoint, StoreError> {
    let at = to_db(now());
    let row = EndpointRow {
        id: WebhookId::generate().to_string(),
        org_id: org_id.to_string(),
        url: new.url.to_owned(),
        description: new.description.to_owned(),
        event_types: types_json(new.event_types),
        enabled: new.enabled,
        secret: new.secret.to_owned(),
        previous_secret: None,
        previous_secret_until: None,
        disabled_reason: None,
        failing_since: None,
        created_at: at,
        updated_at: at,
        kind: WEBHOOK.to_owned(),
        token_url: None,
        client_id: None,
    };
    diesel::insert_into(webhook_endpoints::table)
        .values(&row)
        .execute(conn)?;
    row.into_endpoint()
}

fn find_row(
    conn: &mut DbConnection,
    org_id: OrgId,
    id: WebhookId,
) -> Result<EndpointRow, StoreError> {
    find_row_of(conn, org_id, id, WEBHOOK)
}

/// One of `org_id`'s endpoints of `kind` (a webhook or a PACT host).
fn find_row_of(
    conn: &mut DbConnection,
    org_id: OrgId,
    id: WebhookId,
    kind: &str,
) -> Result<EndpointRow, StoreError> {
    Ok(webhook_endpoints::table
        .filter(webhook_endpoints::id.eq(id.to_string()))
        .filter(webhook_endpoints::org_id.eq(org_id.to_string()))
        .filter(webhook_endpoints::kind.eq(kind))
        .select(EndpointRow::as_select())
        .first(conn)?)
}

pub fn find(conn: &mut DbConnection, org_id: OrgId, id: WebhookId) -> Result<Endpoint, StoreError> {
    find_row(conn, org_id, id)?.into_endpoint()
}

pub fn list(
    conn: &mut DbConnection,
    org_id: OrgId,
    page: &PageRequest,
) -> Result<Page<Endpoint>, StoreError> {
    let mut query = webhook_endpoints::table
        .filter(webhook_endpoints::org_id.eq(org_id.to_string()))
        .filter(webhook_endpoints::kind.eq(WEBHOOK))
        .select(EndpointRow::as_select())
        .order(webhook_endpoints::id.asc())
        .limit(i64::try_from(page.limit.get() + 1).unwrap_or(i64::MAX))
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(webhook_endpoints::id.gt(after.key().to_owned()));
    }
    let rows: Vec<EndpointRow> = query.load(conn)?;
    let endpoints = rows
        .into_iter()
        .map(EndpointRow::into_endpoint)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetched(endpoints, page.limit, |e| {
        e.id.to_string()
    }))
}

/// Changes to an endpoint; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EndpointChanges<'a> {
    pub url: Option<&'a str>,
    pub description: Option<&'a str>,
    pub event_types: Option<&'a [EventType]>,
    pub enabled: Option<bool>,
}

pub fn update(
    conn: &mut DbConnection,
    org_id: OrgId,
    id: WebhookId,
    changes: &EndpointChanges<'_>,
) -> Result<Endpoint, StoreError> {
    let mut row = find_row(conn, org_id, id)?;
    if let Some(url) = changes.url {
        row.url = url.to_owned();
    }
    if let Some(description) = changes.description {
        row.description = description.to_owned();
    }
    if let Some(types) = changes.event_types {
        row.event_types = types_json(types);
    }
    if let Some(enabled) = changes.enabled {
        if enabled && !row.enabled {
            // Switched on again by an admin: a fresh start.
            row.disabled_reason = None;
            row.failing_since = None;
        }
        row.enabled = enabled;
    }
    row.updated_at = to_db(now());
    diesel::update(webhook_endpoints::table.find(&row.id))
        .set((
            webhook_endpoints::url.eq(&row.url),
            webhook_endpoints::description.eq(&row.description),
            webhook_endpoints::event_types.eq(&row.event_types),
            webhook_endpoints::enabled.eq(row.enabled),
            webhook_endpoints::disabled_reason.eq(&row.disabled_reason),
            webhook_endpoints::failing_since.eq(row.failing_since),
            webhook_endpoints::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    row.into_endpoint()
}

/// Deletes an endpoint with its delivery log.
pub fn delete(conn: &mut DbConnection, org_id: OrgId, id: WebhookId) -> Result<(), StoreError> {
    let row = find_row(conn, org_id, id)?;
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(&row.id)))
        .execute(conn)?;
    diesel::delete(webhook_endpoints::table.find(&row.id)).execute(conn)?;
    Ok(())
}

/// Replaces the secret; the old one keeps signing (beside the new) until
/// `overlap_until`, so receivers can switch without losing a delivery.
pub fn rotate_secret(
    conn: &mut DbConnection,
    org_id: OrgId,
    id: WebhookId,
    secret: &str,
    overlap_until: DateTime<Utc>,
) -> Result<Endpoint, StoreError> {
    let mut row = find_row(conn, org_id, id)?;
    row.previous_secret = Some(std::mem::replace(&mut row.secret, secret.to_owned()));
    row.previous_secret_until = Some(to_db(overlap_until));
    row.updated_at = to_db(now());
    diesel::update(webhook_endpoints::table.find(&row.id))
        .set((
            webhook_endpoints::secret.eq(&row.secret),
            webhook_endpoints::previous_secret.eq(&row.previous_secret),
            webhook_endpoints::previous_secret_until.eq(row.previous_secret_until),
            webhook_endpoints::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    row.into_endpoint()
}

/// One event to fan out: its id, audience, type and the envelope to send.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub event_id: &'a str,
    pub audience: OrgId,
    pub kind: EventType,
    pub body: String,
}

/// Makes one pending delivery per enabled endpoint of each event's
/// audience that subscribes to its type, in the caller's transaction.
pub fn fan_out(conn: &mut DbConnection, events: &[Outgoing<'_>]) -> Result<usize, StoreError> {
    if events.is_empty() {
        return Ok(0);
    }
    let mut audiences: Vec<String> = events.iter().map(|e| e.audience.to_string()).collect();
    audiences.sort_unstable();
    audiences.dedup();
    let endpoints: Vec<(String, String, String)> = webhook_endpoints::table
        .filter(webhook_endpoints::org_id.eq_any(&audiences))
        .filter(webhook_endpoints::enabled.eq(true))
        .filter(webhook_endpoints::kind.eq(WEBHOOK))
        .select((
            webhook_endpoints::id,
            webhook_endpoints::org_id,
            webhook_endpoints::event_types,
        ))
        .load(conn)?;
    if endpoints.is_empty() {
        return Ok(0);
    }
    let at = to_db(now());
    let mut rows = Vec::new();
    for event in events {
        let audience = event.audience.to_string();
        for (endpoint_id, org_id, types) in &endpoints {
            let wanted = types == "[]" || {
                let names: Vec<String> = serde_json::from_str(types).unwrap_or_default();
                names.iter().any(|name| name == event.kind.as_str())
            };
            if *org_id == audience && wanted {
                rows.push(pending_row(
                    DeliveryId::generate().to_string(),
                    endpoint_id,
                    org_id,
                    event.event_id,
                    event.kind.as_str(),
                    &event.body,
                    at,
                ));
            }
        }
    }
    Ok(insert_rows!(conn, webhook_deliveries::table, &rows))
}

type PendingRow<'a> = (
    diesel::dsl::Eq<webhook_deliveries::id, String>,
    diesel::dsl::Eq<webhook_deliveries::endpoint_id, &'a str>,
    diesel::dsl::Eq<webhook_deliveries::org_id, &'a str>,
    diesel::dsl::Eq<webhook_deliveries::event_id, &'a str>,
    diesel::dsl::Eq<webhook_deliveries::event_type, &'a str>,
    diesel::dsl::Eq<webhook_deliveries::body, &'a str>,
    diesel::dsl::Eq<webhook_deliveries::status, &'static str>,
    diesel::dsl::Eq<webhook_deliveries::attempts, i32>,
    diesel::dsl::Eq<webhook_deliveries::next_attempt_at, NaiveDateTime>,
    diesel::dsl::Eq<webhook_deliveries::created_at, NaiveDateTime>,
);

fn pending_row<'a>(
    id: String,
    endpoint_id: &'a str,
    org_id: &'a str,
    event_id: &'a str,
    event_type: &'a str,
    body: &'a str,
    at: NaiveDateTime,
) -> PendingRow<'a> {
    (
        webhook_deliveries::id.eq(id),
        webhook_deliveries::endpoint_id.eq(endpoint_id),
        webhook_deliveries::org_id.eq(org_id),
        webhook_deliveries::event_id.eq(event_id),
        webhook_deliveries::event_type.eq(event_type),
        webhook_deliveries::body.eq(body),
        webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
        webhook_deliveries::attempts.eq(0),
        webhook_deliveries::next_attempt_at.eq(at),
        webhook_deliveries::created_at.eq(at),
    )
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
struct DeliveryRow {
    id: String,
    endpoint_id: String,
    event_id: String,
    event_type: String,
    status: String,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    last_attempt_at: Option<NaiveDateTime>,
    response_status: Option<i32>,
    error: Option<String>,
    duration_ms: Option<i32>,
    created_at: NaiveDateTime,
}

/// A delivery as its endpoint's log shows it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: DeliveryId,
    pub endpoint_id: WebhookId,
    pub event_id: String,
    /// An event type's name, or `webhook.ping`.
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub response_status: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: Option<i32>,
    pub created_at: DateTime<Utc>,
}

impl DeliveryRow {
    fn into_delivery(self) -> Result<Delivery, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("delivery {}: {what}", self.id));
        let status = DeliveryStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?;
        Ok(Delivery {
            id: self.id.parse().map_err(|_| corrupt("id"))?,
            endpoint_id: self
                .endpoint_id
                .parse()
                .map_err(|_| corrupt("endpoint_id"))?,
            event_id: self.event_id,
            event_type: self.event_type,
            status,
            attempts: self.attempts,
            next_attempt_at: (status == DeliveryStatus::Pending)
                .then(|| from_db(self.next_attempt_at)),
            last_attempt_at: self.last_attempt_at.map(from_db),
            response_status: self.response_status,
            error: self.error,
            duration_ms: self.duration_ms,
            created_at: from_db(self.created_at),
        })
    }
}

/// An endpoint's deliveries, newest first; `kind` is the endpoint's
/// ([`WEBHOOK`] or [`PACT_HOST`]).
pub fn deliveries(
    conn: &mut DbConnection,
    org_id: OrgId,
    endpoint: WebhookId,
    kind: &str,
    status: Option<DeliveryStatus>,
    page: &PageRequest,
) -> Result<Page<Delivery>, StoreError> {
    find_row_of(conn, org_id, endpoint, kind)?;
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint.to_string()))
        .filter(webhook_deliveries::org_id.eq(org_id.to_string()))
        .select(DeliveryRow::as_select())
        .order(webhook_deliveries::id.desc())
        .limit(i64::try_from(page.limit.get() + 1).unwrap_or(i64::MAX))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(webhook_deliveries::status.eq(status.as_str()));
    }
    if let Some(after) = &page.after {
        query = query.filter(webhook_deliveries::id.lt(after.key().to_owned()));
    }
    let rows: Vec<DeliveryRow> = query.load(conn)?;
    let items = rows
        .into_iter()
        .map(DeliveryRow::into_delivery)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetched(items, page.limit, |d| {
        d.id.to_string()
    }))
}

/// Queues the event of an earlier delivery again, as a new delivery due
/// now (same `webhook-id`, so receivers can tell it is the same event).
pub fn redeliver(
    conn: &mut DbConnection,
    org_id: OrgId,
    endpoint: WebhookId,
    kind: &str,
    delivery: DeliveryId,
) -> Result<Delivery, StoreError> {
    let endpoint_row = find_row_of(conn, org_id, endpoint, kind)?;
    let (event_id, event_type, body): (String, String, String) = webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(delivery.to_string()))
        .filter(webhook_deliveries::endpoint_id.eq(&endpoint_row.id))
        .select((
            webhook_deliveries::event_id,
            webhook_deliveries::event_type,
            webhook_deliveries::body,
        ))
        .first(conn)?;
    enqueue(conn, &endpoint_row, &event_id, &event_type, &body)
}

/// Queues `body` for `endpoint` as a delivery due now.
pub fn enqueue_for(
    conn: &mut DbConnection,
    org_id: OrgId,
    endpoint: WebhookId,
    event_id: &str,
    event_type: &str,
    body: &str,
) -> Result<Delivery, StoreError> {
    let row = find_row(conn, org_id, endpoint)?;
    enqueue(conn, &row, event_id, event_type, body)
}

fn enqueue(
    conn: &mut DbConnection,
    endpoint: &EndpointRow,
    event_id: &str,
    event_type: &str,
    body: &str,
) -> Result<Delivery, StoreError> {
    let at = to_db(now());
    let id = DeliveryId::generate().to_string();
    let row = pending_row(
        id.clone(),
        &endpoint.id,
        &endpoint.org_id,
        event_id,
        event_type,
        body,
        at,
    );
    insert_rows!(conn, webhook_deliveries::table, &[row]);
    webhook_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)?
        .into_delivery()
}

/// A delivery claimed by a worker: everything needed to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: DeliveryId,
    pub endpoint_id: WebhookId,
    pub event_id: String,
    pub body: String,
    pub url: String,
    /// The secrets to sign with: the current one, and the previous one
    /// while its overlap lasts.
    pub secrets: Vec<String>,
    /// This attempt's number (1 for the first).
    pub attempt: i32,
    pub created_at: DateTime<Utc>,
    /// For a PACT host: where to get a token and as whom (its secret is
    /// `secrets[0]`); `None` for a webhook, whose deliveries are signed.
    pub oauth: Option<OAuthClient>,
}

/// The OAuth client credentials Tierlink presents to a customer's PACT host.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub token_url: String,
    pub client_id: String,
}

/// An endpoint's id, URL, secret, previous secret with its end, and the
/// OAuth token URL and client id of a PACT host.
type SigningRow = (
    String,
    String,
    String,
    Option<String>,
    Option<NaiveDateTime>,
    Option<String>,
    Option<String>,
);

#[derive(QueryableByName)]
struct ClaimRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    endpoint_id: String,
    #[diesel(sql_type = Text)]
    event_id: String,
    #[diesel(sql_type = Text)]
    body: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    attempts: i32,
    #[diesel(sql_type = Timestamp)]
    created_at: NaiveDateTime,
}

statement!(
    ClaimPostgres,
    "UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $1 \
     WHERE d.id IN ( \
       SELECT p.id FROM webhook_deliveries p \
       JOIN webhook_endpoints e ON e.id = p.endpoint_id AND e.enabled \
       WHERE p.status = 'pending' AND p.next_attempt_at <= $2 \
       ORDER BY p.next_attempt_at LIMIT $3 \
       FOR UPDATE OF p SKIP LOCKED) \
     RETURNING d.id, d.endpoint_id, d.event_id, d.body, d.attempts, d.created_at",
);
statement!(
    ClaimSqlite,
    "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ?1 \
     WHERE id IN ( \
       SELECT p.id FROM webhook_deliveries p \
       JOIN webhook_endpoints e ON e.id = p.endpoint_id AND e.enabled \
       WHERE p.status = 'pending' AND p.next_attempt_at <= ?2 \
       ORDER BY p.next_attempt_at LIMIT ?3) \
     RETURNING id, endpoint_id, event_id, body, attempts, created_at",
);

/// Claims up to `limit` due deliveries of enabled endpoints for this
/// worker: each one's attempt count goes up and its `next_attempt_at`
/// moves to `lease_until`, in one statement, so no other worker takes it
/// before this one has recorded the attempt (or died and the lease ran out).
pub fn claim(
    conn: &mut DbConnection,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Claimed>, StoreError> {
    let at = to_db(now());
    let lease = to_db(lease_until);
    let rows: Vec<ClaimRow> = match conn {
        DbConnection::Postgres(pg) => prepared::<ClaimPostgres>()
            .bind::<Timestamp, _>(lease)
            .bind::<Timestamp, _>(at)
            .bind::<BigInt, _>(limit)
            .load(pg)?,
        DbConnection::Sqlite(lite) => prepared::<ClaimSqlite>()
            .bind::<Timestamp, _>(lease)
            .bind::<Timestamp, _>(at)
            .bind::<BigInt, _>(limit)
            .load(lite)?,
    };
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = rows.iter().map(|row| row.endpoint_id.as_str()).collect();
    let endpoints: Vec<SigningRow> = webhook_endpoints::table
        .filter(webhook_endpoints::id.eq_any(&ids))
        .select((
            webhook_endpoints::id,
            webhook_endpoints::url,
            webhook_endpoints::secret,
            webhook_endpoints::previous_secret,
            webhook_endpoints::previous_secret_until,
            webhook_endpoints::token_url,
            webhook_endpoints::client_id,
        ))
        .load(conn)?;
    rows.into_iter()
        .filter_map(|row| {
            let (_, url, secret, previous, until, token_url, client_id) =
                endpoints.iter().find(|e| e.0 == row.endpoint_id)?;
            let mut secrets = vec![secret.clone()];
            if let (Some(previous), Some(until)) = (previous, until)
                && *until > at
            {
                secrets.push(previous.clone());
            }
            let oauth = match (token_url, client_id) {
                (Some(token_url), Some(client_id)) => Some(OAuthClient {
                    token_url: token_url.clone(),
                    client_id: client_id.clone(),
                }),
                _ => None,
            };
            Some((row, url.clone(), secrets, oauth))
        })
        .map(|(row, url, secrets, oauth)| {
            let corrupt = |what: &str| StoreError::Corrupt(format!("delivery {}: {what}", row.id));
            Ok(Claimed {
                id: row.id.parse().map_err(|_| corrupt("id"))?,
                endpoint_id: row.endpoint_id.parse().map_err(|_| corrupt("endpoint"))?,
                event_id: row.event_id,
                body: row.body,
                url,
                secrets,
                attempt: row.attempts,
                created_at: from_db(row.created_at),
                oauth,
            })
        })
        .collect()
}

/// What one attempt did.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub response_status: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
    /// Where the delivery goes next: succeeded, failed, or pending again at
    /// the given time.
    pub outcome: AttemptOutcome,
}

#[derive(Debug, Clone, Copy)]
pub enum AttemptOutcome {
    Succeeded,
    RetryAt(DateTime<Utc>),
    /// Retries ran out: the delivery fails and the endpoint is disabled.
    GaveUp,
}

/// Records an attempt on a claimed delivery, and what it means for the
/// endpoint: a success clears its failing streak; giving up disables it
/// with the reason, for its admins to see.
pub fn record_attempt(
    conn: &mut DbConnection,
    delivery: DeliveryId,
    endpoint: WebhookId,
    attempt: &Attempt,
) -> Result<(), StoreError> {
    let (status, next) = match attempt.outcome {
        AttemptOutcome::Succeeded => (DeliveryStatus::Succeeded, attempt.at),
        AttemptOutcome::RetryAt(next) => (DeliveryStatus::Pending, next),
        AttemptOutcome::GaveUp => (DeliveryStatus::Failed, attempt.at),
    };
    diesel::update(webhook_deliveries::table.find(delivery.to_string()))
        .set((
            webhook_deliveries::status.eq(status.as_str()),
            webhook_deliveries::next_attempt_at.eq(to_db(next)),
            webhook_deliveries::last_attempt_at.eq(Some(to_db(attempt.at))),
            webhook_deliveries::response_status.eq(attempt.response_status),
            webhook_deliveries::error.eq(&attempt.error),
            webhook_deliveries::duration_ms.eq(Some(attempt.duration_ms)),
        ))
        .execute(conn)?;
    let endpoint_id = endpoint.to_string();
    let target = webhook_endpoints::table.find(&endpoint_id);
    match attempt.outcome {
        AttemptOutcome::Succeeded => {
            diesel::update(target.filter(webhook_endpoints::failing_since.is_not_null()))
                .set(webhook_endpoints::failing_since.eq(None::<NaiveDateTime>))
                .execute(conn)?;
        }
        AttemptOutcome::RetryAt(_) => {
            diesel::update(target.filter(webhook_endpoints::failing_since.is_null()))
                .set(webhook_endpoints::failing_since.eq(Some(to_db(attempt.at))))
                .execute(conn)?;
        }
        AttemptOutcome::GaveUp => {
            let why = format!(
                "disabled after a delivery failed for the whole retry period; last attempt: {}",
                attempt
                    .error
                    .clone()
                    .or(attempt.response_status.map(|s| format!("HTTP {s}")))
                    .unwrap_or_else(|| "no answer".to_owned())
            );
            diesel::update(target)
                .set((
                    webhook_endpoints::enabled.eq(false),
                    webhook_endpoints::disabled_reason.eq(Some(why)),
                    webhook_endpoints::updated_at.eq(to_db(attempt.at)),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Removes deliveries created before `cutoff` that are no longer pending.
pub fn purge_before(conn: &mut DbConnection, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::created_at.lt(to_db(cutoff)))
            .filter(webhook_deliveries::status.ne(DeliveryStatus::Pending.as_str())),
    )
    .execute(conn)?)
}

/// A customer's PACT host: where Tierlink sends the PACT events answering
/// its requests, and the OAuth client it authenticates there as.
#[derive(Debug, Clone)]
pub struct PactHost {
    pub id: WebhookId,
    /// Its `/3/events` URL.
    pub events_url: String,
    pub token_url: String,
    pub client_id: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl EndpointRow {
    fn into_pact_host(self) -> Result<PactHost, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("PACT host {}: {what}", self.id));
        Ok(PactHost {
            id: self.id.parse().map_err(|_| corrupt("id"))?,
            token_url: self.token_url.clone().ok_or_else(|| corrupt("token_url"))?,
            client_id: self.client_id.clone().ok_or_else(|| corrupt("client_id"))?,
            events_url: self.url,
            enabled: self.enabled,
            disabled_reason: self.disabled_reason,
            created_at: from_db(self.created_at),
        })
    }
}

/// A PACT host to register.
#[derive(Clone)]
pub struct NewPactHost<'a> {
    pub events_url: &'a str,
    pub token_url: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
}

impl std::fmt::Debug for NewPactHost<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewPactHost")
            .field("events_url", &self.events_url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// Registers `org`'s PACT host, replacing one with the same events URL
/// (and switching it back on).
pub fn save_pact_host(
    conn: &mut DbConnection,
    org_id: OrgId,
    new: &NewPactHost<'_>,
) -> Result<PactHost, StoreError> {
    let at = to_db(now());
    if let Some(existing) = pact_host_for(conn, org_id, new.events_url)? {
        diesel::update(webhook_endpoints::table.find(existing.id.to_string()))
            .set((
                webhook_endpoints::token_url.eq(new.token_url),
                webhook_endpoints::client_id.eq(new.client_id),
                webhook_endpoints::secret.eq(new.client_secret),
                webhook_endpoints::enabled.eq(true),
                webhook_endpoints::disabled_reason.eq(None::<String>),
                webhook_endpoints::failing_since.eq(None::<NaiveDateTime>),
                webhook_endpoints::updated_at.eq(at),
            ))
            .execute(conn)?;
        return pact_host_for(conn, org_id, new.events_url)?.ok_or(StoreError::NotFound);
    }
    let id = WebhookId::generate().to_string();
    let row = EndpointRow {
        id: id.clone(),
        org_id: org_id.to_string(),
        url: new.events_url.to_owned(),
        description: "PACT host".to_owned(),
        event_types: "[]".to_owned(),
        enabled: true,
        secret: new.client_secret.to_owned(),
        previous_secret: None,
        previous_secret_until: None,
        disabled_reason: None,
        failing_since: None,
        created_at: at,
        updated_at: at,
        kind: PACT_HOST.to_owned(),
        token_url: Some(new.token_url.to_owned()),
        client_id: Some(new.client_id.to_owned()),
    };
    diesel::insert_into(webhook_endpoints::table)
        .values(&row)
        .execute(conn)?;
    row.into_pact_host()
}

fn pact_rows(conn: &mut DbConnection, org_id: OrgId) -> Result<Vec<EndpointRow>, StoreError> {
    Ok(webhook_endpoints::table
        .filter(webhook_endpoints::org_id.eq(org_id.to_string()))
        .filter(webhook_endpoints::kind.eq(PACT_HOST))
        .select(EndpointRow::as_select())
        .order(webhook_endpoints::id)
        .load(conn)?)
}

/// `org`'s PACT hosts, oldest first.
pub fn pact_hosts(conn: &mut DbConnection, org_id: OrgId) -> Result<Vec<PactHost>, StoreError> {
    pact_rows(conn, org_id)?
        .into_iter()
        .map(EndpointRow::into_pact_host)
        .collect()
}

/// `org`'s PACT host whose events URL is `events_url`.
pub fn pact_host_for(
    conn: &mut DbConnection,
    org_id: OrgId,
    events_url: &str,
) -> Result<Option<PactHost>, StoreError> {
    pact_rows(conn, org_id)?
        .into_iter()
        .find(|row| row.url == events_url)
        .map(EndpointRow::into_pact_host)
        .transpose()
}

/// Removes one of `org`'s PACT hosts, with its deliveries.
pub fn delete_pact_host(
    conn: &mut DbConnection,
    org_id: OrgId,
    id: WebhookId,
) -> Result<(), StoreError> {
    if !pact_rows(conn, org_id)?
        .iter()
        .any(|row| row.id == id.to_string())
    {
        return Err(StoreError::NotFound);
    }
    diesel::delete(
        webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(id.to_string())),
    )
    .execute(conn)?;
    let removed = diesel::delete(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(id.to_string()))
            .filter(webhook_endpoints::org_id.eq(org_id.to_string()))
            .filter(webhook_endpoints::kind.eq(PACT_HOST)),
    )
    .execute(conn)?;
    if removed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Queues a PACT event for one of `org`'s PACT hosts, due now.
pub fn enqueue_pact(
    conn: &mut DbConnection,
    org_id: OrgId,
    host: WebhookId,
    event_id: &str,
    event_type: &str,
    body: &str,
) -> Result<Delivery, StoreError> {
    let row = pact_rows(conn, org_id)?
        .into_iter()
        .find(|row| row.id == host.to_string())
        .ok_or(StoreError::NotFound)?;
    enqueue(conn, &row, event_id, event_type, body)
}
