//! Idempotency keys: the first answer to a create request, kept per
//! organisation and key, so a retrying client gets it again instead of a
//! duplicate. The record is written in the same transaction as the
//! resource it describes.

use diesel::prelude::*;
use tierlink_domain::ids::OrgId;
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::idempotency_keys;
use crate::time::to_db;

/// A stored first answer.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct StoredResponse {
    pub fingerprint: String,
    pub status: i32,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: String,
}

pub fn find(
    conn: &mut DbConnection,
    org: OrgId,
    key: &str,
) -> Result<Option<StoredResponse>, StoreError> {
    Ok(idempotency_keys::table
        .filter(idempotency_keys::org_id.eq(org.to_string()))
        .filter(idempotency_keys::idempotency_key.eq(key))
        .select(StoredResponse::as_select())
        .first(conn)
        .optional()?)
}

/// Claims `key` for a create that is about to run, in its transaction:
/// the row is written first, with no answer yet, so a concurrent request
/// with the same key waits on it (PostgreSQL's unique index) until this
/// transaction ends, and then fails with [`StoreError::Duplicate`] — its
/// caller reads the stored answer after its rollback and replays it. The
/// row is only ever seen complete: it commits with [`complete`].
pub fn claim(
    conn: &mut DbConnection,
    org: OrgId,
    key: &str,
    fingerprint: &str,
) -> Result<(), StoreError> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::org_id.eq(org.to_string()),
            idempotency_keys::idempotency_key.eq(key),
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::status.eq(0),
            idempotency_keys::body.eq(""),
            idempotency_keys::created_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores the answer of the create that claimed `key`.
pub fn complete(
    conn: &mut DbConnection,
    org: OrgId,
    key: &str,
    response: &StoredResponse,
) -> Result<(), StoreError> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::org_id.eq(org.to_string()))
            .filter(idempotency_keys::idempotency_key.eq(key)),
    )
    .set((
        idempotency_keys::status.eq(response.status),
        idempotency_keys::location.eq(&response.location),
        idempotency_keys::etag.eq(&response.etag),
        idempotency_keys::body.eq(&response.body),
    ))
    .execute(conn)?;
    Ok(())
}
