//! Evidence files on the wire.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tierlink_domain::evidence::EvidenceFile;
use utoipa::ToSchema;

/// An evidence file's metadata.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e90", "request_id": "019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e80",
    "file_name": "verification-statement-2026.pdf", "media_type": "application/pdf", "size_bytes": 183204,
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "uploaded_at": "2026-11-26T09:30:00Z"}),
    as = EvidenceFile)]
pub struct EvidenceBody {
    /// Use this id in an entry's `evidence`.
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    /// The request the file supports.
    #[schema(value_type = uuid::Uuid)]
    pub request_id: String,
    pub file_name: String,
    /// Recognised from the content, not the name.
    pub media_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the content, hex.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

impl From<EvidenceFile> for EvidenceBody {
    fn from(file: EvidenceFile) -> Self {
        Self {
            id: file.id.to_string(),
            request_id: file.request_id.to_string(),
            file_name: file.file_name,
            media_type: file.media_type,
            size_bytes: file.size_bytes,
            sha256: file.sha256,
            uploaded_at: file.created_at,
        }
    }
}

/// The multipart form of an upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code, reason = "documents the form for OpenAPI; parsed by hand")]
pub struct EvidenceUpload {
    /// The file: PDF, PNG, JPEG, XLSX, DOCX or CSV.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}
