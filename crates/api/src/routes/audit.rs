//! `GET /v1/audit-events`: the organisation's audit trail, for its admins.
//! Read-only: there is no way to change or remove a record through the
//! API.

use actix_web::{HttpRequest, HttpResponse, get, web};
use tierlink_domain::pagination::PageLimit;
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::Database;
use tierlink_usecases::events::{self as usecase, AuditFilter};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::caller::{Authorized, need};
use crate::db;
use crate::extract::QueryParams;
use crate::problem::{ApiError, Problem};
use crate::routes::events::parse_types;
use crate::routes::support::page_response;
use crate::wire::audit::{AuditEvent, AuditPage, AuditQuery};
use crate::wire::pagination::PageParams;

pub fn configure(config: &mut ServiceConfig) {
    config.service(list_audit_events);
}

/// Read the audit trail
///
/// Who changed what, newest first: every event addressed to my
/// organisation and every change my own people and machine clients made
/// elsewhere in the chain, each with the organisation it was addressed
/// to and the request id of the call that made it. Records are never
/// changed; they are kept for `TIERLINK_EVENT_RETENTION_DAYS`. Admins only.
#[utoipa::path(
    tag = "audit",
    operation_id = "listAuditEvents",
    params(AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of records, newest first", body = AuditPage),
        (status = 400, description = "A filter, `limit` or `cursor` is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins read the audit trail", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("")]
#[tracing::instrument(skip_all)]
pub async fn list_audit_events(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ReadAudit>,
    db: web::Data<Database>,
    QueryParams(query): QueryParams<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, limit) = parse(query)?;
    let org = caller.org_id;
    let page = db::read(&db, move |conn| usecase::audit(conn, org, &filter, limit)).await?;
    Ok(page_response(&req, page.next.as_ref())
        .insert_header(("Cache-Control", "no-store"))
        .json(AuditPage {
            next_cursor: page.next.as_ref().map(|next| next.encode()),
            items: page.items.into_iter().map(AuditEvent::from).collect(),
        }))
}

fn parse(query: AuditQuery) -> Result<(AuditFilter, PageLimit), ApiError> {
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    }
    .to_request()?;
    let mut errors = ValidationErrors::new();
    let before = match page
        .after
        .as_ref()
        .map(|cursor| cursor.key().parse::<i64>())
    {
        None => None,
        Some(Ok(seq)) => Some(seq),
        Some(Err(_)) => {
            errors.push(FieldError::new(
                "cursor",
                "invalid_cursor",
                "the cursor is not one this API issued; start again without it",
            ));
            None
        }
    };
    if let Some(kind) = &query.resource_type
        && !["request", "requirement", "link"].contains(&kind.as_str())
    {
        errors.push(FieldError::new(
            "resource_type",
            "invalid_value",
            format!("`{kind}` is not request, requirement or link"),
        ));
    }
    if let Some(id) = &query.resource_id
        && uuid::Uuid::try_parse(id).is_err()
    {
        errors.push(FieldError::new(
            "resource_id",
            "invalid_id",
            format!("`{id}` is not a valid id (a UUID is expected)"),
        ));
    }
    if let Some(actor) = &query.actor
        && !actor_is_valid(actor)
    {
        errors.push(FieldError::new(
            "actor",
            "invalid_value",
            "an actor is `user:<id>`, `client:<id>` or `system`",
        ));
    }
    let types = parse_types(query.types.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameter(errors));
    }
    Ok((
        AuditFilter {
            resource_type: query.resource_type,
            resource_id: query.resource_id,
            actor: query.actor,
            types,
            since: query.since,
            until: query.until,
            before,
        },
        page.limit,
    ))
}

fn actor_is_valid(actor: &str) -> bool {
    actor == "system"
        || actor
            .strip_prefix("user:")
            .or_else(|| actor.strip_prefix("client:"))
            .is_some_and(|id| uuid::Uuid::try_parse(id).is_ok())
}
