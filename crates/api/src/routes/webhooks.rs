//! `/v1/webhooks`: endpoints an organisation's admins register to receive
//! its events as signed HTTP POSTs (Standard Webhooks), their delivery
//! logs, redelivery, test pings and secret rotation. A secret is shown
//! once, at creation or rotation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use base64::Engine as _;
use tierlink_domain::ids::WebhookId;
use tierlink_persistence::Database;
use tierlink_usecases::webhooks::{self as usecase, EndpointInput};
use utoipa_actix_web::service_config::ServiceConfig;

use super::support::page_response;
use crate::auth::caller::{Authorized, need};
use crate::config::WebhookSettings;
use crate::db;
use crate::extract::{JsonBody, QueryParams};
use crate::idempotency::{Created, IdempotencyKey, create_once};
use crate::path::{DeliveryPath, Id};
use crate::problem::{ApiError, Problem};
use crate::wire::pagination::PageParams;
use crate::wire::webhooks::{
    CreateWebhook, DeliveryBody, DeliveryPage, DeliveryQuery, UpdateWebhook, WebhookBody,
    WebhookPage, WebhookWithSecret,
};

/// How long a rotated-out secret keeps signing beside the new one.
const ROTATION_OVERLAP_HOURS: i64 = 24;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(rotate_webhook_secret)
        .service(ping_webhook)
        .service(list_webhook_deliveries)
        .service(redeliver_webhook_delivery);
}

/// A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64.
fn new_secret() -> String {
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>())
    )
}

/// List webhook endpoints
///
/// The organisation's endpoints, oldest first, with their state (an
/// endpoint the server disabled says why in `disabled_reason`).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhooks",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of endpoints", body = WebhookPage),
        (status = 400, description = "`limit` or `cursor` is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("")]
#[tracing::instrument(skip_all)]
pub async fn list_webhooks(
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
    Ok(page_response(&req, page.next.as_ref()).json(WebhookPage {
        next_cursor: page.next.as_ref().map(|next| next.encode()),
        items: page.items.into_iter().map(WebhookBody::from).collect(),
    }))
}

/// Register a webhook endpoint
///
/// Events of the chosen types (all when `event_types` is empty) are POSTed
/// to `url` as JSON, signed per Standard Webhooks with the `secret` in the
/// answer (shown only now): headers `webhook-id` (the event id),
/// `webhook-timestamp` and `webhook-signature` (`v1,` and the base64
/// HMAC-SHA256 of `id.timestamp.body`). A 2xx answer within the timeout
/// acknowledges a delivery; anything else is retried with exponential
/// backoff for 72 hours, after which the endpoint is disabled.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "createWebhook",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body replay the first answer")),
    request_body = CreateWebhook,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered; `secret` is shown only now", body = WebhookWithSecret),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid (a URL that is not https or points at a private address, an unknown event type)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("")]
#[tracing::instrument(skip_all)]
pub async fn create_webhook(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    settings: web::Data<WebhookSettings>,
    JsonBody(body): JsonBody<CreateWebhook>,
    key: IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    let input = EndpointInput {
        url: Some(body.url),
        description: Some(body.description),
        event_types: Some(body.event_types),
        enabled: Some(body.enabled),
    };
    let allow_private = settings.allow_private;
    let secret = new_secret();
    create_once(&db, caller.org_id, key, StatusCode::CREATED, move |tx| {
        let endpoint = usecase::create(tx, caller.org_id, &input, &secret, allow_private)?;
        tracing::info!(webhook_id = %endpoint.id, "webhook endpoint registered");
        Ok(Created {
            status: None,
            location: Some(format!("/v1/webhooks/{}", endpoint.id)),
            etag: None,
            body: WebhookWithSecret {
                webhook: endpoint.into(),
                secret,
            },
        })
    })
    .await
}

/// Show a webhook endpoint
///
/// Its URL, event types and state; never its secret.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "getWebhook",
    params(("id" = uuid::Uuid, Path, description = "The endpoint's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The endpoint", body = WebhookBody),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in the caller's organisation", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}")]
#[tracing::instrument(skip(caller, db))]
pub async fn get_webhook(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    Id(id): Id<WebhookId>,
) -> Result<web::Json<WebhookBody>, ApiError> {
    let endpoint = db::read(&db, move |conn| usecase::show(conn, caller.org_id, id)).await?;
    Ok(web::Json(endpoint.into()))
}

/// Change a webhook endpoint
///
/// The fields given change. `enabled: true` switches an endpoint the
/// server disabled back on; deliveries that failed meanwhile can be sent
/// again with redelivery.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "updateWebhook",
    params(("id" = uuid::Uuid, Path, description = "The endpoint's id")),
    request_body = UpdateWebhook,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The endpoint as changed", body = WebhookBody),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in the caller's organisation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/{id}")]
#[tracing::instrument(skip_all)]
pub async fn update_webhook(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    settings: web::Data<WebhookSettings>,
    Id(id): Id<WebhookId>,
    JsonBody(body): JsonBody<UpdateWebhook>,
) -> Result<web::Json<WebhookBody>, ApiError> {
    let input = EndpointInput {
        url: body.url,
        description: body.description,
        event_types: body.event_types,
        enabled: body.enabled,
    };
    let allow_private = settings.allow_private;
    let endpoint = db::write(&db, move |tx| {
        usecase::update(tx, caller.org_id, id, &input, allow_private)
    })
    .await?;
    Ok(web::Json(endpoint.into()))
}

/// Delete a webhook endpoint
///
/// Deliveries stop at once; the endpoint's delivery log goes with it.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "deleteWebhook",
    params(("id" = uuid::Uuid, Path, description = "The endpoint's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in the caller's organisation", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/{id}")]
#[tracing::instrument(skip(caller, db))]
pub async fn delete_webhook(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    Id(id): Id<WebhookId>,
) -> Result<HttpResponse, ApiError> {
    db::write(&db, move |tx| usecase::delete(tx, caller.org_id, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate a webhook endpoint's secret
///
/// Returns a new secret (shown only now). For 24 hours deliveries carry
/// two signatures, by the new and by the old secret, so the receiver can
/// switch without missing one; `previous_secret_expires_at` says until when.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotateWebhookSecret",
    params(("id" = uuid::Uuid, Path, description = "The endpoint's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new secret", body = WebhookWithSecret),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in the caller's organisation", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/rotate-secret")]
#[tracing::instrument(skip(caller, db))]
pub async fn rotate_webhook_secret(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    Id(id): Id<WebhookId>,
) -> Result<HttpResponse, ApiError> {
    let secret = new_secret();
    let until = chrono::Utc::now() + chrono::Duration::hours(ROTATION_OVERLAP_HOURS);
    let kept = secret.clone();
    let endpoint = db::write(&db, move |tx| {
        usecase::rotate_secret(tx, caller.org_id, id, &kept, until)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(WebhookWithSecret {
            webhook: endpoint.into(),
            secret,
        }))
}

/// Send a test ping
///
/// Queues a signed `webhook.ping` delivery to the endpoint, due at once;
/// follow it in the delivery log.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "pingWebhook",
    params(("id" = uuid::Uuid, Path, description = "The endpoint's id")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued", body = DeliveryBody),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in the caller's organisation", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/ping")]
#[tracing::instrument(skip(caller, db))]
pub async fn ping_webhook(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    Id(id): Id<WebhookId>,
) -> Result<HttpResponse, ApiError> {
    let delivery = db::write(&db, move |tx| usecase::ping(tx, caller.org_id, id)).await?;
    Ok(HttpResponse::Accepted().json(DeliveryBody::from(delivery)))
}

/// List an endpoint's deliveries
///
/// Newest first: each event sent (or being sent) to the endpoint, with the
/// number of attempts and the latest one's HTTP status, error and duration.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhookDeliveries",
    params(("id" = uuid::Uuid, Path, description = "The endpoint's id"), DeliveryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryPage),
        (status = 400, description = "The id, `limit`, `cursor` or `status` is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in the caller's organisation", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/{id}/deliveries")]
#[tracing::instrument(skip_all)]
pub async fn list_webhook_deliveries(
    req: HttpRequest,
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    Id(id): Id<WebhookId>,
    QueryParams(query): QueryParams<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page_request, status) = (query.page()?, query.status()?);
    let page = db::read(&db, move |conn| {
        usecase::deliveries(conn, caller.org_id, id, status, &page_request)
    })
    .await?;
    let mut response = page_response(&req, page.next.as_ref());
    Ok(response.json(DeliveryPage::from(page)))
}

/// Redeliver an event
///
/// Sends the event of an earlier delivery again, as a new delivery due at
/// once, with the same `webhook-id`.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "redeliverWebhookDelivery",
    params(
        ("id" = uuid::Uuid, Path, description = "The endpoint's id"),
        ("delivery_id" = uuid::Uuid, Path, description = "The delivery whose event to send again")
    ),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued", body = DeliveryBody),
        (status = 400, description = "An id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins manage webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint or delivery in the caller's organisation", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/{id}/deliveries/{delivery_id}/redeliver")]
#[tracing::instrument(skip(caller, db))]
pub async fn redeliver_webhook_delivery(
    Authorized(caller, ..): Authorized<need::ManageClients>,
    db: web::Data<Database>,
    Id(id): Id<WebhookId>,
    DeliveryPath(delivery): DeliveryPath,
) -> Result<HttpResponse, ApiError> {
    let delivery = db::write(&db, move |tx| {
        usecase::redeliver(tx, caller.org_id, id, delivery)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(DeliveryBody::from(delivery)))
}
