//! Events on the wire: the change feed's envelope and its query.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tierlink_usecases::events::StoredEvent;
use utoipa::{IntoParams, ToSchema};

/// What the feed is asked for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    /// Where to go on from: the `next_cursor` of the previous page. Absent:
    /// from the oldest event kept.
    pub after: Option<String>,
    /// Only these types, comma-separated (`answer.submitted,request.received`).
    pub types: Option<String>,
    /// How many events at most, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, default = 50, example = 50)]
    pub limit: Option<u32>,
    /// Long polling: when nothing is new, wait up to this many seconds
    /// (0 to 30, default 0) for an event before answering.
    #[param(minimum = 0, maximum = 30, default = 0, example = 20)]
    pub wait: Option<u32>,
}

/// What an event is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResource {
    /// `request`, `requirement` or `link`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// The request's or requirement's id; for a link, the other organisation's.
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
}

/// One thing that happened, for one organisation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019aee0c-4a7e-7c3e-9d0b-2f1a3c4d5e6f", "type": "answer.submitted",
    "resource": {"type": "request", "id": "019aee0b-1111-7000-8000-000000000001"},
    "actor": "user:019aee0a-2222-7000-8000-000000000002", "occurred_at": "2026-12-05T08:00:00Z",
    "data": {"status": "submitted", "revision": {"number": 1, "status": "submitted", "share_upstream": false}}}))]
pub struct Event {
    /// Unique per event and audience: use it to ignore a repeat.
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    /// `request.received`, `answer.submitted`, …: each type's `data` is
    /// described by its schema (`RequestReceivedEvent`, …) and under
    /// `webhooks` in this document.
    #[serde(rename = "type")]
    pub event_type: String,
    pub resource: EventResource,
    /// Who did it: `user:<id>`, `client:<id>`, or `system` for the
    /// server's own work (deadline reminders, test pings).
    pub actor: String,
    pub occurred_at: DateTime<Utc>,
    /// What a receiver needs to act, shaped for this organisation.
    #[schema(value_type = Object)]
    pub data: Value,
}

impl From<StoredEvent> for Event {
    fn from(event: StoredEvent) -> Self {
        Self {
            id: event.event_id,
            event_type: event.kind.as_str().to_owned(),
            resource: EventResource {
                resource_type: event.resource_type,
                id: event.resource_id,
            },
            actor: event.actor,
            occurred_at: event.occurred_at,
            data: serde_json::from_str(&event.payload).unwrap_or(Value::Null),
        }
    }
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<Event>,
    /// Where to go on from next time, even when `items` is empty: keep it
    /// and ask again.
    pub next_cursor: String,
}
