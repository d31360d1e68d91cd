//! The `data` of each event type, as schemas: what a feed reader, a
//! webhook receiver or a generated SDK can count on finding. The use cases
//! build these payloads (`tierlink_usecases::events`); these types only
//! describe them, and a test checks real events against them.

use chrono::NaiveDate;
use utoipa::ToSchema;

use crate::wire::enums;

/// A party of a request.
#[derive(Debug, ToSchema)]
pub struct EventParty {
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    pub name: String,
}

/// The request an event is about, as both its parties know it.
#[derive(Debug, ToSchema)]
pub struct EventRequest {
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    #[schema(value_type = uuid::Uuid)]
    pub requirement_id: String,
    pub title: String,
    pub due_date: NaiveDate,
    /// Who asked.
    pub customer: EventParty,
    /// Who answers.
    pub supplier: EventParty,
}

/// A submitted revision of an answer.
#[derive(Debug, ToSchema)]
pub struct EventRevision {
    #[schema(minimum = 1)]
    pub number: u32,
    #[schema(value_type = enums::RevisionStatus)]
    pub status: String,
    /// Whether the supplier consented to pass it on to its customer's customer.
    pub share_upstream: bool,
    /// The reviewer's comment, when changes were requested with one.
    pub review_comment: Option<String>,
}

/// A deadline reminder's facts.
#[derive(Debug, ToSchema)]
pub struct EventReminder {
    pub due_date: NaiveDate,
    /// Days until the due date: 0 on the day, negative once overdue.
    pub days_left: i64,
}

/// `request.received`: a request arrived.
#[derive(Debug, ToSchema)]
pub struct RequestReceivedData {
    pub request: EventRequest,
    #[schema(value_type = enums::RequestStatus)]
    pub status: String,
    /// The metrics asked for, by key.
    #[schema(example = json!(["ghg.scope1", "ghg.scope2.location"]))]
    pub items: Vec<String>,
}

/// `request.amended`: the customer amended the requirement behind it.
#[derive(Debug, ToSchema)]
pub struct RequestAmendedData {
    pub request: EventRequest,
    #[schema(value_type = enums::RequestStatus)]
    pub status: String,
    /// The requirement's version after the amendment.
    #[schema(minimum = 1)]
    pub version: i32,
    #[schema(value_type = Vec<enums::RequirementChange>)]
    pub changes: Vec<String>,
    /// Why, in the customer's words.
    pub note: String,
}

/// `request.declined`: the supplier declined a request.
#[derive(Debug, ToSchema)]
pub struct RequestDeclinedData {
    pub request: EventRequest,
    #[schema(value_type = enums::RequestStatus)]
    pub status: String,
    pub reason: String,
}

/// `request.forwarded`: the supplier passed parts of a request on to its
/// own suppliers.
#[derive(Debug, ToSchema)]
pub struct RequestForwardedData {
    pub request: EventRequest,
    #[schema(value_type = enums::RequestStatus)]
    pub status: String,
    /// The requests it made, one per supplier.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub forwarded: Vec<String>,
}

/// `answer.submitted`, `answer.accepted`, `answer.changes_requested`: a
/// revision was submitted or reviewed. Values are not copied: read the
/// answer to see them.
#[derive(Debug, ToSchema)]
pub struct AnswerEventData {
    pub request: EventRequest,
    #[schema(value_type = enums::RequestStatus)]
    pub status: String,
    pub revision: EventRevision,
}

/// `request.due_soon`, `request.overdue`: a deadline reminder.
#[derive(Debug, ToSchema)]
pub struct ReminderEventData {
    pub request: EventRequest,
    #[schema(value_type = enums::RequestStatus)]
    pub status: String,
    pub reminder: EventReminder,
}

/// A requirement, as its owner's events carry it.
#[derive(Debug, ToSchema)]
pub struct EventRequirement {
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    pub title: String,
    #[schema(value_type = enums::RequirementStatus)]
    pub status: String,
    pub version: i32,
    pub due_date: NaiveDate,
}

/// `requirement.published`, `requirement.closed`, `requirement.cancelled`.
#[derive(Debug, ToSchema)]
pub struct RequirementEventData {
    pub requirement: EventRequirement,
}

/// The two firms of a supplier link.
#[derive(Debug, ToSchema)]
pub struct EventLink {
    #[schema(value_type = uuid::Uuid)]
    pub customer: String,
    #[schema(value_type = uuid::Uuid)]
    pub supplier: String,
}

/// `invitation.accepted`, `link.ended`: a supplier link began or ended.
#[derive(Debug, ToSchema)]
pub struct LinkEventData {
    pub link: EventLink,
}

/// `webhook.ping`: a test delivery an admin asked for (never in the feed).
#[derive(Debug, ToSchema)]
pub struct PingData {
    #[schema(value_type = uuid::Uuid)]
    pub webhook_id: String,
}
