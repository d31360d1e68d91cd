//! Evidence files: documents a supplier uploads for a request (a verifier
//! statement, an energy bill), and who may read them.

use chrono::{DateTime, Utc};

use crate::error::FieldError;
use crate::ids::{EvidenceId, OrgId, RequestId};

/// An evidence file's metadata; the bytes live in the object store.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    pub id: EvidenceId,
    /// The supplier that uploaded it.
    pub org_id: OrgId,
    pub request_id: RequestId,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

/// An entry's `evidence[i]` that names no evidence uploaded for its request.
pub fn unknown_evidence(index: usize, id: &str) -> FieldError {
    FieldError::new(
        format!("evidence[{index}]"),
        "unknown_evidence",
        format!("`{id}` is not evidence uploaded for this request"),
    )
}
