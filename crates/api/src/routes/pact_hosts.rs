//! `/v1/pact-hosts`: the PACT hosts of an organisation's own PACT client
//! (SAP SDX, SiGREEN, …), to which Tierlink sends the answers to the PACT
//! requests it made. Admins only; a client secret is never shown back.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use tierlink_domain::ids::WebhookId;
use tierlink_persistence::Database;
use tierlink_usecases::pact::{self as usecase, HostInput};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::caller::{Authorized, need};
use crate::config::WebhookSettings;
use crate::db;
use crate::extract::JsonBody;
use crate::extract::QueryParams;
use crate::idempotency::{Created, IdempotencyKey, create_once};
use crate::path::{DeliveryPath, Id};
use crate::problem::{ApiError, Problem};
use crate::wire::pact_hosts::{CreatePactHost, PactHostBody, PactHostList};
use crate::wire::webhooks::{DeliveryBody, DeliveryPage, DeliveryQuery};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_pact_hosts)
        .service(register_pact_host)
        .service(delete_pact_host)
        .service(list_pact_host_deliveries)
        .service(redeliver_to_pact_host);
}

/// List your PACT hosts
///
/// Where the answers to your PACT requests go, and whether deliveries
/// there are working.
#[utoipa::path(
    tag = "pact-hosts",
    operation_id = "listPactHosts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your PACT hosts", body = PactHostList),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage PACT hosts", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("")]
#[tracing::instrument(skip_all)]
pub async fn list_pact_hosts(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
) -> Result<web::Json<PactHostList>, ApiError> {
    let hosts = db::read(&db, move |conn| usecase::hosts(conn, caller.org_id)).await?;
    Ok(web::Json(PactHostList {
        items: hosts.into_iter().map(PactHostBody::from).collect(),
    }))
}

/// Register a PACT host
///
/// Your PACT client's host: a `RequestCreatedEvent` whose `source` is
/// `base_url` is answered there, at `<base_url>/3/events`, with a token
/// from its token endpoint for `client_id`. Registering the same URL
/// again replaces the credentials and switches the host back on.
#[utoipa::path(
    tag = "pact-hosts",
    operation_id = "registerPactHost",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    request_body = CreatePactHost,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered", body = PactHostBody),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage PACT hosts", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid (a URL that is not https or points at a private address)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("")]
#[tracing::instrument(skip_all)]
pub async fn register_pact_host(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    settings: web::Data<WebhookSettings>,
    JsonBody(body): JsonBody<CreatePactHost>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let input = HostInput {
        base_url: body.base_url,
        token_url: body.token_url,
        client_id: body.client_id,
        client_secret: body.client_secret,
    };
    let allow_private = settings.allow_private;
    create_once(&db, caller.org_id, key, StatusCode::CREATED, move |tx| {
        let host = usecase::register_host(tx, caller.org_id, &input, allow_private)?;
        Ok(Created {
            status: None,
            location: None,
            etag: None,
            body: PactHostBody::from(host),
        })
    })
    .await
}

/// Remove a PACT host
///
/// Answers still queued for it are dropped.
#[utoipa::path(
    tag = "pact-hosts",
    operation_id = "deletePactHost",
    params(("id" = uuid::Uuid, Path, description = "The PACT host's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage PACT hosts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such PACT host of yours", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/{id}")]
#[tracing::instrument(skip(caller, db))]
pub async fn delete_pact_host(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    Id(id): Id<WebhookId>,
) -> Result<HttpResponse, ApiError> {
    db::write(&db, move |tx| usecase::delete_host(tx, caller.org_id, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// List what was sent to a PACT host
///
/// Newest first: each answer (`RequestFulfilledEvent`,
/// `RequestRejectedEvent`) sent or being sent to the host, with its
/// attempts and the latest one's HTTP status or error. `webhook_id` is the
/// host's id.
#[utoipa::path(
    tag = "pact-hosts",
    operation_id = "listPactHostDeliveries",
    params(("id" = uuid::Uuid, Path, description = "The PACT host's id"), DeliveryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryPage),
        (status = 400, description = "The id, `limit`, `cursor` or `status` is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage PACT hosts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such PACT host of yours", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/deliveries")]
#[tracing::instrument(skip_all)]
pub async fn list_pact_host_deliveries(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    Id(id): Id<WebhookId>,
    QueryParams(query): QueryParams<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page_request, status) = (query.page()?, query.status()?);
    let page = db::read(&db, move |conn| {
        usecase::host_deliveries(conn, caller.org_id, id, status, &page_request)
    })
    .await?;
    let mut response = super::support::page_response(&req, page.next.as_ref());
    Ok(response.json(DeliveryPage::from(page)))
}

/// Send an answer to a PACT host again
///
/// Queues the event of an earlier delivery again (the same event `id`),
/// due at once: for an answer whose retries ran out while the host was
/// away. Register the host again first if it was switched off.
#[utoipa::path(
    tag = "pact-hosts",
    operation_id = "redeliverToPactHost",
    params(
        ("id" = uuid::Uuid, Path, description = "The PACT host's id"),
        ("delivery_id" = uuid::Uuid, Path, description = "The delivery whose event to send again")
    ),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued", body = DeliveryBody),
        (status = 400, description = "An id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage PACT hosts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such PACT host or delivery of yours", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/deliveries/{delivery_id}/redeliver")]
#[tracing::instrument(skip(caller, db))]
pub async fn redeliver_to_pact_host(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    Id(id): Id<WebhookId>,
    DeliveryPath(delivery): DeliveryPath,
) -> Result<HttpResponse, ApiError> {
    let delivery = db::write(&db, move |tx| {
        usecase::redeliver_to_host(tx, caller.org_id, id, delivery)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(DeliveryBody::from(delivery)))
}
