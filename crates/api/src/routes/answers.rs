//! `/v1/requests/{id}/answer`: the supplier's answer to a request (a draft,
//! then immutable revisions), and the requester's review of it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};
use tierlink_domain::answers::{Entry, EntryInput};
use tierlink_domain::ids::{OrgId, RequestId};
use tierlink_domain::products::UrnIssuer;
use tierlink_domain::revisions::Decision;
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::Database;
use tierlink_usecases::actor;
use tierlink_usecases::answers as usecase;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::caller::{Authorized, need};
use crate::db;
use crate::extract::{JsonBody, OptionalJsonBody};
use crate::idempotency::{Created, IdempotencyKey, create_once};
use crate::path::{Id, Revision};
use crate::problem::{ApiError, Problem};
use crate::wire::answers::{
    AnswerBody, AttachAnswer, AttachedBody, EntryInputBody, ReuseAnswer, ReviewInput, RevisionBody,
    SaveAnswer, SubmitAnswer,
};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(get_answer)
        .service(save_answer)
        .service(save_entry)
        .service(submit_answer)
        .service(list_revisions)
        .service(get_revision)
        .service(accept_revision)
        .service(request_changes)
        .service(attach_answer)
        .service(list_attachments)
        .service(reuse_answer);
}

/// Validates entries against the request's items and their metrics,
/// reporting every problem under `entries[i]`.
pub(super) async fn validate(
    db: &Database,
    supplier: OrgId,
    id: RequestId,
    bodies: Vec<EntryInputBody>,
) -> Result<Vec<Entry>, ApiError> {
    db::read(db, move |conn| {
        let to_answer = usecase::request_to_answer(conn, supplier, id)?;
        let inputs: Vec<EntryInput> = bodies.iter().map(EntryInputBody::to_input).collect();
        let mut errors = ValidationErrors::new();
        let entries = usecase::check_entries(&to_answer, &inputs, "", &mut errors)?;
        Ok(errors.finish(|| entries)?)
    })
    .await
}

/// The supplier's answer, read again after a change.
pub(super) async fn answer_body(
    db: &Database,
    supplier: OrgId,
    id: RequestId,
) -> Result<AnswerBody, ApiError> {
    let answer = db::read(db, move |conn| usecase::answer(conn, supplier, id)).await?;
    Ok(AnswerBody::from(answer))
}

/// Get my answer to a request
///
/// The draft (what the next submission will contain) and every submitted
/// revision. For the supplier that answers the request.
#[utoipa::path(
    tag = "answers",
    operation_id = "getAnswer",
    params(("id" = uuid::Uuid, Path, description = "The request's id")),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "The answer", body = AnswerBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the responses:read scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you to answer", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/answer")]
pub async fn get_answer(
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
) -> Result<web::Json<AnswerBody>, ApiError> {
    Ok(web::Json(answer_body(&db, caller.org_id, id).await?))
}

/// Save all entries of my answer (and optionally submit)
///
/// Replaces the draft with these entries, every one validated first: if any
/// is invalid, nothing is saved and each problem is listed. With
/// `submit: true` the draft is submitted in the same transaction.
#[utoipa::path(
    tag = "answers",
    operation_id = "saveAnswer",
    params(("id" = uuid::Uuid, Path, description = "The request's id")),
    request_body = SaveAnswer,
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 200, description = "Saved (and submitted, if asked)", body = AnswerBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you to answer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request can no longer be answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An entry is not valid, or (with submit) a required item is missing", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/{id}/answer")]
#[tracing::instrument(skip_all)]
pub async fn save_answer(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    issuer: web::Data<UrnIssuer>,
    Id(id): Id<RequestId>,
    JsonBody(body): JsonBody<SaveAnswer>,
) -> Result<web::Json<AnswerBody>, ApiError> {
    let entries = validate(&db, caller.org_id, id, body.entries).await?;
    let (org, by) = (caller.org_id, actor(&caller));
    let submit = body.submit.then_some(body.share_upstream);
    db::write(&db, move |tx| {
        let submit = submit.map(|share| (share, issuer.get_ref()));
        usecase::save_draft(tx, org, &by, id, &entries, submit).map(drop)
    })
    .await?;
    Ok(web::Json(answer_body(&db, caller.org_id, id).await?))
}

/// Save one entry of my answer
///
/// Validates the entry and saves it in the draft, replacing the item's
/// previous entry and leaving the others. The body's `metric` must be the
/// path's.
#[utoipa::path(
    tag = "answers",
    operation_id = "saveAnswerEntry",
    params(
        ("id" = uuid::Uuid, Path, description = "The request's id"),
        ("metric" = String, Path, description = "The item's metric code")
    ),
    request_body = EntryInputBody,
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 200, description = "Saved in the draft", body = AnswerBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you to answer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request can no longer be answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The entry is not valid", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/{id}/answer/entries/{metric}")]
pub async fn save_entry(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    metric: web::Path<(String, String)>,
    JsonBody(mut body): JsonBody<EntryInputBody>,
) -> Result<web::Json<AnswerBody>, ApiError> {
    let (_, metric) = metric.into_inner();
    if body.metric != metric {
        return Err(ApiError::Validation(
            FieldError::new(
                "metric",
                "mismatch",
                "the body's metric differs from the path's",
            )
            .into(),
        ));
    }
    body.metric = metric;
    let entries =
        validate(&db, caller.org_id, id, vec![body])
            .await
            .map_err(|error| match error {
                ApiError::Validation(errors) => {
                    ApiError::Validation(strip_prefix(errors, "entries[0]."))
                }
                other => other,
            })?;
    Ok(web::Json(save_entries(&db, &caller, id, entries).await?))
}

/// Saves validated entries into the caller's draft, leaving the others,
/// and reads the answer back (one entry, or an imported spreadsheet).
pub(super) async fn save_entries(
    db: &Database,
    caller: &tierlink_domain::access::Caller,
    id: RequestId,
    entries: Vec<Entry>,
) -> Result<AnswerBody, ApiError> {
    let (org, by) = (caller.org_id, actor(caller));
    db::write(db, move |tx| {
        usecase::save_entries(tx, org, &by, id, &entries)
    })
    .await?;
    answer_body(db, org, id).await
}

fn strip_prefix(errors: ValidationErrors, prefix: &str) -> ValidationErrors {
    let mut stripped = ValidationErrors::new();
    for mut error in errors.into_errors() {
        if let Some(rest) = error.field.strip_prefix(prefix) {
            error.field = rest.to_owned();
        }
        stripped.push(error);
    }
    stripped
}

/// Submit my answer
///
/// Copies the draft into a new immutable revision (1, 2, …). Every required
/// item must be answered: otherwise 422 lists each missing one. Submitting
/// again with nothing changed (the latest revision still awaiting review,
/// with the same `share_upstream`) answers 200 with that revision.
#[utoipa::path(
    tag = "answers",
    operation_id = "submitAnswer",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer"), ("id" = uuid::Uuid, Path, description = "The request's id")),
    request_body(content = Option<SubmitAnswer>, description = "Optional: without a body, `share_upstream` is `false`"),
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 201, description = "Submitted: the new revision", body = RevisionBody),
        (status = 200, description = "Nothing changed since the latest revision, which still awaits review: that revision (no new one is made)", body = RevisionBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you to answer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request can no longer be answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Required items are missing (`entries.<metric>`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/answer/submit")]
pub async fn submit_answer(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    issuer: web::Data<UrnIssuer>,
    Id(id): Id<RequestId>,
    OptionalJsonBody(body): OptionalJsonBody<SubmitAnswer>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let share = body.is_some_and(|b| b.share_upstream);
    let (org, by) = (caller.org_id, actor(&caller));
    create_once(&db, org, key, StatusCode::CREATED, move |tx| {
        let submitted = usecase::submit(tx, org, &by, id, share, &issuer)?;
        Ok(Created {
            status: (!submitted.created).then_some(StatusCode::OK),
            location: Some(format!(
                "/v1/requests/{id}/answer/revisions/{}",
                submitted.revision.number
            )),
            etag: None,
            body: RevisionBody::new(submitted.revision, None),
        })
    })
    .await
}

/// List the revisions of an answer
///
/// For the supplier and for the requester of the request: the full history.
#[utoipa::path(
    tag = "answers",
    operation_id = "listAnswerRevisions",
    params(("id" = uuid::Uuid, Path, description = "The request's id")),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "Revisions, oldest first", body = [RevisionBody]),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/answer/revisions")]
pub async fn list_revisions(
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
) -> Result<web::Json<Vec<RevisionBody>>, ApiError> {
    let revisions = db::read(&db, move |conn| usecase::revisions(conn, caller.org_id, id)).await?;
    Ok(web::Json(
        revisions
            .into_iter()
            .map(|r| RevisionBody::new(r, None))
            .collect(),
    ))
}

/// Get one revision with its entries
///
/// A submitted revision as it was submitted, with its review. For the
/// supplier and for the requester of the request.
#[utoipa::path(
    tag = "answers",
    operation_id = "getAnswerRevision",
    params(("id" = uuid::Uuid, Path, description = "The request's id"), ("revision" = i32, Path, description = "1, 2, …")),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "The revision", body = RevisionBody),
        (status = 400, description = "The revision is not a number", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such revision for you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/answer/revisions/{revision}")]
pub async fn get_revision(
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    Revision(number): Revision,
) -> Result<web::Json<RevisionBody>, ApiError> {
    let (revision, entries) = db::read(&db, move |conn| {
        usecase::revision(conn, caller.org_id, id, number)
    })
    .await?;
    Ok(web::Json(RevisionBody::new(revision, Some(entries))))
}

async fn review(
    caller: &tierlink_domain::access::Caller,
    db: &Database,
    id: RequestId,
    number: tierlink_domain::ids::RevisionNumber,
    decision: Decision,
) -> Result<web::Json<RevisionBody>, ApiError> {
    decision.check_lengths()?;
    let (org, by) = (caller.org_id, actor(caller));
    let revision = db::write(db, move |tx| {
        usecase::review(tx, org, &by, id, number, &decision)
    })
    .await?;
    Ok(web::Json(RevisionBody::new(revision, None)))
}

/// Accept a submitted revision
///
/// The requester accepts the latest submitted revision, with an optional
/// comment; the request becomes `accepted`. The body may be left out.
#[utoipa::path(
    tag = "answers",
    operation_id = "acceptAnswerRevision",
    params(("id" = uuid::Uuid, Path, description = "The request's id"), ("revision" = i32, Path, description = "The latest revision")),
    request_body(content = Option<ReviewInput>, description = "Optional: a comment"),
    security(("bearer" = []), ("oauth2" = ["requirements:write"])),
    responses(
        (status = 200, description = "Accepted", body = RevisionBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the requirements:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such revision of a request you sent", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not the latest submitted revision", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The comment is too long", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/answer/revisions/{revision}/accept")]
pub async fn accept_revision(
    Authorized(caller, ..): Authorized<need::WriteRequirements>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    Revision(number): Revision,
    OptionalJsonBody(body): OptionalJsonBody<ReviewInput>,
) -> Result<web::Json<RevisionBody>, ApiError> {
    let comment = body.and_then(|b| b.comment);
    review(&caller, &db, id, number, Decision::Accept { comment }).await
}

/// Send a revision back with comments
///
/// The supplier sees the comments (overall and per item), revises and resubmits.
#[utoipa::path(
    tag = "answers",
    operation_id = "requestAnswerChanges",
    params(("id" = uuid::Uuid, Path, description = "The request's id"), ("revision" = i32, Path, description = "The latest revision")),
    request_body = ReviewInput,
    security(("bearer" = []), ("oauth2" = ["requirements:write"])),
    responses(
        (status = 200, description = "Sent back", body = RevisionBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the requirements:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such revision of a request you sent", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not the latest submitted revision", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A comment names an item that is not in the request (`not_in_request`) or that has no entry in the revision (`not_answered`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/answer/revisions/{revision}/request-changes")]
pub async fn request_changes(
    Authorized(caller, ..): Authorized<need::WriteRequirements>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    Revision(number): Revision,
    JsonBody(body): JsonBody<ReviewInput>,
) -> Result<web::Json<RevisionBody>, ApiError> {
    if body.comment.is_none() && body.items.is_empty() {
        return Err(ApiError::Validation(
            FieldError::new(
                "comment",
                "required",
                "say what to change, overall or per item",
            )
            .into(),
        ));
    }
    let items = body
        .items
        .into_iter()
        .map(|i| (i.metric, i.comment))
        .collect();
    review(
        &caller,
        &db,
        id,
        number,
        Decision::RequestChanges {
            comment: body.comment,
            items,
        },
    )
    .await
}

/// Attach a tier-2 answer to mine
///
/// Attaches the accepted answer of a request you forwarded from this one.
/// Your customer then counts it, and sees its values if your supplier
/// consented (`share_upstream`).
#[utoipa::path(
    tag = "answers",
    operation_id = "attachSupplierAnswer",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer"), ("id" = uuid::Uuid, Path, description = "The request you answer")),
    request_body = AttachAnswer,
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 201, description = "Attached: the attachments now", body = [AttachedBody]),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you to answer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not accepted yet, or attached already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a request you forwarded from this one", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/answer/attachments")]
pub async fn attach_answer(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    JsonBody(body): JsonBody<AttachAnswer>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let child = RequestId::parse("child_request_id", &body.child_request_id)
        .map_err(|e| ApiError::Validation(e.into()))?;
    let (org, by) = (caller.org_id, actor(&caller));
    create_once(&db, org, key, StatusCode::CREATED, move |tx| {
        usecase::attach(tx, org, &by, id, child)?;
        let attached = usecase::attachments(tx, org, id)?;
        Ok(Created {
            status: None,
            location: Some(format!("/v1/requests/{id}/answer/attachments")),
            etag: None,
            body: attached
                .into_iter()
                .map(AttachedBody::from)
                .collect::<Vec<_>>(),
        })
    })
    .await
}

/// List the tier-2 answers attached to an answer
///
/// For the tier-1: every attached answer with its values. For its customer:
/// every attached answer, with values only where the tier-2 consented.
#[utoipa::path(
    tag = "answers",
    operation_id = "listSupplierAnswers",
    params(("id" = uuid::Uuid, Path, description = "The request")),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "Attached answers", body = [AttachedBody]),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/answer/attachments")]
pub async fn list_attachments(
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
) -> Result<web::Json<Vec<AttachedBody>>, ApiError> {
    let attached = db::read(&db, move |conn| {
        usecase::attachments(conn, caller.org_id, id)
    })
    .await?;
    Ok(web::Json(
        attached.into_iter().map(AttachedBody::from).collect(),
    ))
}

/// Reuse an answer already given
///
/// Answer once, share with many: copies the entries of your latest
/// submitted answer to another request into this draft, for the metrics
/// both ask for over the same period. Each copy records where it came
/// from; review and submit as usual.
#[utoipa::path(
    tag = "answers",
    operation_id = "reuseAnswer",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer"), ("id" = uuid::Uuid, Path, description = "The request to answer")),
    request_body = ReuseAnswer,
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 200, description = "Copied into the draft", body = AnswerBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you to answer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing to reuse: no submitted answer, or nothing matching", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The source is not a request you answered", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/answer/reuse")]
pub async fn reuse_answer(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    JsonBody(body): JsonBody<ReuseAnswer>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let source = RequestId::parse("source_request_id", &body.source_request_id)
        .map_err(|e| ApiError::Validation(e.into()))?;
    let (org, by) = (caller.org_id, actor(&caller));
    create_once(&db, org, key, StatusCode::OK, move |tx| {
        usecase::reuse(tx, org, &by, id, source, body.metrics.as_deref())?;
        Ok(Created {
            status: None,
            location: None,
            etag: None,
            body: AnswerBody::from(usecase::answer(tx, org, id)?),
        })
    })
    .await
}
