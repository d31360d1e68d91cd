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

/// Characters that change how text around them is shown without being
/// seen: bidirectional overrides and isolates (`report\u{202E}fdp.exe`
/// shows as `reportexe.pdf`), zero-width characters, the byte order mark.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// An uploaded file's name as kept and listed: the last path segment,
/// without control or invisible formatting characters, at most 255
/// characters; `evidence` when nothing is left.
pub fn clean_file_name(given: &str) -> String {
    let name: String = given
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(given)
        .chars()
        .filter(|c| !c.is_control() && !is_invisible_format(*c))
        .take(255)
        .collect();
    let name = name.trim();
    if name.is_empty() {
        "evidence".to_owned()
    } else {
        name.to_owned()
    }
}

/// The name a download is saved under: the uploaded name's stem with the
/// extension of the type the content was recognised as (never the
/// extension the uploader chose: `.hta`, `.exe`), keeping letters (any
/// script), digits, spaces and `-_.()`; anything else becomes `_`. The
/// second value is the same name in ASCII (for `filename=`; the first
/// goes in `filename*`).
pub fn download_name(file_name: &str, media_type: &str) -> (String, String) {
    let extension = ACCEPTED
        .iter()
        .find(|(media, _)| *media == media_type)
        .and_then(|(_, extensions)| extensions.first())
        .copied()
        .unwrap_or("bin");
    let stem = match file_name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => file_name,
    };
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let safe = safe.trim_matches(|c: char| matches!(c, '.' | ' ' | '_'));
    let stem = if safe.is_empty() { "evidence" } else { safe };
    let ascii: String = stem
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    (
        format!("{stem}.{extension}"),
        format!("{ascii}.{extension}"),
    )
}

/// `Content-Disposition: attachment` with the [`download_name`] of a file,
/// in ASCII and, for other scripts, in UTF-8 (RFC 6266, RFC 8187).
pub fn attachment_disposition(file_name: &str, media_type: &str) -> String {
    let (name, ascii) = download_name(file_name, media_type);
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
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
    fn downloads_are_named_by_their_content_in_safe_characters() {
        let pdf = "application/pdf";
        assert_eq!(download_name("report.hta", "text/csv").0, "report.csv");
        assert_eq!(download_name("invoice.pdf.exe", pdf).0, "invoice.pdf.pdf");
        assert_eq!(download_name("scan", "image/png").0, "scan.png");
        assert_eq!(download_name(".htaccess", pdf).0, "htaccess.pdf");
        assert_eq!(download_name("a\"b;c\\d.pdf", pdf).0, "a_b_c_d.pdf");
        assert_eq!(download_name("...", pdf).0, "evidence.pdf");
        assert_eq!(
            download_name("배출량 보고서.pdf", pdf),
            ("배출량 보고서.pdf".to_owned(), "___ ___.pdf".to_owned())
        );
        assert_eq!(
            attachment_disposition("배출 보고서.pdf", pdf),
            "attachment; filename=\"__ ___.pdf\"; \
             filename*=UTF-8''%EB%B0%B0%EC%B6%9C%20%EB%B3%B4%EA%B3%A0%EC%84%9C.pdf"
        );
    }

    #[test]
    fn names_lose_paths_controls_and_direction_overrides() {
        assert_eq!(clean_file_name("C:\\temp\\report.pdf"), "report.pdf");
        assert_eq!(clean_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_file_name("a\u{200B}b\u{2066}c\u{0}.pdf"), "abc.pdf");
        assert_eq!(clean_file_name("\u{202E}"), "evidence");
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
