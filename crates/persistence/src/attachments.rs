//! Tier-2 answers a tier-1 attached to its own answer
//! (`answer_attachments`): the link that lets its customer count them.

use diesel::prelude::*;
use tierlink_domain::ids::RequestId;
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::answer_attachments;
use crate::time::to_db;

fn parse(id: &str) -> Result<RequestId, StoreError> {
    id.parse()
        .map_err(|_| StoreError::Corrupt(format!("request id {id}")))
}

/// Whether `child` is attached to `parent` already.
pub fn exists(
    conn: &mut DbConnection,
    parent: RequestId,
    child: RequestId,
) -> Result<bool, StoreError> {
    let found: i64 = answer_attachments::table
        .filter(answer_attachments::request_id.eq(parent.to_string()))
        .filter(answer_attachments::child_request_id.eq(child.to_string()))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

pub fn insert(
    conn: &mut DbConnection,
    parent: RequestId,
    child: RequestId,
    by: &str,
) -> Result<(), StoreError> {
    diesel::insert_into(answer_attachments::table)
        .values((
            answer_attachments::request_id.eq(parent.to_string()),
            answer_attachments::child_request_id.eq(child.to_string()),
            answer_attachments::attached_by.eq(by),
            answer_attachments::attached_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    Ok(())
}

/// The requests whose answers are attached to `parent`, in id order.
pub fn children_of(
    conn: &mut DbConnection,
    parent: RequestId,
) -> Result<Vec<RequestId>, StoreError> {
    let ids: Vec<String> = answer_attachments::table
        .filter(answer_attachments::request_id.eq(parent.to_string()))
        .order(answer_attachments::child_request_id.asc())
        .select(answer_attachments::child_request_id)
        .load(conn)?;
    ids.iter().map(|id| parse(id)).collect()
}

/// The requests `child`'s answer is attached to.
pub fn parents_of(conn: &mut DbConnection, child: RequestId) -> Result<Vec<RequestId>, StoreError> {
    let ids: Vec<String> = answer_attachments::table
        .filter(answer_attachments::child_request_id.eq(child.to_string()))
        .select(answer_attachments::request_id)
        .load(conn)?;
    ids.iter().map(|id| parse(id)).collect()
}
