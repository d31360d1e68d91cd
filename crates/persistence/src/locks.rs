//! The locks use cases take before they check and then write, so that a
//! rule judged on what was read still holds at commit on PostgreSQL.
//!
//! SQLite needs none of them: `Database::write` runs one writer at a time
//! in this process, and a writer of another process waits for SQLite's
//! database-wide write lock. On PostgreSQL each is a row lock or an
//! advisory lock held until the transaction ends. Locks are always taken
//! in this order — network, requirement, requests in id order, the
//! outbox's numbering last — so two writers cannot deadlock on them.

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};
use tierlink_domain::ids::{RequestId, RequirementId};

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::prepared::prepared;
use crate::statement;

statement!(AdvisoryLock, "SELECT pg_advisory_xact_lock($1)");
statement!(
    LockRequestRow,
    "SELECT id FROM requests WHERE id = $1 FOR UPDATE"
);
statement!(
    LockRequirementRow,
    "SELECT id FROM requirements WHERE id = $1 FOR UPDATE"
);
statement!(
    LockRequestsOfRequirement,
    "SELECT id FROM requests WHERE requirement_id = $1 ORDER BY id FOR UPDATE"
);

/// The advisory lock key of the supply-chain graph (`supplier_links`):
/// 'TLNK' as a number, so it cannot meet another application's keys by
/// chance.
const NETWORK_LOCK: i64 = 0x544C_4E4B;

/// The advisory lock key of the outbox's numbering ('TLEV').
const EVENT_APPEND_LOCK: i64 = 0x544C_4556;

/// Held from a transaction's event insert to its commit, so events are
/// numbered in commit order (see `events`). Take it last: it is held for
/// the shortest time then, and after any other lock (no deadlock).
pub fn lock_event_append(conn: &mut DbConnection) -> Result<(), StoreError> {
    if let DbConnection::Postgres(pg) = conn {
        prepared::<AdvisoryLock>()
            .bind::<BigInt, _>(EVENT_APPEND_LOCK)
            .execute(pg)?;
    }
    Ok(())
}

/// Serialises every change to the supply-chain graph (a new link, an
/// ended one): a link is refused when it would close a loop, judged on
/// the whole graph, so two new links must not be judged side by side.
pub fn lock_network(conn: &mut DbConnection) -> Result<(), StoreError> {
    if let DbConnection::Postgres(pg) = conn {
        prepared::<AdvisoryLock>()
            .bind::<BigInt, _>(NETWORK_LOCK)
            .execute(pg)?;
    }
    Ok(())
}

/// Serialises writers of one request (its status, draft, revisions).
pub fn lock_request(conn: &mut DbConnection, request: RequestId) -> Result<(), StoreError> {
    if let DbConnection::Postgres(pg) = conn {
        prepared::<LockRequestRow>()
            .bind::<Text, _>(request.to_string())
            .execute(pg)?;
    }
    Ok(())
}

/// Serialises lifecycle changes of one requirement.
pub fn lock_requirement(
    conn: &mut DbConnection,
    requirement: RequirementId,
) -> Result<(), StoreError> {
    if let DbConnection::Postgres(pg) = conn {
        prepared::<LockRequirementRow>()
            .bind::<Text, _>(requirement.to_string())
            .execute(pg)?;
    }
    Ok(())
}

/// Row locks on all of a requirement's requests, in id order: the order
/// every multi-request writer (bulk answers, close, cancel, amendments)
/// takes them in.
pub fn lock_requests_of_requirement(
    conn: &mut DbConnection,
    requirement: RequirementId,
) -> Result<(), StoreError> {
    if let DbConnection::Postgres(pg) = conn {
        prepared::<LockRequestsOfRequirement>()
            .bind::<Text, _>(requirement.to_string())
            .execute(pg)?;
    }
    Ok(())
}

/// Row locks on the given requests, in id order whatever the order of `ids`.
pub fn lock_requests(conn: &mut DbConnection, ids: &[RequestId]) -> Result<(), StoreError> {
    use diesel::prelude::*;

    use crate::schema::requests;
    if let DbConnection::Postgres(pg) = conn {
        let mut sorted: Vec<String> = ids.iter().map(ToString::to_string).collect();
        sorted.sort_unstable();
        for chunk in sorted.chunks(crate::batch::ROWS_PER_INSERT) {
            requests::table
                .filter(requests::id.eq_any(chunk))
                .order(requests::id)
                .select(requests::id)
                .for_update()
                .load::<String>(pg)?;
        }
    }
    Ok(())
}
