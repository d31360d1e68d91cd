//! Events: what happened, recorded once by the use case that did it, for
//! the organisations that may know. The change feed, webhooks and the
//! audit trail all read the same records.

use serde_json::Value;

use crate::ids::OrgId;

/// What happened. The names are the wire's (`answer.submitted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A supplier received a request (published to it, or forwarded to it).
    RequestReceived,
    /// A request a supplier holds changed with its requirement's amendment.
    RequestAmended,
    /// The supplier declined a request (to its sender).
    RequestDeclined,
    /// A tier-1 forwarded a request (to itself: the children it made).
    RequestForwarded,
    /// The supplier submitted a revision (to the request's sender).
    AnswerSubmitted,
    /// The sender accepted a revision (to the supplier).
    AnswerAccepted,
    /// The sender sent a revision back (to the supplier).
    AnswerChangesRequested,
    RequirementPublished,
    RequirementClosed,
    RequirementCancelled,
    /// A supplier accepted an invitation (to the inviting firm).
    InvitationAccepted,
    /// A supplier link ended (to both firms).
    LinkEnded,
    RequestDueSoon,
    RequestOverdue,
}

impl EventType {
    pub const ALL: [Self; 14] = [
        Self::RequestReceived,
        Self::RequestAmended,
        Self::RequestDeclined,
        Self::RequestForwarded,
        Self::AnswerSubmitted,
        Self::AnswerAccepted,
        Self::AnswerChangesRequested,
        Self::RequirementPublished,
        Self::RequirementClosed,
        Self::RequirementCancelled,
        Self::InvitationAccepted,
        Self::LinkEnded,
        Self::RequestDueSoon,
        Self::RequestOverdue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequestReceived => "request.received",
            Self::RequestAmended => "request.amended",
            Self::RequestDeclined => "request.declined",
            Self::RequestForwarded => "request.forwarded",
            Self::AnswerSubmitted => "answer.submitted",
            Self::AnswerAccepted => "answer.accepted",
            Self::AnswerChangesRequested => "answer.changes_requested",
            Self::RequirementPublished => "requirement.published",
            Self::RequirementClosed => "requirement.closed",
            Self::RequirementCancelled => "requirement.cancelled",
            Self::InvitationAccepted => "invitation.accepted",
            Self::LinkEnded => "link.ended",
            Self::RequestDueSoon => "request.due_soon",
            Self::RequestOverdue => "request.overdue",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == input)
    }

    /// The kind of resource an event of this type is about.
    pub fn resource_type(self) -> &'static str {
        match self {
            Self::RequestReceived
            | Self::RequestAmended
            | Self::RequestDeclined
            | Self::RequestForwarded
            | Self::RequestDueSoon
            | Self::RequestOverdue
            | Self::AnswerSubmitted
            | Self::AnswerAccepted
            | Self::AnswerChangesRequested => "request",
            Self::RequirementPublished | Self::RequirementClosed | Self::RequirementCancelled => {
                "requirement"
            }
            Self::InvitationAccepted | Self::LinkEnded => "link",
        }
    }
}

/// An event to record: one audience organisation, and a payload shaped
/// for it (the use case applies consent and disclosure before).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: EventType,
    /// The id of the resource it is about (a request, a requirement, or
    /// for links the other organisation).
    pub resource_id: String,
    /// Who did it: `user:<id>`, `client:<id>` or `system`.
    pub actor: String,
    /// The organisation that may see it.
    pub audience: OrgId,
    pub payload: Value,
}

impl NewEvent {
    /// The event as receivers get it (the feed's items and webhook bodies
    /// have this shape): `id`, `type`, `resource`, `actor`, `occurred_at`,
    /// `data`.
    pub fn envelope(&self, event_id: &str, occurred_at: chrono::DateTime<chrono::Utc>) -> Value {
        serde_json::json!({
            "id": event_id,
            "type": self.kind.as_str(),
            "resource": {"type": self.kind.resource_type(), "id": self.resource_id},
            "actor": self.actor,
            "occurred_at": occurred_at,
            "data": self.payload,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_through_its_name() {
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventType::parse("answer.deleted"), None);
    }
}

/// A position in an organisation's change feed: after which event to go
/// on. Opaque to clients (the event's number in the outbox).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventCursor(i64);

impl EventCursor {
    /// The start of the feed.
    pub const START: Self = Self(0);

    /// The position of the event numbered `seq`.
    pub fn at(seq: i64) -> Self {
        Self(seq.max(0))
    }

    pub fn seq(self) -> i64 {
        self.0
    }

    pub fn encode(self) -> String {
        self.0.to_string()
    }

    /// Parses a cursor given by a client; `field` names where it came from.
    pub fn parse(field: &str, input: &str) -> Result<Self, crate::FieldError> {
        input
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0 && input.bytes().all(|b| b.is_ascii_digit()))
            .map(Self)
            .ok_or_else(|| {
                crate::FieldError::new(
                    field,
                    "invalid_cursor",
                    "not a cursor this feed gave out; start without one",
                )
            })
    }
}

#[cfg(test)]
mod cursor_tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let cursor = EventCursor::at(42);
        assert_eq!(EventCursor::parse("after", &cursor.encode()), Ok(cursor));
        assert!(EventCursor::at(43) > cursor);
        for bad in ["", "x", "-1", "+4", "4.2", "7\u{0}", " 7"] {
            assert!(EventCursor::parse("after", bad).is_err(), "{bad:?}");
        }
    }
}
