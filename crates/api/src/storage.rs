//! The evidence store: where uploaded files' bytes live, through the
//! `object_store` crate (a local directory by default, any S3-compatible
//! store by configuration), and recognising files by their content.

use std::sync::Arc;

use actix_web::web::Bytes;
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;

/// Where evidence bytes are kept.
#[derive(Clone)]
pub struct EvidenceStore {
    store: Arc<dyn ObjectStore>,
    description: String,
}

impl std::fmt::Debug for EvidenceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidenceStore")
            .field("at", &self.description)
            .finish()
    }
}

impl EvidenceStore {
    /// `file://DIR` (created if missing; relative to the working directory)
    /// or `s3://BUCKET[/PREFIX]` (credentials and region from the usual
    /// `AWS_*` variables; `AWS_ENDPOINT` for S3-compatible stores).
    pub fn open(url: &str) -> Result<Self, String> {
        if let Some(dir) = url.strip_prefix("file://") {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create the evidence directory {dir}: {e}"))?;
            // Found now rather than on the first upload (a 500 then).
            tempfile::tempfile_in(dir)
                .map_err(|e| format!("cannot write in the evidence directory {dir}: {e}"))?;
            let store = LocalFileSystem::new_with_prefix(dir)
                .map_err(|e| format!("evidence directory {dir}: {e}"))?;
            return Ok(Self {
                store: Arc::new(store),
                description: url.to_owned(),
            });
        }
        if url.starts_with("s3://") {
            let store = AmazonS3Builder::from_env()
                .with_url(url)
                .build()
                .map_err(|e| format!("evidence store {url}: {e}"))?;
            return Ok(Self {
                store: Arc::new(store),
                description: url.to_owned(),
            });
        }
        Err(format!(
            "TIERLINK_EVIDENCE_STORE: unsupported `{url}`; use file://DIR or s3://BUCKET/PREFIX"
        ))
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), String> {
        self.store
            .put(&Path::from(key), bytes.into())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, String> {
        let result = self
            .store
            .get(&Path::from(key))
            .await
            .map_err(|e| e.to_string())?;
        result.bytes().await.map_err(|e| e.to_string())
    }

    pub async fn delete(&self, key: &str) -> Result<(), String> {
        self.store
            .delete(&Path::from(key))
            .await
            .map_err(|e| e.to_string())
    }
}

/// The accepted kinds of evidence: media type and the file extensions that go with it.
const ACCEPTED: [(&str, &[&str]); 6] = [
    ("application/pdf", &["pdf"]),
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    ("text/csv", &["csv"]),
];

/// What a file is, judged by its bytes only.
pub fn detect(bytes: &[u8]) -> Option<&'static str> {
    if let Some(kind) = infer::get(bytes) {
        return ACCEPTED
            .iter()
            .map(|(media, _)| *media)
            .find(|media| *media == kind.mime_type());
    }
    looks_like_csv(bytes).then_some("text/csv")
}

/// Whether a file name's extension claims a type other than `media_type`.
pub fn name_contradicts(file_name: &str, media_type: &str) -> bool {
    let Some((_, extension)) = file_name.rsplit_once('.') else {
        return false;
    };
    let extension = extension.to_ascii_lowercase();
    let claimed = ACCEPTED
        .iter()
        .find(|(_, extensions)| extensions.contains(&extension.as_str()));
    claimed.is_some_and(|(media, _)| *media != media_type)
}

/// UTF-8 text without control characters whose first line has a delimiter.
fn looks_like_csv(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let clean = !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    let first = text.lines().next().unwrap_or_default();
    clean && !first.is_empty() && first.contains([',', ';', '\t'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_content() {
        assert_eq!(
            detect(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
            Some("application/pdf")
        );
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(detect(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some("image/jpeg"));
        assert_eq!(detect(b"metric,value\nghg.scope1,1\n"), Some("text/csv"));
        assert_eq!(detect(b"This is not a PDF"), None);
        assert_eq!(
            detect(b"GIF89a\x01\0"),
            None,
            "a GIF is not accepted evidence"
        );
        assert_eq!(detect(b"MZ\x90\0\x03"), None);
    }

    #[test]
    fn a_name_that_claims_another_type_is_caught() {
        assert!(name_contradicts("report.pdf", "text/csv"));
        assert!(!name_contradicts("report.PDF", "application/pdf"));
        assert!(!name_contradicts("scan", "image/png"));
        assert!(!name_contradicts("notes.txt", "text/csv"));
    }

    #[test]
    fn a_directory_that_cannot_be_written_is_refused_at_start() {
        // Read-only even for root, so the check holds when tests run as root.
        let error = EvidenceStore::open("file:///proc/1")
            .err()
            .unwrap_or_default();
        assert!(
            error.contains("cannot write in the evidence directory /proc/1"),
            "{error}"
        );
    }
}
