//! Webhook endpoints and their deliveries on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tierlink_usecases::webhooks::{Delivery, Endpoint};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::enums;

/// `POST /v1/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://erp.example.com/tierlink/webhooks",
    "description": "SAP production", "event_types": ["answer.submitted", "request.received"]}))]
pub struct CreateWebhook {
    /// Where deliveries are POSTed: an absolute `https` URL whose host
    /// resolves to public addresses, at most 2,000 characters.
    #[schema(format = "uri", max_length = 2000)]
    pub url: String,
    /// For people: at most 200 characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub description: String,
    /// The event types to deliver; empty or absent: all of them.
    #[serde(default)]
    #[schema(value_type = Vec<enums::EventType>)]
    pub event_types: Vec<String>,
    /// Whether deliveries go out (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// `PATCH /v1/webhooks/{id}`: the fields given change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"event_types": ["answer.submitted"], "enabled": true}))]
pub struct UpdateWebhook {
    #[schema(format = "uri", max_length = 2000)]
    pub url: Option<String>,
    #[schema(max_length = 200)]
    pub description: Option<String>,
    #[schema(value_type = Option<Vec<enums::EventType>>)]
    pub event_types: Option<Vec<String>>,
    /// Switching an endpoint the server disabled back on clears its
    /// `disabled_reason`.
    pub enabled: Option<bool>,
}

/// A webhook endpoint, without its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Webhook, example = json!({"id": "019aee0c-4a7e-7c3e-9d0b-2f1a3c4d5e6f",
    "url": "https://erp.example.com/tierlink/webhooks", "description": "SAP production",
    "event_types": ["answer.submitted"], "enabled": true,
    "created_at": "2026-12-05T08:00:00Z", "updated_at": "2026-12-05T08:00:00Z"}))]
pub struct WebhookBody {
    pub id: Uuid,
    pub url: String,
    pub description: String,
    /// Empty: every type.
    #[schema(value_type = Vec<enums::EventType>)]
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Why the server switched the endpoint off (its deliveries kept
    /// failing for the whole retry period).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    /// Since when deliveries have been failing, while they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation also signs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Endpoint> for WebhookBody {
    fn from(endpoint: Endpoint) -> Self {
        Self {
            id: endpoint.id.as_uuid(),
            url: endpoint.url,
            description: endpoint.description,
            event_types: endpoint
                .event_types
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            enabled: endpoint.enabled,
            disabled_reason: endpoint.disabled_reason,
            failing_since: endpoint.failing_since,
            previous_secret_expires_at: endpoint.previous_secret_until,
            created_at: endpoint.created_at,
            updated_at: endpoint.updated_at,
        }
    }
}

/// An endpoint with its signing secret: shown at creation and rotation only.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookBody,
    /// The Standard Webhooks signing secret (`whsec_` and base64).
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookPage {
    pub items: Vec<WebhookBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One event's delivery to one endpoint, with its latest attempt.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WebhookDelivery, example = json!({"id": "019aee0d-0000-7000-8000-000000000001",
    "webhook_id": "019aee0c-4a7e-7c3e-9d0b-2f1a3c4d5e6f", "event_id": "019aee0c-5555-7000-8000-000000000003",
    "event_type": "answer.submitted", "status": "succeeded", "attempts": 1,
    "last_attempt_at": "2026-12-05T08:00:01Z", "response_status": 204, "duration_ms": 41,
    "created_at": "2026-12-05T08:00:00Z"}))]
pub struct DeliveryBody {
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// Sent as `webhook-id`; the same for every attempt and redelivery.
    #[schema(value_type = Uuid)]
    pub event_id: String,
    /// An event type, or `webhook.ping` for a test ping.
    pub event_type: String,
    #[schema(value_type = enums::DeliveryStatus)]
    pub status: String,
    pub attempts: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status the endpoint answered the latest attempt with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_status: Option<i32>,
    /// Why the latest attempt failed without an HTTP answer (timeout,
    /// refused address, connection error) or with a non-2xx one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i32>,
    pub created_at: DateTime<Utc>,
}

impl From<Delivery> for DeliveryBody {
    fn from(delivery: Delivery) -> Self {
        Self {
            id: delivery.id.as_uuid(),
            webhook_id: delivery.endpoint_id.as_uuid(),
            event_id: delivery.event_id,
            event_type: delivery.event_type,
            status: delivery.status.as_str().to_owned(),
            attempts: delivery.attempts,
            next_attempt_at: delivery.next_attempt_at,
            last_attempt_at: delivery.last_attempt_at,
            response_status: delivery.response_status,
            failure: delivery.error,
            duration_ms: delivery.duration_ms,
            created_at: delivery.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl From<tierlink_domain::pagination::Page<Delivery>> for DeliveryPage {
    fn from(page: tierlink_domain::pagination::Page<Delivery>) -> Self {
        Self {
            next_cursor: page.next.as_ref().map(|next| next.encode()),
            items: page.items.into_iter().map(DeliveryBody::from).collect(),
        }
    }
}

/// Which deliveries to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// How many items to return, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, default = 50, example = 50)]
    pub limit: Option<u32>,
    /// Where to continue: the `next_cursor` of the previous page. Opaque.
    pub cursor: Option<String>,
    /// Only deliveries in this state.
    #[param(value_type = Option<enums::DeliveryStatus>)]
    pub status: Option<String>,
}

impl DeliveryQuery {
    /// The page asked for.
    pub fn page(
        &self,
    ) -> Result<tierlink_domain::pagination::PageRequest, crate::problem::ApiError> {
        super::pagination::PageParams {
            limit: self.limit,
            cursor: self.cursor.clone(),
        }
        .to_request()
    }

    /// The status filter, if any.
    pub fn status(
        &self,
    ) -> Result<Option<tierlink_domain::webhooks::DeliveryStatus>, crate::problem::ApiError> {
        self.status
            .as_deref()
            .map(|raw| {
                tierlink_domain::webhooks::DeliveryStatus::parse(raw).ok_or_else(|| {
                    crate::problem::ApiError::invalid_parameter(tierlink_domain::FieldError::new(
                        "status",
                        "invalid_value",
                        format!("`{raw}` is not pending, succeeded or failed"),
                    ))
                })
            })
            .transpose()
    }
}
