//! Evidence files' metadata. The bytes live in the object store; a row
//! exists only for bytes that were stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tierlink_domain::evidence::EvidenceFile;
use tierlink_domain::ids::{EvidenceId, RequestId};
use tierlink_domain::time::now;

use crate::columns::{parse_id, parse_org};
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::evidence_files;
use crate::time::{from_db, to_db};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = evidence_files)]
struct Row {
    id: String,
    org_id: String,
    request_id: String,
    file_name: String,
    media_type: String,
    size_bytes: i64,
    sha256: String,
    storage_key: String,
    uploaded_by: String,
    created_at: NaiveDateTime,
}

impl Row {
    fn into_file(self) -> Result<EvidenceFile, StoreError> {
        Ok(EvidenceFile {
            org_id: parse_org(&self.org_id)?,
            id: parse_id(&self.id, "evidence")?,
            request_id: parse_id(&self.request_id, "request")?,
            file_name: self.file_name,
            media_type: self.media_type,
            size_bytes: self.size_bytes,
            sha256: self.sha256,
            storage_key: self.storage_key,
            uploaded_by: self.uploaded_by,
            created_at: from_db(self.created_at),
        })
    }
}

/// Records a stored file.
pub fn insert(conn: &mut DbConnection, file: &EvidenceFile) -> Result<EvidenceFile, StoreError> {
    let row = Row {
        id: file.id.to_string(),
        org_id: file.org_id.to_string(),
        request_id: file.request_id.to_string(),
        file_name: file.file_name.clone(),
        media_type: file.media_type.clone(),
        size_bytes: file.size_bytes,
        sha256: file.sha256.clone(),
        storage_key: file.storage_key.clone(),
        uploaded_by: file.uploaded_by.clone(),
        created_at: to_db(now()),
    };
    diesel::insert_into(evidence_files::table)
        .values(&row)
        .execute(conn)?;
    row.into_file()
}

/// An evidence file by id, whoever uploaded it (the caller decides who may see it).
pub fn find(conn: &mut DbConnection, id: EvidenceId) -> Result<EvidenceFile, StoreError> {
    evidence_files::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .into_file()
}

/// The evidence files of a request, oldest first.
pub fn list_for_request(
    conn: &mut DbConnection,
    request: RequestId,
) -> Result<Vec<EvidenceFile>, StoreError> {
    let rows: Vec<Row> = evidence_files::table
        .filter(evidence_files::request_id.eq(request.to_string()))
        .order(evidence_files::id.asc())
        .select(Row::as_select())
        .load(conn)?;
    rows.into_iter().map(Row::into_file).collect()
}

/// The position and id of each of `ids` that names no evidence uploaded
/// for `request`.
pub fn unknown_among(
    conn: &mut DbConnection,
    request: RequestId,
    ids: &[EvidenceId],
) -> Result<Vec<(usize, EvidenceId)>, StoreError> {
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let known: Vec<String> = evidence_files::table
        .filter(evidence_files::id.eq_any(&texts))
        .filter(evidence_files::request_id.eq(request.to_string()))
        .select(evidence_files::id)
        .load(conn)?;
    Ok(ids
        .iter()
        .zip(&texts)
        .enumerate()
        .filter(|(_, (_, text))| !known.contains(text))
        .map(|(index, (id, _))| (index, *id))
        .collect())
}

/// Links evidence files to another request of the same supplier (for a
/// reused entry): new metadata rows pointing at the same stored bytes.
/// Returns the new ids, in order.
pub fn link_copies(
    conn: &mut DbConnection,
    ids: &[EvidenceId],
    request: RequestId,
) -> Result<Vec<EvidenceId>, StoreError> {
    let mut copies = Vec::with_capacity(ids.len());
    for id in ids {
        let row: Row = evidence_files::table
            .find(id.to_string())
            .select(Row::as_select())
            .first(conn)?;
        let copy_id = EvidenceId::generate();
        let copy = Row {
            id: copy_id.to_string(),
            request_id: request.to_string(),
            created_at: to_db(now()),
            ..row
        };
        diesel::insert_into(evidence_files::table)
            .values(&copy)
            .execute(conn)?;
        copies.push(copy_id);
    }
    Ok(copies)
}
