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
use crate::schema::events;
use crate::time::{from_db, to_db};
use crate::webhooks::{self, Outgoing};

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
        DbConnection::Postgres(pg) => diesel::sql_query(
            "SELECT seq, event_id, event_type, resource_type, resource_id, actor, payload, \
                    occurred_at \
             FROM events \
             WHERE org_id = $1 AND seq > $2 AND event_type = ANY($3) \
             ORDER BY seq LIMIT $4",
        )
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
