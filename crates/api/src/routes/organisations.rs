//! `/v1/organisations`: the organisations the caller may see (its own, and
//! its partners once supplier links exist). Organisations are created by
//! sign-up (`/v1/signup`) or by the operator CLI.

use actix_web::{HttpRequest, HttpResponse, get, web};
use tierlink_domain::ids::OrgId;
use tierlink_persistence::Database;
use tierlink_usecases::organisations as usecase;
use utoipa_actix_web::service_config::ServiceConfig;

use super::support::page_response;
use crate::auth::caller::{Authorized, need};
use crate::db;
use crate::extract::QueryParams;
use crate::path::Id;
use crate::problem::{ApiError, Problem};
use crate::wire::organisations::{OrganisationBody, OrganisationPage};
use crate::wire::pagination::PageParams;

pub fn configure(config: &mut ServiceConfig) {
    config.service(get_organisation).service(list_organisations);
}

/// Get an organisation
///
/// The caller's own organisation; any other id is 404.
#[utoipa::path(
    tag = "organisations",
    operation_id = "getOrganisation",
    params(("id" = uuid::Uuid, Path, description = "The organisation's id")),
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "The organisation", body = OrganisationBody),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}")]
#[tracing::instrument(skip(db, caller))]
pub async fn get_organisation(
    Authorized(caller, ..): Authorized<need::ReadOrganisation>,
    db: web::Data<Database>,
    Id(id): Id<OrgId>,
) -> Result<web::Json<OrganisationBody>, ApiError> {
    let org = db::read(&db, move |conn| usecase::show(conn, caller.org_id, id)).await?;
    Ok(web::Json(org.into()))
}

/// List organisations
///
/// The organisations visible to the caller, oldest first, a page at a time:
/// follow `next_cursor` (or the `Link` header) until it is absent.
#[utoipa::path(
    tag = "organisations",
    operation_id = "listOrganisations",
    params(PageParams),
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "A page of organisations", body = OrganisationPage,
            headers(("Link" = String, description = "RFC 8288 link to the next page, `rel=\"next\"`"))),
        (status = 400, description = "`limit` or `cursor` is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("")]
#[tracing::instrument(skip_all)]
pub async fn list_organisations(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ReadOrganisation>,
    db: web::Data<Database>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page_request = params.to_request()?;
    let page = db::read(&db, move |conn| {
        usecase::list(conn, caller.org_id, &page_request)
    })
    .await?;
    Ok(
        page_response(&req, page.next.as_ref()).json(OrganisationPage {
            next_cursor: page.next.as_ref().map(|next| next.encode()),
            items: page.items.into_iter().map(OrganisationBody::from).collect(),
        }),
    )
}
