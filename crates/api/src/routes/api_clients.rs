//! `/v1/api-clients`: machine clients for partner ERP systems, managed by
//! the organisation's admins. A secret is shown once, at creation or
//! rotation, and stored only as a hash.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use tierlink_domain::access::Scopes;
use tierlink_domain::ids::ClientId;
use tierlink_domain::{FieldError, ValidationErrors};
use tierlink_persistence::Database;
use tierlink_usecases::api_clients as usecase;
use utoipa_actix_web::service_config::ServiceConfig;

use super::support::page_response;
use crate::auth::caller::{Authorized, need};
use crate::auth::secrets;
use crate::db;
use crate::extract::{JsonBody, QueryParams};
use crate::idempotency::{Created, IdempotencyKey, create_once};
use crate::path::Id;
use crate::problem::{ApiError, Problem};
use crate::wire::api_clients::{
    ApiClientBody, ApiClientPage, ApiClientWithSecret, CreateApiClient,
};
use crate::wire::pagination::PageParams;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_api_clients)
        .service(create_api_client)
        .service(get_api_client)
        .service(rotate_api_client_secret)
        .service(revoke_api_client);
}

/// List machine clients
///
/// The organisation's machine clients, revoked ones included, oldest first,
/// a page at a time; secrets are never shown again. For admins.
#[utoipa::path(
    tag = "api-clients",
    operation_id = "listApiClients",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of clients, revoked ones included", body = ApiClientPage),
        (status = 400, description = "`limit` or `cursor` is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage clients", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("")]
#[tracing::instrument(skip_all)]
pub async fn list_api_clients(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    QueryParams(params): QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page_request = params.to_request()?;
    let page = db::read(&db, move |conn| {
        usecase::list(conn, caller.org_id, &page_request)
    })
    .await?;
    Ok(page_response(&req, page.next.as_ref()).json(ApiClientPage {
        next_cursor: page.next.as_ref().map(|next| next.encode()),
        items: page.items.into_iter().map(ApiClientBody::from).collect(),
    }))
}

/// Create a machine client
///
/// Returns the client with its secret, shown this once. Use them at
/// `/v1/auth/token` with `grant_type=client_credentials`.
#[utoipa::path(
    tag = "api-clients",
    operation_id = "createApiClient",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    request_body = CreateApiClient,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `client_secret` is shown only now", body = ApiClientWithSecret),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage clients", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("")]
#[tracing::instrument(skip_all)]
pub async fn create_api_client(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    JsonBody(body): JsonBody<CreateApiClient>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::new();
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "name",
            "invalid_name",
            "a name is 1 to 100 characters without control characters",
        ));
    }
    let scopes = errors.collect(Scopes::parse(
        "scopes",
        body.scopes.iter().map(String::as_str),
    ));
    if scopes.as_ref().is_some_and(Scopes::is_empty) {
        errors.push(FieldError::new(
            "scopes",
            "required",
            "grant at least one scope",
        ));
    }
    let Some(scopes) = scopes.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let secret = secrets::generate(secrets::CLIENT_SECRET_PREFIX);
    let digest = secrets::digest(&secret);
    // A replay returns the secret again: only a caller of the same
    // organisation with the same key and body gets it, as with Stripe's keys.
    create_once(&db, caller.org_id, key, StatusCode::CREATED, move |tx| {
        let client = usecase::create(tx, caller.org_id, &name, &scopes, &digest)?;
        tracing::info!(client_id = %client.id, "machine client created");
        Ok(Created {
            status: None,
            location: Some(format!("/v1/api-clients/{}", client.id)),
            etag: None,
            body: ApiClientWithSecret {
                client: client.into(),
                client_secret: secret,
            },
        })
    })
    .await
}

/// Get a machine client
///
/// One of the organisation's machine clients, without its secret. For admins.
#[utoipa::path(
    tag = "api-clients",
    operation_id = "getApiClient",
    params(("id" = uuid::Uuid, Path, description = "The client's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The client", body = ApiClientBody),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage clients", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client in the caller's organisation", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}")]
#[tracing::instrument(skip(caller, db))]
pub async fn get_api_client(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    Id(id): Id<ClientId>,
) -> Result<web::Json<ApiClientBody>, ApiError> {
    let client = db::read(&db, move |conn| usecase::show(conn, caller.org_id, id)).await?;
    Ok(web::Json(client.into()))
}

/// Rotate a machine client's secret
///
/// Replaces the secret; the old one stops working at once. Tokens already
/// issued stay valid until they expire.
#[utoipa::path(
    tag = "api-clients",
    operation_id = "rotateApiClientSecret",
    params(("id" = uuid::Uuid, Path, description = "The client's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The client with its new secret, shown only now", body = ApiClientWithSecret),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage clients", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client in the caller's organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The client is revoked (`client_revoked`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/secret")]
#[tracing::instrument(skip(caller, db))]
pub async fn rotate_api_client_secret(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    Id(id): Id<ClientId>,
) -> Result<HttpResponse, ApiError> {
    let secret = secrets::generate(secrets::CLIENT_SECRET_PREFIX);
    let digest = secrets::digest(&secret);
    let client = db::write(&db, move |conn| {
        usecase::rotate_secret(conn, caller.org_id, id, &digest)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ApiClientWithSecret {
            client: client.into(),
            client_secret: secret,
        }))
}

/// Revoke a machine client
///
/// The client can no longer get tokens, and tokens it holds stop working
/// on their next request. Revoking twice is harmless.
#[utoipa::path(
    tag = "api-clients",
    operation_id = "revokeApiClient",
    params(("id" = uuid::Uuid, Path, description = "The client's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage clients", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client in the caller's organisation", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/{id}")]
#[tracing::instrument(skip(caller, db))]
pub async fn revoke_api_client(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    Id(id): Id<ClientId>,
) -> Result<HttpResponse, ApiError> {
    db::write_accounts(&db, move |conn| usecase::revoke(conn, caller.org_id, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
