//! `/v1/organisations`: register, read and list organisations.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use tierlink_domain::ids::OrgId;
use tierlink_domain::organisation::{IdentifierInput, NewOrganisation};
use tierlink_persistence::{Database, organisations};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db;
use crate::extract::{JsonBody, QueryParams};
use crate::problem::{ApiError, Problem};
use crate::wire::organisations::{CreateOrganisation, OrganisationBody, OrganisationPage};
use crate::wire::pagination::{PageParams, next_link};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_organisation)
        .service(get_organisation)
        .service(list_organisations);
}

/// Register an organisation
///
/// Registers a large firm or a supplier with its legal identifiers. An
/// identifier already held by another organisation is a 409.
#[utoipa::path(
    tag = "organisations",
    operation_id = "createOrganisation",
    request_body = CreateOrganisation,
    responses(
        (status = 201, description = "Registered", body = OrganisationBody,
            headers(("Location" = String, description = "URL of the new organisation"))),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An identifier is already registered", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid; `errors` lists each", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations")]
#[tracing::instrument(skip_all)]
pub async fn create_organisation(
    db: web::Data<Database>,
    JsonBody(body): JsonBody<CreateOrganisation>,
) -> Result<HttpResponse, ApiError> {
    let identifiers: Vec<IdentifierInput<'_>> = body
        .identifiers
        .iter()
        .map(|identifier| IdentifierInput {
            scheme: tierlink_domain::identifiers::IdentifierScheme::from(identifier.scheme)
                .as_str(),
            issuer: identifier.issuer.as_deref(),
            value: &identifier.value,
        })
        .collect();
    let new = NewOrganisation::parse(&body.name, &body.country, &identifiers)?;
    let created = db::write(&db, move |conn| organisations::insert(conn, &new)).await?;
    tracing::info!(org_id = %created.id, "organisation registered");
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/v1/organisations/{}", created.id),
        ))
        .json(OrganisationBody::from(created)))
}

/// Get an organisation
#[utoipa::path(
    tag = "organisations",
    operation_id = "getOrganisation",
    params(("id" = uuid::Uuid, Path, description = "The organisation's id")),
    responses(
        (status = 200, description = "The organisation", body = OrganisationBody),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations/{id}")]
#[tracing::instrument(skip(db))]
pub async fn get_organisation(
    db: web::Data<Database>,
    id: web::Path<String>,
) -> Result<web::Json<OrganisationBody>, ApiError> {
    let id = OrgId::parse("id", &id).map_err(ApiError::invalid_parameter)?;
    let org = db::read(&db, move |conn| organisations::find(conn, id))
        .await
        .map_err(|error| match error {
            ApiError::NotFound(_) => ApiError::NotFound("organisation"),
            other => other,
        })?;
    Ok(web::Json(org.into()))
}

/// List organisations
///
/// Oldest first, a page at a time: follow `next_cursor` (or the `Link`
/// header) until it is absent.
#[utoipa::path(
    tag = "organisations",
    operation_id = "listOrganisations",
    params(PageParams),
    responses(
        (status = 200, description = "A page of organisations", body = OrganisationPage,
            headers(("Link" = String, description = "RFC 8288 link to the next page, `rel=\"next\"`"))),
        (status = 400, description = "`limit` or `cursor` is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations")]
#[tracing::instrument(skip_all)]
pub async fn list_organisations(
    req: HttpRequest,
    db: web::Data<Database>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page_request = params.to_request()?;
    let page = db::read(&db, move |conn| organisations::list(conn, &page_request)).await?;
    let mut response = HttpResponse::Ok();
    if let Some(link) = page.next.as_ref().and_then(|next| next_link(&req, next)) {
        response.insert_header((header::LINK, link));
    }
    Ok(response.json(OrganisationPage {
        next_cursor: page.next.as_ref().map(|next| next.encode()),
        items: page.items.into_iter().map(OrganisationBody::from).collect(),
    }))
}
