//! Evidence files: uploaded for a request by its supplier (multipart),
//! recognised by content, hashed, stored in the object store, downloadable
//! by the supplier and the request's requester only.

use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, post, web};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use tierlink_domain::FieldError;
use tierlink_domain::evidence::EvidenceFile;
use tierlink_domain::ids::{EvidenceId, RequestId};
use tierlink_persistence::Database;
use tierlink_usecases::{actor, evidence as usecase};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::caller::{Authorized, need};
use crate::db;
use crate::idempotency::{BodyDigest, Created, IdempotencyKey, REPLAYED, create_once, digest};
use crate::path::Id;
use crate::problem::{ApiError, Problem};
use crate::storage::{
    EvidenceStore, attachment_disposition, clean_file_name, detect, name_contradicts,
};
use crate::wire::evidence::{EvidenceBody, EvidenceUpload};
use crate::wire::files::FileBytes;

/// The largest evidence file accepted, in bytes (from `TIERLINK_MAX_UPLOAD_BYTES`).
#[derive(Debug, Clone, Copy)]
pub struct UploadLimit(pub usize);

/// The routes under `/requests`: a request's evidence.
pub fn configure_request_routes(config: &mut ServiceConfig) {
    config.service(upload_evidence).service(list_evidence);
}

/// `/evidence/{id}`.
pub fn configure(config: &mut ServiceConfig) {
    config.service(download_evidence);
}

/// Upload an evidence file
///
/// `multipart/form-data` with one `file` part: a PDF, PNG, JPEG, XLSX, DOCX
/// or CSV, recognised by its content (a name or declared type that says
/// otherwise is refused). Reference its `id` in an entry's `evidence`.
/// Nothing is kept from an upload that fails.
#[utoipa::path(
    tag = "answers",
    operation_id = "uploadEvidence",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer"), ("id" = uuid::Uuid, Path, description = "The request the evidence supports")),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 201, description = "Stored", body = EvidenceBody),
        (status = 400, description = "Not a multipart form with a `file` part", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you to answer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request is declined, closed or cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the limit (25 MiB by default)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart/form-data, or not one of the accepted kinds of file", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The name or declared type contradicts the content", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/evidence")]
#[tracing::instrument(skip_all)]
pub async fn upload_evidence(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    storage: web::Data<EvidenceStore>,
    req: HttpRequest,
    Id(id): Id<RequestId>,
    mut form: Multipart,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)"));
    if !content_type.is_some_and(|c| {
        c.get(..19)
            .is_some_and(|essence| essence.eq_ignore_ascii_case("multipart/form-data"))
    }) {
        return Err(ApiError::wrong_content_type(
            "`multipart/form-data` with a `file` part",
            content_type,
        ));
    }
    let org = caller.org_id;
    db::read(&db, move |conn| usecase::check_uploader(conn, org, id)).await?;

    let limit = req
        .app_data::<web::Data<UploadLimit>>()
        .map_or(25 * 1024 * 1024, |limit| limit.0);
    let (file_name, declared, bytes) = read_file_part(&mut form, limit).await?;
    let media_type = detect(&bytes).ok_or_else(|| ApiError::UnsupportedMediaType {
        expected: "a PDF, PNG, JPEG, XLSX, DOCX or CSV file (judged by its content)",
        found: "a file of another kind".to_owned(),
    })?;
    let declared_other = declared.as_deref().is_some_and(|d| {
        !d.eq_ignore_ascii_case(media_type)
            && d != "application/octet-stream"
            && !(media_type == "text/csv" && d.starts_with("text/"))
    });
    if name_contradicts(&file_name, media_type) || declared_other {
        return Err(ApiError::Validation(
            FieldError::new(
                "file",
                "content_mismatch",
                format!("the file's content is {media_type}, not what its name or type says"),
            )
            .into(),
        ));
    }
    let file_id = EvidenceId::generate();
    let storage_key = format!("evidence/{org}/{file_id}");
    let file = EvidenceFile {
        id: file_id,
        org_id: org,
        request_id: id,
        file_name,
        media_type: media_type.to_owned(),
        size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: hex::encode(Sha256::digest(&bytes)),
        storage_key: storage_key.clone(),
        uploaded_by: actor(&caller),
        created_at: chrono::Utc::now(),
    };
    // A retry with the same Idempotency-Key must send the same file.
    req.extensions_mut().insert(BodyDigest(digest(
        format!("{}\n{}\n{}", file.file_name, file.media_type, file.sha256).as_bytes(),
    )));
    storage
        .put(&storage_key, bytes)
        .await
        .map_err(ApiError::from_storage)?;
    let recorded = create_once(&db, org, key, StatusCode::CREATED, move |tx| {
        let file = usecase::record(tx, &file)?;
        Ok(Created {
            status: None,
            location: Some(format!("/v1/evidence/{}", file.id)),
            etag: None,
            body: EvidenceBody::from(file),
        })
    })
    .await;
    // No metadata of these bytes (a failure, or a replay of the first
    // upload's answer): remove them, so nothing is orphaned.
    let replayed = recorded
        .as_ref()
        .is_ok_and(|response| response.headers().contains_key(REPLAYED));
    if (recorded.is_err() || replayed)
        && let Err(cleanup) = storage.delete(&storage_key).await
    {
        tracing::error!(%cleanup, key = %storage_key, "could not remove the bytes of an upload not recorded");
    }
    recorded
}

/// Reads the `file` part fully, refusing it as soon as it passes `limit`.
async fn read_file_part(
    form: &mut Multipart,
    limit: usize,
) -> Result<(String, Option<String>, Bytes), ApiError> {
    let malformed = |reason: String| {
        ApiError::InvalidParameter(FieldError::new("file", "malformed_multipart", reason).into())
    };
    while let Some(mut field) = form
        .try_next()
        .await
        .map_err(|e| malformed(e.to_string()))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let file_name = clean_file_name(
            field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .unwrap_or_default(),
        );
        let declared = field.content_type().map(|m| m.essence_str().to_owned());
        let mut bytes = BytesMut::new();
        while let Some(chunk) = field
            .try_next()
            .await
            .map_err(|e| malformed(e.to_string()))?
        {
            if bytes.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err(ApiError::Validation(
                FieldError::new("file", "empty", "the file is empty").into(),
            ));
        }
        return Ok((file_name, declared, bytes.freeze()));
    }
    Err(malformed(
        "send multipart/form-data with a `file` part".to_owned(),
    ))
}

/// List a request's evidence files
///
/// The files uploaded for a request, oldest first: for its supplier and its
/// requester. Download one with `GET /v1/evidence/{id}`.
#[utoipa::path(
    tag = "answers",
    operation_id = "listEvidence",
    params(("id" = uuid::Uuid, Path, description = "The request's id")),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "Evidence files", body = [EvidenceBody]),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/evidence")]
pub async fn list_evidence(
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
) -> Result<web::Json<Vec<EvidenceBody>>, ApiError> {
    let files = db::read(&db, move |conn| {
        usecase::list_for_request(conn, caller.org_id, id)
    })
    .await?;
    Ok(web::Json(
        files.into_iter().map(EvidenceBody::from).collect(),
    ))
}

/// Download an evidence file
///
/// For the organisation that uploaded it and the requester of its request.
/// Always as an attachment, named after the recognised type (`report.pdf`,
/// whatever extension it was uploaded with).
#[utoipa::path(
    tag = "answers",
    operation_id = "downloadEvidence",
    params(("id" = uuid::Uuid, Path, description = "The evidence file's id")),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "The file, with its recognised type",
            content(
                (inline(FileBytes) = "application/pdf"),
                (inline(FileBytes) = "image/png"),
                (inline(FileBytes) = "image/jpeg"),
                (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (inline(FileBytes) = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                (inline(FileBytes) = "text/csv")
            ),
            headers(
                ("Content-Disposition" = String, description = "`attachment; filename=\"…\"`: the name it was uploaded with"),
                ("ETag" = String, description = "The SHA-256 of the content, quoted"),
                ("X-Content-SHA256" = String, description = "The SHA-256 of the content, hex")
            )),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such file for you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/evidence/{id}")]
pub async fn download_evidence(
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    storage: web::Data<EvidenceStore>,
    Id(id): Id<EvidenceId>,
) -> Result<HttpResponse, ApiError> {
    let file = db::read(&db, move |conn| usecase::find_for(conn, caller.org_id, id)).await?;
    let bytes = storage
        .get(&file.storage_key)
        .await
        .map_err(ApiError::internal)?;
    // Saved under a name made from the recognised type, never opened in
    // place, never sniffed, and sandboxed should a browser render it.
    Ok(HttpResponse::Ok()
        .content_type(file.media_type.clone())
        .insert_header((
            header::CONTENT_DISPOSITION,
            attachment_disposition(&file.file_name, &file.media_type),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox; frame-ancestors 'none'",
        ))
        .insert_header(("X-Content-SHA256", file.sha256.clone()))
        .insert_header((header::ETAG, format!("\"{}\"", file.sha256)))
        .body(bytes))
}
