//! `POST /v1/answers/bulk`: an ERP saves, and optionally submits, its
//! answers to many requests in one call. All or nothing: one transaction,
//! and every problem reported at once under `answers[i]…`.

use std::collections::HashMap;

use actix_web::{post, web};
use tierlink_domain::answers::EntryInput;
use tierlink_domain::ids::RequestId;
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::Database;
use tierlink_usecases::actor;
use tierlink_usecases::answers::{self as usecase, BulkAnswer, check_entries};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::caller::{Authorized, need};
use crate::db;
use crate::extract::BulkJsonBody;
use crate::problem::{ApiError, Problem};
use crate::wire::answers::{BulkAnswerResult, BulkAnswers, BulkAnswersResult};

/// Most answers in one call.
pub const MAX_ANSWERS: usize = 1_000;
/// Most entries in one call, over all its answers.
pub const MAX_ENTRIES: usize = 20_000;

pub fn configure(config: &mut ServiceConfig) {
    config.service(save_answers_in_bulk);
}

/// Save (and submit) answers to many requests
///
/// For ERP systems: each answer replaces the draft of its request, as
/// `PUT /v1/requests/{id}/answer` does, and with `submit` becomes a new
/// revision. Up to 1,000 answers and 20,000 entries per call; the body may
/// be up to `TIERLINK_MAX_BULK_BODY_BYTES` (16 MiB by default). One
/// transaction: if any answer fails, nothing is saved, and the problem
/// names each failing field as `answers[i].entries[j].field`.
#[utoipa::path(
    tag = "answers",
    operation_id = "saveAnswersInBulk",
    request_body = BulkAnswers,
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 200, description = "Every answer saved (and submitted, where asked)", body = BulkAnswersResult),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A request can no longer be answered (`answers[i]`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the bulk limit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An answer is not valid: unknown request, bad entry, or (with submit) a missing required item", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/answers/bulk")]
#[tracing::instrument(skip_all, fields(answers = body.answers.len()))]
pub async fn save_answers_in_bulk(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    BulkJsonBody(body): BulkJsonBody<BulkAnswers>,
) -> Result<web::Json<BulkAnswersResult>, ApiError> {
    let ids = check_shape(&body)?;
    let org = caller.org_id;
    let lookup = ids.clone();
    let mut found = db::read(&db, move |conn| {
        usecase::read_requests_to_answer(conn, org, &lookup)
    })
    .await?;
    let mut errors = ValidationErrors::new();
    let mut answers = Vec::with_capacity(body.answers.len());
    let mut read = HashMap::with_capacity(body.answers.len());
    for (index, (answer, id)) in body.answers.iter().zip(&ids).enumerate() {
        let prefix = format!("answers[{index}].");
        let Some(to_answer) = found.remove(id) else {
            errors.push(FieldError::new(
                format!("{prefix}request_id"),
                "not_found",
                format!("no request `{}` for you to answer", answer.request_id),
            ));
            continue;
        };
        let inputs: Vec<EntryInput> = answer.entries.iter().map(|e| e.to_input()).collect();
        let entries = check_entries(&to_answer, &inputs, &prefix, &mut errors)?;
        read.insert(*id, to_answer.request);
        answers.push(BulkAnswer {
            request_id: *id,
            entries,
            submit: answer.submit,
            share_upstream: answer.share_upstream,
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // The parsed body is no longer needed: free it before the write (a
    // 10,000-entry call holds several MiB). The requests read go with the
    // answers: the write uses those that have not changed since.
    drop((body, found));
    let by = actor(&caller);
    let outcomes = db::write(&db, move |tx| {
        usecase::save_many(tx, org, &by, &answers, read)
    })
    .await?;
    Ok(web::Json(BulkAnswersResult {
        entries: outcomes.iter().map(|o| o.entries).sum(),
        answers: outcomes
            .into_iter()
            .map(|o| BulkAnswerResult {
                request_id: o.request_id.to_string(),
                status: o.status.as_str().to_owned(),
                entries: o.entries,
                revision: o.revision,
            })
            .collect(),
    }))
}

/// Counts and request ids: sizes within limits, each id a UUID, no request
/// twice. Returns the ids, normalised.
fn check_shape(body: &BulkAnswers) -> Result<Vec<RequestId>, ApiError> {
    let too_many = |message: String| {
        ApiError::Validation(FieldError::new("answers", "too_many", message).into())
    };
    if body.answers.is_empty() {
        return Err(ApiError::Validation(
            FieldError::new("answers", "empty", "at least one answer is needed").into(),
        ));
    }
    if body.answers.len() > MAX_ANSWERS {
        return Err(too_many(format!(
            "{} answers; at most {MAX_ANSWERS} per call",
            body.answers.len()
        )));
    }
    let entries: usize = body.answers.iter().map(|a| a.entries.len()).sum();
    if entries > MAX_ENTRIES {
        return Err(too_many(format!(
            "{entries} entries; at most {MAX_ENTRIES} per call"
        )));
    }
    let mut errors = ValidationErrors::new();
    let mut ids: Vec<RequestId> = Vec::with_capacity(body.answers.len());
    for (index, answer) in body.answers.iter().enumerate() {
        let field = format!("answers[{index}].request_id");
        match RequestId::parse(&field, &answer.request_id) {
            Ok(id) if ids.contains(&id) => errors.push(FieldError::new(
                field,
                "duplicate",
                "this request is answered twice in the call",
            )),
            Ok(id) => ids.push(id),
            Err(error) => errors.push(error),
        }
    }
    errors.finish(|| ids).map_err(ApiError::Validation)
}
