//! Evidence files' metadata. The bytes live in the object store; a row
//! exists only for bytes that were stored.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use tierlink_domain::FieldError;
use tierlink_domain::ids::OrgId;
use tierlink_domain::time::now;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::network::parse_org;
use crate::requests;
use crate::schema::evidence_files;
use crate::time::{from_db, to_db};

/// An evidence file's metadata.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    pub id: String,
    pub org_id: OrgId,
    pub request_id: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

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
            id: self.id,
            request_id: self.request_id,
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

/// Checks that `uploader` answers `request_id` (and so may attach evidence to it).
pub fn check_uploader(
    conn: &mut DbConnection,
    uploader: OrgId,
    request_id: &str,
) -> Result<(), StoreError> {
    let request = requests::find_for(conn, uploader, request_id)?;
    if request.supplier_org_id != uploader {
        return Err(StoreError::NotFound);
    }
    if matches!(
        request.status,
        tierlink_domain::requirements::RequestStatus::Declined
            | tierlink_domain::requirements::RequestStatus::Cancelled
            | tierlink_domain::requirements::RequestStatus::Closed
    ) {
        return Err(crate::network::rejected(
            "request_not_answerable",
            None,
            &format!(
                "a {} request takes no more evidence",
                request.status.as_str()
            ),
        ));
    }
    Ok(())
}

/// Records a stored file.
pub fn insert(conn: &mut DbConnection, file: &EvidenceFile) -> Result<EvidenceFile, StoreError> {
    check_uploader(conn, file.org_id, &file.request_id)?;
    let row = Row {
        id: file.id.clone(),
        org_id: file.org_id.to_string(),
        request_id: file.request_id.clone(),
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

/// A file `viewer` may download: its own upload, or evidence for a request
/// `viewer` sent (the customer the answer is given to).
pub fn find_for(
    conn: &mut DbConnection,
    viewer: OrgId,
    id: &str,
) -> Result<EvidenceFile, StoreError> {
    let file = evidence_files::table
        .find(id)
        .select(Row::as_select())
        .first(conn)?
        .into_file()?;
    if file.org_id == viewer {
        return Ok(file);
    }
    if let Ok(request) = requests::find_for(conn, viewer, &file.request_id)
        && request.requester_org_id == viewer
    {
        return Ok(file);
    }
    // Further up the chain: only where the tier-2 consented to share.
    if crate::answers::shared_upstream_with(conn, viewer, &file.request_id)? {
        return Ok(file);
    }
    Err(StoreError::NotFound)
}

/// The evidence files of a request, for its supplier.
pub fn list_for_request(
    conn: &mut DbConnection,
    viewer: OrgId,
    request_id: &str,
) -> Result<Vec<EvidenceFile>, StoreError> {
    requests::find_for(conn, viewer, request_id)?;
    let rows: Vec<Row> = evidence_files::table
        .filter(evidence_files::request_id.eq(request_id))
        .order(evidence_files::id.asc())
        .select(Row::as_select())
        .load(conn)?;
    rows.into_iter().map(Row::into_file).collect()
}

/// Checks that every id names evidence uploaded for `request_id`.
pub fn check_references(
    conn: &mut DbConnection,
    request_id: &str,
    ids: &[String],
) -> Result<(), StoreError> {
    for (index, id) in ids.iter().enumerate() {
        let found: i64 = evidence_files::table
            .filter(evidence_files::id.eq(id))
            .filter(evidence_files::request_id.eq(request_id))
            .count()
            .get_result(conn)?;
        if found == 0 {
            return Err(StoreError::Invalid(FieldError::new(
                format!("evidence[{index}]"),
                "unknown_evidence",
                format!("`{id}` is not evidence uploaded for this request"),
            )));
        }
    }
    Ok(())
}

/// Links evidence files to another request of the same supplier (for a
/// reused entry): new metadata rows pointing at the same stored bytes.
/// Returns the new ids, in order.
pub fn link_copies(
    conn: &mut DbConnection,
    ids: &[String],
    request_id: &str,
) -> Result<Vec<String>, StoreError> {
    let mut copies = Vec::with_capacity(ids.len());
    for id in ids {
        let row: Row = evidence_files::table
            .find(id)
            .select(Row::as_select())
            .first(conn)?;
        let copy = Row {
            id: uuid::Uuid::now_v7().to_string(),
            request_id: request_id.to_owned(),
            created_at: to_db(now()),
            ..row
        };
        diesel::insert_into(evidence_files::table)
            .values(&copy)
            .execute(conn)?;
        copies.push(copy.id);
    }
    Ok(copies)
}
