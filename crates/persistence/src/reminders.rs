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
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use tierlink_domain::ids::RequestId;
use tierlink_domain::reminders::DueWindow;
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::prepared::prepared;
use crate::schema::reminders_sent;
use crate::statement;
use crate::time::to_db;

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

/// The requests owed a reminder; the status list is literal so the planner
/// can use the partial index `requests_awaiting_by_due`.
macro_rules! owed {
    () => {
        "SELECT r.id FROM requests r \
         WHERE r.status IN ('open', 'in_progress', 'changes_requested') \
           AND r.due_date <= $1 AND ($2 IS NULL OR r.due_date >= $2) \
           AND NOT EXISTS (SELECT 1 FROM reminders_sent s \
                WHERE s.request_id = r.id AND s.kind = $3 AND s.due_date = r.due_date) \
         ORDER BY r.due_date, r.id LIMIT $4"
    };
}
statement!(
    OwedPostgres,
    concat!(owed!(), " FOR UPDATE OF r SKIP LOCKED")
);
statement!(OwedSqlite, owed!());

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
    let rows: Vec<IdRow> = match conn {
        DbConnection::Postgres(pg) => prepared::<OwedPostgres>()
            .bind::<Date, _>(window.to)
            .bind::<Nullable<Date>, _>(window.from)
            .bind::<Text, _>(key)
            .bind::<BigInt, _>(limit)
            .load(pg)?,
        DbConnection::Sqlite(lite) => prepared::<OwedSqlite>()
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
    let row = (
        reminders_sent::request_id.eq(request.to_string()),
        reminders_sent::kind.eq(key),
        reminders_sent::due_date.eq(due_date),
        reminders_sent::sent_at.eq(to_db(now())),
    );
    let insert = diesel::insert_into(reminders_sent::table)
        .values(row)
        .on_conflict_do_nothing();
    let written = match conn {
        DbConnection::Postgres(pg) => insert.execute(pg)?,
        DbConnection::Sqlite(lite) => insert.execute(lite)?,
    };
    Ok(written == 1)
}
