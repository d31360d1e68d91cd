//! The outbox (`events`): written by use cases inside their transactions,
//! read as each organisation's change feed.
//!
//! Commit order, not insert order: on PostgreSQL a transaction that took
//! its `seq` early could commit after one that took a later `seq`, and a
//! reader that had paged past the later one would never see the earlier.
//! So [`record`] takes [`lock_event_append`] before it numbers its events
//! and keeps it until commit: events are numbered in commit order, and the
//! feed is plain `seq` order with no gaps and no repeats. The lock is held
//! only from the insert (the use case's last write) to the commit. SQLite
//! commits one writer at a time already.
//!
//! Each event also records, for the audit trail, the organisation of its
//! actor and the request id of the call that made it ([`for_call`]).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text};
use tierlink_domain::events::{EventCursor, EventType, NewEvent};
use tierlink_domain::ids::OrgId;
use tierlink_domain::time::now;

use crate::batch::insert_rows;
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::locks::lock_event_append;
use crate::prepared::prepared;
use crate::schema::events;
use crate::statement;
use crate::time::{from_db, to_db};
use crate::webhooks::{self, Outgoing};

thread_local! {
    /// The request id of the call this thread is running a transaction
    /// for (see [`for_call`]).
    static CALL: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` (one transaction of a call) on this thread with `request_id`
/// as the call that the events it records come from.
pub fn for_call<T>(request_id: Option<String>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<String>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CALL.with(|call| *call.borrow_mut() = previous);
        }
    }
    let previous = CALL.with(|call| call.replace(request_id));
    let _restore = Restore(previous);
    f()
}

/// The organisation an actor (`user:<id>`, `client:<id>`) acts for; none
/// for the server's own work (`system`).
fn actor_org(conn: &mut DbConnection, actor: &str) -> Result<Option<String>, StoreError> {
    use crate::schema::{api_clients, users};
    let found = if let Some(id) = actor.strip_prefix("user:") {
        users::table
            .filter(users::id.eq(id))
            .select(users::org_id)
            .first::<String>(conn)
            .optional()?
    } else if let Some(id) = actor.strip_prefix("client:") {
        api_clients::table
            .filter(api_clients::id.eq(id))
            .select(api_clients::org_id)
            .first::<String>(conn)
            .optional()?
    } else {
        None
    };
    Ok(found)
}

/// An event as the feed gives it.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub cursor: EventCursor,
    pub event_id: String,
    pub kind: EventType,
    pub resource_type: String,
    pub resource_id: String,
    pub actor: String,
    /// JSON text, as recorded.
    pub payload: String,
    pub occurred_at: DateTime<Utc>,
}

/// Records events in the caller's transaction, numbered in commit order
/// (see the module doc): call it after the use case's other writes.
pub fn record(conn: &mut DbConnection, new: &[NewEvent]) -> Result<(), StoreError> {
    if new.is_empty() {
        return Ok(());
    }
    let occurred_at = now();
    let ids: Vec<String> = new
        .iter()
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    // Deliveries first: the append lock below is held until commit, so it
    // should cover as little work as possible.
    let outgoing: Vec<Outgoing<'_>> = new
        .iter()
        .zip(&ids)
        .map(|(event, id)| Outgoing {
            event_id: id,
            audience: event.audience,
            kind: event.kind,
            body: event.envelope(id, occurred_at).to_string(),
        })
        .collect();
    webhooks::fan_out(conn, &outgoing)?;
    let mut actor_orgs: Vec<(&str, Option<String>)> = Vec::new();
    for event in new {
        if !actor_orgs.iter().any(|(actor, _)| *actor == event.actor) {
            actor_orgs.push((&event.actor, actor_org(conn, &event.actor)?));
        }
    }
    let org_of = |actor: &str| {
        actor_orgs
            .iter()
            .find(|(known, _)| *known == actor)
            .and_then(|(_, org)| org.clone())
    };
    let request_id = CALL.with(|call| call.borrow().clone());
    lock_event_append(conn)?;
    let at = to_db(occurred_at);
    let rows: Vec<_> = new
        .iter()
        .zip(&ids)
        .map(|(event, id)| {
            (
                events::event_id.eq(id),
                events::org_id.eq(event.audience.to_string()),
                events::event_type.eq(event.kind.as_str()),
                events::resource_type.eq(event.kind.resource_type()),
                events::resource_id.eq(&event.resource_id),
                events::actor.eq(&event.actor),
                events::payload.eq(event.payload.to_string()),
                events::occurred_at.eq(at),
                events::actor_org_id.eq(org_of(&event.actor)),
                events::request_id.eq(request_id.clone()),
            )
        })
        .collect();
    insert_rows!(conn, events::table, &rows);
    Ok(())
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Text)]
    event_id: String,
    #[diesel(sql_type = Text)]
    event_type: String,
    #[diesel(sql_type = Text)]
    resource_type: String,
    #[diesel(sql_type = Text)]
    resource_id: String,
    #[diesel(sql_type = Text)]
    actor: String,
    #[diesel(sql_type = Text)]
    payload: String,
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    occurred_at: NaiveDateTime,
}

statement!(
    FeedPostgres,
    "SELECT seq, event_id, event_type, resource_type, resource_id, actor, payload, occurred_at \
     FROM events \
     WHERE org_id = $1 AND seq > $2 AND event_type = ANY($3) \
     ORDER BY seq LIMIT $4"
);

/// Up to `limit` of `org`'s events after `after`, oldest first, of the
/// given types (all when empty).
pub fn feed(
    conn: &mut DbConnection,
    org: OrgId,
    after: EventCursor,
    types: &[EventType],
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let types: Vec<&str> = if types.is_empty() {
        EventType::ALL.iter().map(|t| t.as_str()).collect()
    } else {
        types.iter().map(|t| t.as_str()).collect()
    };
    let rows: Vec<Row> = match conn {
        DbConnection::Postgres(pg) => prepared::<FeedPostgres>()
            .bind::<Text, _>(org.to_string())
            .bind::<BigInt, _>(after.seq())
            .bind::<Array<Text>, _>(&types)
            .bind::<BigInt, _>(limit)
            .load(pg)?,
        DbConnection::Sqlite(lite) => events::table
            .filter(events::org_id.eq(org.to_string()))
            .filter(events::seq.gt(after.seq()))
            .filter(events::event_type.eq_any(&types))
            .order(events::seq.asc())
            .limit(limit)
            .select((
                events::seq,
                events::event_id,
                events::event_type,
                events::resource_type,
                events::resource_id,
                events::actor,
                events::payload,
                events::occurred_at,
            ))
            .load::<(
                i64,
                String,
                String,
                String,
                String,
                String,
                String,
                NaiveDateTime,
            )>(lite)?
            .into_iter()
            .map(
                |(
                    seq,
                    event_id,
                    event_type,
                    resource_type,
                    resource_id,
                    actor,
                    payload,
                    occurred_at,
                )| Row {
                    seq,
                    event_id,
                    event_type,
                    resource_type,
                    resource_id,
                    actor,
                    payload,
                    occurred_at,
                },
            )
            .collect(),
    };
    rows.into_iter()
        .map(|row| {
            Ok(StoredEvent {
                cursor: EventCursor::at(row.seq),
                kind: EventType::parse(&row.event_type)
                    .ok_or_else(|| StoreError::Corrupt(format!("event type {}", row.event_type)))?,
                event_id: row.event_id,
                resource_type: row.resource_type,
                resource_id: row.resource_id,
                actor: row.actor,
                payload: row.payload,
                occurred_at: from_db(row.occurred_at),
            })
        })
        .collect()
}

/// Removes events older than `cutoff` (retention); returns how many.
pub fn purge_before(conn: &mut DbConnection, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(events::table.filter(events::occurred_at.lt(to_db(cutoff))))
            .execute(conn)?,
    )
}

/// What the audit trail is asked for; `None` filters nothing.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub actor: Option<String>,
    /// All types when empty.
    pub types: Vec<EventType>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only records older than this one (the page cursor).
    pub before: Option<i64>,
}

/// A record of the audit trail: an event, with who it was addressed to,
/// whose actor did it and for which call.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub event: StoredEvent,
    pub audience: String,
    pub actor_org_id: Option<String>,
    pub request_id: Option<String>,
}

type AuditRow = (
    (
        i64,
        String,
        String,
        String,
        String,
        String,
        String,
        NaiveDateTime,
    ),
    String,
    Option<String>,
    Option<String>,
);

/// Builds the audit query for one backend (the filters are the same).
macro_rules! audit_query {
    ($backend:ty, $org:expr, $filter:expr, $limit:expr) => {{
        let org: String = $org;
        let filter: &AuditFilter = $filter;
        let mut query = events::table
            .filter(
                events::org_id
                    .eq(org.clone())
                    .or(events::actor_org_id.eq(org)),
            )
            .into_boxed::<$backend>();
        if let Some(resource_type) = &filter.resource_type {
            query = query.filter(events::resource_type.eq(resource_type.clone()));
        }
        if let Some(resource_id) = &filter.resource_id {
            query = query.filter(events::resource_id.eq(resource_id.clone()));
        }
        if let Some(actor) = &filter.actor {
            query = query.filter(events::actor.eq(actor.clone()));
        }
        if !filter.types.is_empty() {
            let types: Vec<&'static str> = filter.types.iter().map(|t| t.as_str()).collect();
            query = query.filter(events::event_type.eq_any(types));
        }
        if let Some(since) = filter.since {
            query = query.filter(events::occurred_at.ge(to_db(since)));
        }
        if let Some(until) = filter.until {
            query = query.filter(events::occurred_at.lt(to_db(until)));
        }
        if let Some(before) = filter.before {
            query = query.filter(events::seq.lt(before));
        }
        query.order(events::seq.desc()).limit($limit).select((
            (
                events::seq,
                events::event_id,
                events::event_type,
                events::resource_type,
                events::resource_id,
                events::actor,
                events::payload,
                events::occurred_at,
            ),
            events::org_id,
            events::actor_org_id,
            events::request_id,
        ))
    }};
}

/// Up to `limit` records of `org`'s audit trail, newest first: the events
/// addressed to it and the events its own users and clients caused.
pub fn audit(
    conn: &mut DbConnection,
    org: OrgId,
    filter: &AuditFilter,
    limit: i64,
) -> Result<Vec<AuditRecord>, StoreError> {
    let rows: Vec<AuditRow> = match conn {
        DbConnection::Postgres(pg) => {
            audit_query!(diesel::pg::Pg, org.to_string(), filter, limit).load(pg)?
        }
        DbConnection::Sqlite(lite) => {
            audit_query!(diesel::sqlite::Sqlite, org.to_string(), filter, limit).load(lite)?
        }
    };
    rows.into_iter()
        .map(|(event, audience, actor_org_id, request_id)| {
            let (
                seq,
                event_id,
                event_type,
                resource_type,
                resource_id,
                actor,
                payload,
                occurred_at,
            ) = event;
            Ok(AuditRecord {
                event: StoredEvent {
                    cursor: EventCursor::at(seq),
                    kind: EventType::parse(&event_type)
                        .ok_or_else(|| StoreError::Corrupt(format!("event type {event_type}")))?,
                    event_id,
                    resource_type,
                    resource_id,
                    actor,
                    payload,
                    occurred_at: from_db(occurred_at),
                },
                audience,
                actor_org_id,
                request_id,
            })
        })
        .collect()
}
