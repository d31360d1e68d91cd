//! Reminders sent (`reminders_sent`), and the requests still owed one.
//!
//! Exactly once across replicas: a scheduler claims candidate requests
//! with `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite has one writer at a
//! time), so two schedulers work on different requests, and the primary
//! key of `reminders_sent` lets only one of them record a reminder: a
//! reminder is sent by whoever's [`mark_sent`] wrote the row, in the same
//! transaction as its event.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamp};
use tierlink_domain::ids::RequestId;
use tierlink_domain::reminders::DueWindow;
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::time::to_db;

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Up to `limit` requests awaiting an answer, due within `window`, that
/// have not had the reminder `key` for their current due date; on
/// PostgreSQL their rows stay locked for this transaction, and rows other
/// transactions hold are skipped (they are owed again next round).
pub fn claim_owed(
    conn: &mut DbConnection,
    key: &str,
    window: DueWindow,
    limit: i64,
) -> Result<Vec<RequestId>, StoreError> {
    // The status list is literal so the planner can use the partial index
    // `requests_awaiting_by_due`.
    const OWED: &str = "SELECT r.id FROM requests r \
         WHERE r.status IN ('open', 'in_progress', 'changes_requested') \
           AND r.due_date <= $1 AND ($2 IS NULL OR r.due_date >= $2) \
           AND NOT EXISTS (SELECT 1 FROM reminders_sent s \
                WHERE s.request_id = r.id AND s.kind = $3 AND s.due_date = r.due_date) \
         ORDER BY r.due_date, r.id LIMIT $4";
    let rows: Vec<IdRow> = match conn {
        DbConnection::Postgres(pg) => {
            diesel::sql_query(format!("{OWED} FOR UPDATE OF r SKIP LOCKED"))
                .bind::<Date, _>(window.to)
                .bind::<Nullable<Date>, _>(window.from)
                .bind::<Text, _>(key)
                .bind::<BigInt, _>(limit)
                .load(pg)?
        }
        DbConnection::Sqlite(lite) => diesel::sql_query(OWED.replace('$', "?"))
            .bind::<Date, _>(window.to)
            .bind::<Nullable<Date>, _>(window.from)
            .bind::<Text, _>(key)
            .bind::<BigInt, _>(limit)
            .load(lite)?,
    };
    rows.into_iter()
        .map(|row| {
            row.id
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("request id {}", row.id)))
        })
        .collect()
}

/// Records that `request` had the reminder `key` for `due_date`; false
/// when it already had (another scheduler was first: send nothing).
pub fn mark_sent(
    conn: &mut DbConnection,
    request: RequestId,
    key: &str,
    due_date: NaiveDate,
) -> Result<bool, StoreError> {
    let sql = "INSERT INTO reminders_sent (request_id, kind, due_date, sent_at) \
               VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
    let query = |sql: String| {
        diesel::sql_query(sql)
            .bind::<Text, _>(request.to_string())
            .bind::<Text, _>(key.to_owned())
            .bind::<Date, _>(due_date)
            .bind::<Timestamp, _>(to_db(now()))
    };
    let written = match conn {
        DbConnection::Postgres(pg) => query(sql.to_owned()).execute(pg)?,
        DbConnection::Sqlite(lite) => query(sql.replace('$', "?")).execute(lite)?,
    };
    Ok(written == 1)
}
