//! Idempotency keys: the first answer to a create request, kept per
//! organisation and key, so a retrying client gets it again instead of a
//! duplicate. The record is written in the same transaction as the
//! resource it describes.

use chrono::NaiveDateTime;
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

pub fn insert(
    conn: &mut DbConnection,
    org: OrgId,
    key: &str,
    response: &StoredResponse,
) -> Result<(), StoreError> {
    let created_at: NaiveDateTime = to_db(now());
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::org_id.eq(org.to_string()),
            idempotency_keys::idempotency_key.eq(key),
            idempotency_keys::fingerprint.eq(&response.fingerprint),
            idempotency_keys::status.eq(response.status),
            idempotency_keys::location.eq(&response.location),
            idempotency_keys::etag.eq(&response.etag),
            idempotency_keys::body.eq(&response.body),
            idempotency_keys::created_at.eq(created_at),
        ))
        .execute(conn)?;
    Ok(())
}
