//! `/v1/requirements`: what a requester asks of its suppliers, and its
//! lifecycle (draft → published → closed, or cancelled).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use tierlink_domain::FieldError;
use tierlink_domain::ids::{OrgId, RequirementId};
use tierlink_domain::metrics;
use tierlink_domain::requirements::{
    NOTE_MAX_CHARS, Requirement, RequirementAction, RequirementContent,
};
use tierlink_persistence::Database;
use tierlink_usecases::requirements::{self as usecase, RequirementFilter};
use tierlink_usecases::{actor, requests as request_usecase};
use utoipa_actix_web::service_config::ServiceConfig;

use super::support::{page_response, today};
use crate::auth::caller::{Authorized, need};
use crate::db;
use crate::extract::{JsonBody, QueryParams};
use crate::idempotency::{Created, IdempotencyKey, create_once};
use crate::path::Id;
use crate::problem::{ApiError, Problem};
use crate::wire::etag::{self, IfMatch};
use crate::wire::pagination::PageParams;
use crate::wire::requests::{RequestProgressBody, RequestProgressPage};
use crate::wire::requirements::{
    AmendRequirement, RequirementBody, RequirementInput, RequirementPage, RequirementQuery,
    VersionBody,
};
use crate::wire::summary::SummaryBody;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_requirement)
        .service(list_requirements)
        .service(get_requirement)
        .service(replace_requirement)
        .service(publish_requirement)
        .service(close_requirement)
        .service(cancel_requirement)
        .service(amend_requirement)
        .service(list_requirement_versions)
        .service(list_requirement_requests)
        .service(get_requirement_summary);
}

fn respond(requirement: Requirement, status: StatusCode) -> HttpResponse {
    let etag = etag::format(requirement.revision);
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag))
        .json(RequirementBody::from(requirement))
}

/// Create a requirement (a draft)
///
/// What you need from your suppliers: metrics, period, due date, audience
/// and how far down the chain it may travel. Publish it to send requests.
#[utoipa::path(
    tag = "requirements",
    operation_id = "createRequirement",
    request_body = RequirementInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    security(("bearer" = []), ("oauth2" = ["requirements:write"])),
    responses(
        (status = 201, description = "Created as a draft", body = RequirementBody,
            headers(("Location" = String), ("ETag" = String))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the requirements:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key was used for another request", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid: unknown metric, period, due date, audience…", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("")]
#[tracing::instrument(skip_all)]
pub async fn create_requirement(
    Authorized(caller, ..): Authorized<need::WriteRequirements>,
    db: web::Data<Database>,
    JsonBody(body): JsonBody<RequirementInput>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id;
    let author = actor(&caller);
    let content = validate(&db, org, body).await?;
    create_once(&db, org, key, StatusCode::CREATED, move |tx| {
        let requirement = usecase::create(tx, org, &author, &content)?;
        let location = format!("/v1/requirements/{}", requirement.id);
        let etag = etag::format(requirement.revision);
        Ok(Created {
            status: None,
            body: RequirementBody::from(requirement),
            location: Some(location),
            etag: Some(etag),
        })
    })
    .await
}

/// Validates `input` and reports every problem at once.
async fn validate(
    db: &Database,
    org: OrgId,
    input: RequirementInput,
) -> Result<RequirementContent, ApiError> {
    let custom: Vec<String> =
        db::read(db, move |conn| usecase::custom_metric_codes(conn, org)).await?;
    RequirementContent::parse(&input.to_content_input(), today(), |code| {
        metrics::find(code).is_some() || custom.iter().any(|c| c == code)
    })
    .map_err(ApiError::Validation)
}

/// List my requirements
///
/// The requirements my organisation wrote, oldest first, a page at a time;
/// filter by status.
#[utoipa::path(
    tag = "requirements",
    operation_id = "listRequirements",
    params(RequirementQuery),
    security(("bearer" = []), ("oauth2" = ["requirements:read"])),
    responses(
        (status = 200, description = "A page of requirements", body = RequirementPage),
        (status = 400, description = "A parameter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the requirements:read scope", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("")]
pub async fn list_requirements(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ReadRequirements>,
    db: web::Data<Database>,
    QueryParams(query): QueryParams<RequirementQuery>,
) -> Result<HttpResponse, ApiError> {
    let status = query.status().map_err(ApiError::invalid_parameter)?;
    let page_request = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    }
    .to_request()?;
    let filter = RequirementFilter { status };
    let page = db::read(&db, move |conn| {
        usecase::list(conn, caller.org_id, &filter, &page_request)
    })
    .await?;
    Ok(
        page_response(&req, page.next.as_ref()).json(RequirementPage {
            next_cursor: page.next.as_ref().map(|n| n.encode()),
            items: page.items.into_iter().map(RequirementBody::from).collect(),
        }),
    )
}

/// Get a requirement
///
/// Only its requester sees a requirement; suppliers see the requests it sent them.
#[utoipa::path(
    tag = "requirements",
    operation_id = "getRequirement",
    params(("id" = uuid::Uuid, Path, description = "The requirement's id")),
    security(("bearer" = []), ("oauth2" = ["requirements:read"])),
    responses(
        (status = 200, description = "The requirement", body = RequirementBody, headers(("ETag" = String))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the requirements:read scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such requirement of yours", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}")]
pub async fn get_requirement(
    Authorized(caller, ..): Authorized<need::ReadRequirements>,
    db: web::Data<Database>,
    Id(id): Id<RequirementId>,
) -> Result<HttpResponse, ApiError> {
    let requirement = db::read(&db, move |conn| usecase::show(conn, caller.org_id, id)).await?;
    Ok(respond(requirement, StatusCode::OK))
}

/// Replace a draft
///
/// Drafts are edited by sending the whole content with `If-Match` (the
/// `ETag` you read). A published requirement changes only by amendment.
#[utoipa::path(
    tag = "requirements",
    operation_id = "replaceRequirement",
    params(
        ("id" = uuid::Uuid, Path, description = "The requirement's id"),
        ("If-Match" = String, Header, description = "The ETag you read")
    ),
    request_body = RequirementInput,
    security(("bearer" = []), ("oauth2" = ["requirements:write"])),
    responses(
        (status = 200, description = "Replaced", body = RequirementBody, headers(("ETag" = String))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the requirements:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such requirement of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft (`illegal_transition`, naming what is allowed)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/{id}")]
pub async fn replace_requirement(
    Authorized(caller, ..): Authorized<need::WriteRequirements>,
    db: web::Data<Database>,
    Id(id): Id<RequirementId>,
    if_match: IfMatch,
    JsonBody(body): JsonBody<RequirementInput>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match.required()?;
    let org = caller.org_id;
    let content = validate(&db, org, body).await?;
    let requirement = db::write(&db, move |tx| {
        usecase::update_draft(tx, org, id, expected, &content)
    })
    .await?;
    Ok(respond(requirement, StatusCode::OK))
}

async fn transition(
    caller: &tierlink_domain::access::Caller,
    db: &Database,
    id: RequirementId,
    if_match: IfMatch,
    action: RequirementAction,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match.optional();
    let (org, by) = (caller.org_id, actor(caller));
    let requirement = db::write(db, move |tx| {
        usecase::transition(tx, org, &by, id, expected, action)
    })
    .await?;
    Ok(respond(requirement, StatusCode::OK))
}

/// Publish a requirement
///
/// Sends one request to each targeted supplier, all or none. `If-Match` is
/// honoured when sent; with `Idempotency-Key`, a retry gets the first answer.
#[utoipa::path(
    tag = "requirements",
    operation_id = "publishRequirement",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a retry replays the first answer instead of a 409"), ("id" = uuid::Uuid, Path, description = "The requirement's id"), ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    security(("bearer" = []), ("oauth2" = ["requirements:write"])),
    responses(
        (status = 200, description = "Published", body = RequirementBody, headers(("ETag" = String))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the requirements:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such requirement of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft, or no supplier to send it to", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An audience member is no longer your supplier", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/publish")]
pub async fn publish_requirement(
    Authorized(caller, ..): Authorized<need::WriteRequirements>,
    db: web::Data<Database>,
    Id(id): Id<RequirementId>,
    if_match: IfMatch,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match.optional();
    let (org, by) = (caller.org_id, actor(&caller));
    create_once(&db, org, key, StatusCode::OK, move |tx| {
        let requirement =
            usecase::transition(tx, org, &by, id, expected, RequirementAction::Publish)?;
        let etag = etag::format(requirement.revision);
        Ok(Created {
            status: None,
            body: RequirementBody::from(requirement),
            location: None,
            etag: Some(etag),
        })
    })
    .await
}

/// Close a requirement
///
/// Stops collecting: requests still pending become `closed`.
#[utoipa::path(
    tag = "requirements",
    operation_id = "closeRequirement",
    params(("id" = uuid::Uuid, Path, description = "The requirement's id"), ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    security(("bearer" = []), ("oauth2" = ["requirements:write"])),
    responses(
        (status = 200, description = "Closed", body = RequirementBody, headers(("ETag" = String))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the requirements:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such requirement of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not published", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/close")]
pub async fn close_requirement(
    Authorized(caller, ..): Authorized<need::WriteRequirements>,
    db: web::Data<Database>,
    Id(id): Id<RequirementId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    transition(&caller, &db, id, if_match, RequirementAction::Close).await
}

/// Cancel a requirement
///
/// Withdraws a draft or a published requirement: pending requests become `cancelled`.
#[utoipa::path(
    tag = "requirements",
    operation_id = "cancelRequirement",
    params(("id" = uuid::Uuid, Path, description = "The requirement's id"), ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    security(("bearer" = []), ("oauth2" = ["requirements:write"])),
    responses(
        (status = 200, description = "Cancelled", body = RequirementBody, headers(("ETag" = String))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the requirements:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such requirement of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already closed or cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/cancel")]
pub async fn cancel_requirement(
    Authorized(caller, ..): Authorized<need::WriteRequirements>,
    db: web::Data<Database>,
    Id(id): Id<RequirementId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    transition(&caller, &db, id, if_match, RequirementAction::Cancel).await
}

/// Amend a published requirement
///
/// Makes a new version; suppliers see what changed. Title, description,
/// due date and items may change. Needs `If-Match`.
#[utoipa::path(
    tag = "requirements",
    operation_id = "amendRequirement",
    params(("id" = uuid::Uuid, Path, description = "The requirement's id"), ("If-Match" = String, Header, description = "The ETag you read")),
    request_body = AmendRequirement,
    security(("bearer" = []), ("oauth2" = ["requirements:write"])),
    responses(
        (status = 200, description = "Amended: the new version", body = RequirementBody, headers(("ETag" = String))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the requirements:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such requirement of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not published", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid, or cannot change after publication", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/amendments")]
pub async fn amend_requirement(
    Authorized(caller, ..): Authorized<need::WriteRequirements>,
    db: web::Data<Database>,
    Id(id): Id<RequirementId>,
    if_match: IfMatch,
    JsonBody(body): JsonBody<AmendRequirement>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match.required()?;
    FieldError::check_max_chars("note", &body.note, NOTE_MAX_CHARS)
        .map_err(|error| ApiError::Validation(error.into()))?;
    let org = caller.org_id;
    let author = actor(&caller);
    let content = validate(&db, org, body.content)
        .await
        .map_err(|error| match error {
            ApiError::Validation(errors) => {
                let mut nested = tierlink_domain::ValidationErrors::new();
                for e in errors.into_errors() {
                    nested.push(e.under("content"));
                }
                ApiError::Validation(nested)
            }
            other => other,
        })?;
    let note = body.note;
    let requirement = db::write(&db, move |tx| {
        usecase::amend(tx, org, id, expected, &content, &note, &author)
    })
    .await?;
    Ok(respond(requirement, StatusCode::OK))
}

/// List a requirement's amendments
///
/// One entry per amendment since publication, oldest first: the version it
/// made, the fields it changed and the note shown to suppliers.
#[utoipa::path(
    tag = "requirements",
    operation_id = "listRequirementVersions",
    params(("id" = uuid::Uuid, Path, description = "The requirement's id")),
    security(("bearer" = []), ("oauth2" = ["requirements:read"])),
    responses(
        (status = 200, description = "Amendments, oldest first", body = [VersionBody]),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such requirement of yours", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/versions")]
pub async fn list_requirement_versions(
    Authorized(caller, ..): Authorized<need::ReadRequirements>,
    db: web::Data<Database>,
    Id(id): Id<RequirementId>,
) -> Result<web::Json<Vec<VersionBody>>, ApiError> {
    let versions = db::read(&db, move |conn| usecase::versions(conn, caller.org_id, id)).await?;
    Ok(web::Json(
        versions.into_iter().map(VersionBody::from).collect(),
    ))
}

/// List a requirement's requests
///
/// Every request the requirement sent, with its status and, under each
/// tier-1, how many requests it forwarded to tier 2 and their progress.
#[utoipa::path(
    tag = "requirements",
    operation_id = "listRequirementRequests",
    params(("id" = uuid::Uuid, Path, description = "The requirement's id"), PageParams),
    security(("bearer" = []), ("oauth2" = ["requirements:read"])),
    responses(
        (status = 200, description = "A page of requests", body = RequestProgressPage),
        (status = 400, description = "A parameter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such requirement of yours", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/requests")]
pub async fn list_requirement_requests(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ReadRequirements>,
    db: web::Data<Database>,
    Id(id): Id<RequirementId>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page_request = params.to_request()?;
    let page = db::read(&db, move |conn| {
        request_usecase::list_for_requirement(conn, caller.org_id, id, &page_request)
    })
    .await?;
    let today = today();
    Ok(
        page_response(&req, page.next.as_ref()).json(RequestProgressPage {
            next_cursor: page.next.as_ref().map(|n| n.encode()),
            items: page
                .items
                .into_iter()
                .map(|p| RequestProgressBody::new(p, today))
                .collect(),
        }),
    )
}

/// Roll-up of a requirement
///
/// Request counts by status, completion rate and overdue count; per
/// quantity metric, totals in canonical units over accepted answers and,
/// apart, over answers awaiting review, split by tier and by how the data
/// was obtained. Tier-2 requests are always counted; their values are
/// included only where the tier-2 consented and its tier-1 attached them.
#[utoipa::path(
    tag = "requirements",
    operation_id = "getRequirementSummary",
    params(("id" = uuid::Uuid, Path, description = "The requirement's id")),
    security(("bearer" = []), ("oauth2" = ["responses:read"])),
    responses(
        (status = 200, description = "The roll-up", body = SummaryBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the responses:read scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such requirement of yours", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/summary")]
pub async fn get_requirement_summary(
    Authorized(caller, ..): Authorized<need::ReadResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequirementId>,
) -> Result<web::Json<SummaryBody>, ApiError> {
    let (inputs, rollup, coverage) = db::read(&db, move |conn| {
        let mut rollup = tierlink_domain::rollup::RollUp::default();
        let inputs = usecase::summary_inputs(conn, caller.org_id, id, |a, e| {
            crate::summary::count(&mut rollup, a, e)
        })?;
        let coverage = usecase::footprint_coverage(conn, caller.org_id, id)?;
        Ok((inputs, rollup, coverage))
    })
    .await?;
    let mut summary = crate::summary::summarise(inputs, rollup, today());
    summary.footprints = crate::wire::summary::FootprintCoverage {
        active: coverage.active,
        deprecated: coverage.deprecated,
        suppliers_answered: coverage.suppliers,
    };
    Ok(web::Json(summary))
}
