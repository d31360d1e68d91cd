//! The audit trail on the wire: its query and its records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tierlink_usecases::events::AuditRecord;
use utoipa::{IntoParams, ToSchema};

use crate::wire::enums;
use crate::wire::events::Event;

/// What the audit trail is asked for. Filters combine (all must hold).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only records about this kind of resource.
    #[param(value_type = Option<enums::ResourceType>)]
    pub resource_type: Option<String>,
    /// Only records about this resource (a request's or requirement's id;
    /// for a link, the other organisation's).
    #[param(value_type = Option<uuid::Uuid>)]
    pub resource_id: Option<String>,
    /// Only what this actor did: `user:<id>`, `client:<id>` or `system`.
    #[param(example = "user:019aee0a-2222-7000-8000-000000000002")]
    pub actor: Option<String>,
    /// Only these types, comma-separated (`answer.accepted,answer.changes_requested`).
    pub types: Option<String>,
    /// Only records at or after this time (RFC 3339).
    #[param(example = "2026-12-01T00:00:00Z")]
    pub since: Option<DateTime<Utc>>,
    /// Only records before this time (RFC 3339).
    #[param(example = "2026-12-31T00:00:00Z")]
    pub until: Option<DateTime<Utc>>,
    /// How many records to return, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, default = 50, example = 50)]
    pub limit: Option<u32>,
    /// Where to continue: the `next_cursor` of the previous page. Opaque.
    pub cursor: Option<String>,
}

/// One record of the audit trail: an event as it was recorded, with who
/// it was addressed to and the call that caused it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"event": {"id": "019aee0c-4a7e-7c3e-9d0b-2f1a3c4d5e6f", "type": "answer.accepted",
    "resource": {"type": "request", "id": "019aee0b-1111-7000-8000-000000000001"},
    "actor": "user:019aee0a-2222-7000-8000-000000000002", "occurred_at": "2026-12-05T08:00:00Z",
    "data": {"status": "accepted", "revision": {"number": 1, "status": "accepted", "share_upstream": false}}},
    "audience": "019aee0a-0000-7000-8000-00000000000a",
    "actor_organisation": "019aee0a-0000-7000-8000-00000000000b",
    "request_id": "019aee0c-4a70-7000-8000-0000000000ff"}))]
pub struct AuditEvent {
    pub event: Event,
    /// The organisation the event was addressed to (mine, or the other
    /// party's when one of my people or clients acted).
    #[schema(value_type = uuid::Uuid)]
    pub audience: String,
    /// The organisation the actor acted for; absent for the server's own
    /// work (`system`, such as deadline reminders).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub actor_organisation: Option<String>,
    /// The `X-Request-Id` of the call that made the change (as its answer
    /// and the server's logs carry it); absent for the server's own work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl From<AuditRecord> for AuditEvent {
    fn from(record: AuditRecord) -> Self {
        Self {
            event: Event::from(record.event),
            audience: record.audience,
            actor_organisation: record.actor_org_id,
            request_id: record.request_id,
        }
    }
}

/// A page of the audit trail, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    /// Absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
