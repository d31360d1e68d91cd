//! `/v1/requests`: what suppliers receive. A supplier lists and reads its
//! incoming requests, declines them, or forwards them to its own suppliers
//! (within the requirement's cascade depth). The organisation that sent a
//! request may read it too; nobody else can.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use tierlink_domain::ids::{OrgId, RequestId};
use tierlink_domain::requests::{Request, RequestStatus};
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::Database;
use tierlink_usecases::actor;
use tierlink_usecases::requests::{self as usecase, Forward, IncomingFilter};
use utoipa_actix_web::service_config::ServiceConfig;

use super::support::{page_response, today};
use crate::auth::caller::{Authorized, AuthorizedRead, need};
use crate::db;
use crate::extract::{JsonBody, QueryParams};
use crate::idempotency::{Created, IdempotencyKey, create_once};
use crate::path::Id;
use crate::problem::{ApiError, Problem};
use crate::wire::etag::{self, IfMatch};
use crate::wire::pagination::PageParams;
use crate::wire::requests::{
    DeclineRequest, ForwardRequest, RequestBody, RequestPage, RequestQuery,
};
use crate::wire::requirements::VersionBody;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_requests)
        .service(get_request)
        .service(decline_request)
        .service(forward_request)
        .service(list_forwarded);
}

fn body(request: Request, amendments: Vec<VersionBody>) -> RequestBody {
    let forwardable = request.forwardable();
    RequestBody::new(request, today(), forwardable, amendments)
}

/// List incoming requests
///
/// The requests my customers sent me. Filter by status, customer and due
/// date, or `overdue=true` for those past due and still owed.
#[utoipa::path(
    tag = "requests",
    operation_id = "listIncomingRequests",
    params(RequestQuery),
    security(("bearer" = []), ("oauth2" = ["requirements:read"])),
    responses(
        (status = 200, description = "A page of requests", body = RequestPage),
        (status = 400, description = "A parameter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the requirements:read scope", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("")]
pub async fn list_requests(
    req: HttpRequest,
    auth: AuthorizedRead<need::ReadRequirements>,
    QueryParams(query): QueryParams<RequestQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::new();
    let status = query
        .status
        .as_deref()
        .map(|s| {
            RequestStatus::parse(s).ok_or_else(|| {
                FieldError::new("status", "invalid_value", format!("unknown status `{s}`"))
            })
        })
        .transpose();
    let status = errors.collect(status);
    let customer = errors.collect(
        query
            .customer
            .as_deref()
            .map(|c| OrgId::parse("customer", c))
            .transpose(),
    );
    let page_request = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .to_request();
    let (Some(status), Some(customer)) = (status, customer) else {
        return Err(ApiError::InvalidParameter(errors));
    };
    let page_request = page_request?;
    let filter = IncomingFilter {
        status,
        customer,
        due_before: query.due_before,
        due_after: query.due_after,
        overdue: query.overdue,
        today: Some(today()),
    };
    let page = auth
        .read(move |conn, caller| {
            usecase::list_incoming(conn, caller.org_id, &filter, &page_request)
        })
        .await?;
    Ok(page_response(&req, page.next.as_ref()).json(RequestPage {
        next_cursor: page.next.as_ref().map(|n| n.encode()),
        items: page
            .items
            .into_iter()
            .map(|r| body(r, Vec::new()))
            .collect(),
    }))
}

/// Get a request
///
/// For its supplier or for the organisation that sent it. A forwarded
/// request shows its own customer (the tier-1) and only the items passed on.
#[utoipa::path(
    tag = "requests",
    operation_id = "getRequest",
    params(("id" = uuid::Uuid, Path, description = "The request's id")),
    security(("bearer" = []), ("oauth2" = ["requirements:read"])),
    responses(
        (status = 200, description = "The request", body = RequestBody, headers(("ETag" = String))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the requirements:read scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}")]
pub async fn get_request(
    auth: AuthorizedRead<need::ReadRequirements>,
    Id(id): Id<RequestId>,
) -> Result<HttpResponse, ApiError> {
    let (request, versions) = auth
        .read(move |conn, caller| usecase::show(conn, caller.org_id, id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag::format(request.revision)))
        .json(body(
            request,
            versions.into_iter().map(VersionBody::from).collect(),
        )))
}

/// Decline a request
///
/// The supplier will not answer, and says why. Open, in-progress and
/// changes-requested requests can be declined. `If-Match` is honoured.
#[utoipa::path(
    tag = "requests",
    operation_id = "declineRequest",
    params(("id" = uuid::Uuid, Path, description = "The request's id"), ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    request_body = DeclineRequest,
    security(("bearer" = []), ("oauth2" = ["responses:write"])),
    responses(
        (status = 200, description = "Declined", body = RequestBody, headers(("ETag" = String))),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the responses:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It can no longer be declined", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`reason` is missing or too long", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/decline")]
pub async fn decline_request(
    Authorized(caller, ..): Authorized<need::WriteResponses>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    if_match: IfMatch,
    JsonBody(input): JsonBody<DeclineRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = input.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 2_000 {
        return Err(ApiError::Validation(
            FieldError::new(
                "reason",
                "invalid_reason",
                "say why, in 1 to 2000 characters",
            )
            .into(),
        ));
    }
    let expected = if_match.optional();
    let by = actor(&caller);
    let request = db::write(&db, move |tx| {
        usecase::decline(tx, caller.org_id, &by, id, &reason, expected)
    })
    .await?;
    let etag = etag::format(request.revision);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .json(body(request, Vec::new())))
}

/// Forward a request to my suppliers
///
/// Passes all or some items on to chosen direct suppliers of mine, as
/// requests from me. Allowed only within the requirement's cascade depth.
#[utoipa::path(
    tag = "requests",
    operation_id = "forwardRequest",
    params(
        ("id" = uuid::Uuid, Path, description = "The request's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")
    ),
    request_body = ForwardRequest,
    security(("bearer" = []), ("oauth2" = ["requirements:write"])),
    responses(
        (status = 201, description = "The new requests, one per supplier", body = [RequestBody]),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the editor role or the requirements:write scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already forwarded to that supplier, or no longer pending", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not your supplier, not an item of the request, beyond the cascade depth…", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/forward")]
pub async fn forward_request(
    Authorized(caller, ..): Authorized<need::WriteRequirements>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
    JsonBody(input): JsonBody<ForwardRequest>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    if input.suppliers.is_empty() {
        return Err(ApiError::Validation(
            FieldError::new("suppliers", "required", "forward to at least one supplier").into(),
        ));
    }
    if input.message.chars().count() > 10_000 {
        return Err(ApiError::Validation(
            FieldError::new("message", "too_long", "at most 10000 characters").into(),
        ));
    }
    let suppliers: Vec<OrgId> = input
        .suppliers
        .iter()
        .map(|s| OrgId::from_uuid(*s))
        .collect();
    let (org, by) = (caller.org_id, actor(&caller));
    create_once(&db, org, key, StatusCode::CREATED, move |tx| {
        let created = usecase::forward(
            tx,
            org,
            &by,
            id,
            &Forward {
                suppliers: &suppliers,
                metrics: input.metrics.as_deref(),
                due_date: input.due_date,
                message: &input.message,
            },
        )?;
        let bodies: Vec<RequestBody> = created.into_iter().map(|r| body(r, Vec::new())).collect();
        Ok(Created {
            status: None,
            body: bodies,
            location: Some(format!("/v1/requests/{id}/forwarded")),
            etag: None,
        })
    })
    .await
}

/// List what I forwarded from a request
///
/// The requests I sent my own suppliers from a request I received, one per
/// supplier, with their status. For the supplier that forwarded them.
#[utoipa::path(
    tag = "requests",
    operation_id = "listForwardedRequests",
    params(("id" = uuid::Uuid, Path, description = "The request you received")),
    security(("bearer" = []), ("oauth2" = ["requirements:read"])),
    responses(
        (status = 200, description = "The requests forwarded from it", body = [RequestBody]),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request for you", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/forwarded")]
pub async fn list_forwarded(
    Authorized(caller, ..): Authorized<need::ReadRequirements>,
    db: web::Data<Database>,
    Id(id): Id<RequestId>,
) -> Result<web::Json<Vec<RequestBody>>, ApiError> {
    let forwarded = db::read(&db, move |conn| {
        usecase::forwarded_from(conn, caller.org_id, id)
    })
    .await?;
    Ok(web::Json(
        forwarded.into_iter().map(|r| body(r, Vec::new())).collect(),
    ))
}
