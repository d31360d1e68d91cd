//! The document's `webhooks` (OpenAPI 3.1): one entry per event type, each
//! a POST Tierlink makes to a registered endpoint, with the Standard
//! Webhooks headers and a body schema that names the type and its `data`
//! (`RequestReceivedEvent`, …), so generated SDKs can parse deliveries.
//! The same schemas describe the change feed's events.
//!
//! utoipa 5 has no field for `webhooks`: the map travels in the document's
//! extensions, which serialize at the top level like any other field.

use serde_json::{Value, json};
use tierlink_domain::events::EventType;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{OpenApi, RefOr};

/// The test ping's type (not in the feed).
const PING: &str = tierlink_usecases::webhooks::PING;

/// Each type Tierlink delivers, with its `data` schema and a summary.
fn deliveries() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut all: Vec<_> = EventType::ALL
        .into_iter()
        .map(|kind| {
            let (data, summary) = match kind {
                EventType::RequestReceived => (
                    "RequestReceivedData",
                    "A request arrived (published or forwarded to you)",
                ),
                EventType::RequestAmended => (
                    "RequestAmendedData",
                    "Your customer amended a request you hold",
                ),
                EventType::RequestDeclined => {
                    ("RequestDeclinedData", "Your supplier declined your request")
                }
                EventType::RequestForwarded => (
                    "RequestForwardedData",
                    "You forwarded a request to your own suppliers",
                ),
                EventType::AnswerSubmitted => {
                    ("AnswerEventData", "Your supplier submitted an answer")
                }
                EventType::AnswerAccepted => {
                    ("AnswerEventData", "Your customer accepted your answer")
                }
                EventType::AnswerChangesRequested => (
                    "AnswerEventData",
                    "Your customer sent your answer back for changes",
                ),
                EventType::RequirementPublished => {
                    ("RequirementEventData", "Your requirement was published")
                }
                EventType::RequirementClosed => {
                    ("RequirementEventData", "Your requirement was closed")
                }
                EventType::RequirementCancelled => {
                    ("RequirementEventData", "Your requirement was cancelled")
                }
                EventType::InvitationAccepted => {
                    ("LinkEventData", "A supplier accepted your invitation")
                }
                EventType::LinkEnded => ("LinkEventData", "A supplier link ended"),
                EventType::RequestDueSoon => (
                    "ReminderEventData",
                    "A request you have not answered is due soon",
                ),
                EventType::RequestOverdue => (
                    "ReminderEventData",
                    "A request is past its due date without an answer",
                ),
            };
            (kind.as_str(), data, summary)
        })
        .collect();
    all.push((PING, "PingData", "A test delivery an admin asked for"));
    all
}

/// `answer.changes_requested` → `AnswerChangesRequestedEvent`.
pub fn envelope_name(event_type: &str) -> String {
    let mut name: String = event_type
        .split(['.', '_'])
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect();
    name.push_str("Event");
    name
}

fn header(name: &str, description: &str, schema: Value, example: &str) -> Value {
    json!({
        "name": name,
        "in": "header",
        "required": true,
        "description": description,
        "schema": schema,
        "example": example,
    })
}

/// Adds the per-type event schemas and the `webhooks` map.
pub fn add(document: &mut OpenApi) {
    let components = document.components.get_or_insert_with(Default::default);
    let mut webhooks = serde_json::Map::new();
    for (event_type, data, summary) in deliveries() {
        let envelope = envelope_name(event_type);
        let schema = json!({
            "description": format!("`{event_type}`: {summary}."),
            "allOf": [
                {"$ref": "#/components/schemas/Event"},
                {
                    "type": "object",
                    "required": ["type", "data"],
                    "properties": {
                        "type": {"type": "string", "enum": [event_type]},
                        "data": {"$ref": format!("#/components/schemas/{data}")}
                    }
                }
            ]
        });
        if let Ok(schema) = serde_json::from_value::<RefOr<Schema>>(schema) {
            components.schemas.insert(envelope.clone(), schema);
        }
        webhooks.insert(
            event_type.to_owned(),
            json!({"post": {
                "summary": summary,
                "description": format!(
                    "Tierlink POSTs this to each enabled endpoint subscribed to `{event_type}` \
                     (Standard Webhooks). Verify `webhook-signature` with the endpoint's `whsec_` \
                     secret before trusting the body; `webhook-id` equals the body's `id`, the \
                     same on every retry: use it to ignore repeats."
                ),
                "operationId": format!("on_{}", event_type.replace('.', "_")),
                "tags": ["webhook-events"],
                "parameters": [
                    header("webhook-id", "The event's id, the same on every attempt.",
                        json!({"type": "string", "format": "uuid"}),
                        "019aee0c-4a7e-7c3e-9d0b-2f1a3c4d5e6f"),
                    header("webhook-timestamp", "When this attempt was signed, in seconds since the Unix epoch: refuse old ones.",
                        json!({"type": "string", "pattern": "^[0-9]+$"}),
                        "1765094400"),
                    header("webhook-signature", "Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`; two while a rotated secret overlaps.",
                        json!({"type": "string"}),
                        "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="),
                ],
                "requestBody": {
                    "required": true,
                    "content": {"application/json": {
                        "schema": {"$ref": format!("#/components/schemas/{envelope}")}
                    }}
                },
                "responses": {
                    "2XX": {"description": "Received: the delivery succeeded."},
                    "default": {"description": "Anything else, a redirect or no answer within the \
                        timeout is a failed attempt, retried with exponential backoff for up to 72 hours."}
                }
            }}),
        );
    }
    document
        .extensions
        .get_or_insert_with(Extensions::default)
        .insert("webhooks".to_owned(), Value::Object(webhooks));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_names_are_pascal_case() {
        assert_eq!(
            envelope_name("answer.changes_requested"),
            "AnswerChangesRequestedEvent"
        );
        assert_eq!(envelope_name("webhook.ping"), "WebhookPingEvent");
    }

    #[test]
    fn every_type_has_a_webhook() {
        let names: Vec<&str> = deliveries().into_iter().map(|(name, ..)| name).collect();
        assert_eq!(names.len(), EventType::ALL.len() + 1);
    }
}
