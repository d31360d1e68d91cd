//! Answers on the wire: entries, drafts, revisions and reviews.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tierlink_domain::answers::{EntryInput, RawValue};
use tierlink_domain::revisions::{RecordedEntry, Revision};
use tierlink_usecases::answers::{Answer, Attached};
use utoipa::ToSchema;

use super::requirements::PeriodBody;

/// One answered item, as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EntryInput, example = json!({"metric": "ghg.scope1", "value": "1234.5", "unit": "tCO2e", "method": "GHG Protocol",
    "obtained": "calculated", "comment": "Two sites", "evidence": []}))]
pub struct EntryInputBody {
    /// The item's metric code.
    pub metric: String,
    /// Decimals as strings (`"0.000123456789"`), booleans as `"true"`/`"false"`,
    /// dates as `YYYY-MM-DD`, choices as their value. Absent for documents.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub value: Value,
    /// For quantities: one of the metric's accepted units.
    pub unit: Option<String>,
    /// The method or standard used (GHG Protocol, ISO 14064-1, ISO 14067, PACT…).
    #[schema(max_length = 200)]
    pub method: Option<String>,
    /// How the value was obtained; `measured` when absent.
    #[schema(value_type = Option<super::enums::Obtained>)]
    pub obtained: Option<String>,
    /// The period covered, when not the requirement's.
    pub period: Option<PeriodBody>,
    /// Up to 4,000 characters.
    #[schema(max_length = 4000)]
    pub comment: Option<String>,
    /// Ids of evidence files uploaded for the same request.
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub evidence: Vec<String>,
}

impl EntryInputBody {
    pub fn to_input(&self) -> EntryInput<'_> {
        EntryInput {
            metric: &self.metric,
            value: match &self.value {
                Value::Null => RawValue::Absent,
                Value::String(s) => RawValue::Text(s.clone()),
                Value::Bool(b) => RawValue::Bool(*b),
                Value::Number(n) => RawValue::Number(n.to_string()),
                _ => RawValue::Other,
            },
            unit: self.unit.as_deref(),
            method: self.method.as_deref(),
            obtained: self.obtained.as_deref(),
            period_start: self.period.as_ref().map(|p| p.start),
            period_end: self.period.as_ref().map(|p| p.end),
            comment: self.comment.as_deref(),
            evidence: &self.evidence,
        }
    }
}

/// `PUT /v1/requests/{id}/answer`: all entries at once (an ERP's bulk
/// submission), replacing the draft; `submit` submits it in the same step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveAnswer {
    pub entries: Vec<EntryInputBody>,
    /// Submit right away (all or nothing: a missing required item fails the whole request).
    #[serde(default)]
    pub submit: bool,
    /// With `submit`: may your customer pass these values further up the chain?
    #[serde(default)]
    pub share_upstream: bool,
}

/// `POST /v1/requests/{id}/answer/submit`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitAnswer {
    /// May your customer pass these values further up the chain? Default `false`:
    /// your customer sees them, its own customers see only that you answered.
    #[serde(default)]
    pub share_upstream: bool,
}

/// One entry as stored.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Entry)]
pub struct EntryBody {
    pub metric: String,
    /// Exactly as reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// For quantities: the value in the metric's canonical unit (exact decimal).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$", example = "1234.5")]
    pub canonical_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[schema(value_type = super::enums::Obtained)]
    pub obtained: String,
    pub period: PeriodBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Ids of the evidence files.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub evidence: Vec<String>,
    /// For a reused entry: where it was copied from (`request/<id>/revision/<n>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The requester's comment, when it sent the revision back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_comment: Option<String>,
}

impl From<RecordedEntry> for EntryBody {
    fn from(entry: RecordedEntry) -> Self {
        Self {
            metric: entry.metric,
            value: entry.value,
            unit: entry.unit,
            canonical_value: entry.canonical_value,
            canonical_unit: entry.canonical_unit,
            method: entry.method,
            obtained: entry.obtained,
            period: PeriodBody {
                start: entry.period_start,
                end: entry.period_end,
            },
            comment: entry.comment,
            evidence: entry.evidence.iter().map(ToString::to_string).collect(),
            source: entry.source,
            review_comment: entry.review_comment,
        }
    }
}

/// A submitted revision.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Revision)]
pub struct RevisionBody {
    /// 1, then one more per submission.
    #[schema(minimum = 1)]
    pub revision: i32,
    #[schema(value_type = super::enums::RevisionStatus)]
    pub status: String,
    pub share_upstream: bool,
    /// Who submitted it (`user:<id>` or `client:<id>`).
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_comment: Option<String>,
    /// The entries (on single-revision reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<EntryBody>>,
}

impl RevisionBody {
    pub fn new(revision: Revision, entries: Option<Vec<RecordedEntry>>) -> Self {
        Self {
            revision: revision.number.get(),
            status: revision.status.as_str().to_owned(),
            share_upstream: revision.share_upstream,
            submitted_by: revision.submitted_by,
            submitted_at: revision.submitted_at,
            reviewed_at: revision.reviewed_at,
            review_comment: revision.review_comment,
            entries: entries.map(|entries| entries.into_iter().map(EntryBody::from).collect()),
        }
    }
}

/// The supplier's view of its answer to a request.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Answer)]
pub struct AnswerBody {
    /// The request's status.
    #[schema(value_type = super::enums::RequestStatus)]
    pub status: String,
    /// The draft: what the next submission will contain.
    pub draft: Vec<EntryBody>,
    /// Submitted revisions, oldest first.
    pub revisions: Vec<RevisionBody>,
}

impl From<Answer> for AnswerBody {
    fn from(answer: Answer) -> Self {
        Self {
            status: answer.status.as_str().to_owned(),
            draft: answer.draft.into_iter().map(EntryBody::from).collect(),
            revisions: answer
                .revisions
                .into_iter()
                .map(|r| RevisionBody::new(r, None))
                .collect(),
        }
    }
}

/// A comment on one item of a revision sent back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemComment {
    /// The item's metric code.
    pub metric: String,
    pub comment: String,
}

/// `POST …/accept` or `POST …/request-changes`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "Please use market-based Scope 2.", "items": [{"metric": "ghg.scope2.market", "comment": "Missing the supplier-specific factor"}]}))]
pub struct ReviewInput {
    /// The overall comment.
    pub comment: Option<String>,
    /// Per-item comments (request-changes only).
    #[serde(default)]
    pub items: Vec<ItemComment>,
}

/// `POST /v1/requests/{id}/answer/attachments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"child_request_id": "019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e81"}))]
pub struct AttachAnswer {
    /// A request you forwarded from this one, whose latest answer you accepted.
    #[schema(value_type = uuid::Uuid)]
    pub child_request_id: String,
}

/// A tier-2 answer attached to a tier-1's answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AttachedAnswer)]
pub struct AttachedBody {
    /// The forwarded request the answer belongs to.
    #[schema(value_type = uuid::Uuid)]
    pub child_request_id: String,
    /// Shown to the tier-1 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_name: Option<String>,
    #[schema(minimum = 1)]
    pub revision: i32,
    /// Whether the tier-2 consented to its values travelling further up.
    pub share_upstream: bool,
    /// The values, where the viewer may see them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<EntryBody>>,
}

impl From<Attached> for AttachedBody {
    fn from(attached: Attached) -> Self {
        Self {
            child_request_id: attached.child_request_id.to_string(),
            supplier_name: attached.supplier_name,
            revision: attached.revision.number.get(),
            share_upstream: attached.revision.share_upstream,
            entries: attached
                .entries
                .map(|entries| entries.into_iter().map(EntryBody::from).collect()),
        }
    }
}

/// Which revision to export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// A revision number; the latest when absent.
    #[param(minimum = 1)]
    pub revision: Option<i32>,
}

/// `POST /v1/requests/{id}/answer/reuse`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"source_request_id": "019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e80", "metrics": ["ghg.scope1"]}))]
pub struct ReuseAnswer {
    /// Another request you answered (for another customer, say).
    #[schema(value_type = uuid::Uuid)]
    pub source_request_id: String,
    /// Only these metrics; every matching one when absent.
    pub metrics: Option<Vec<String>>,
}

/// `POST /v1/answers/bulk`: answers to many requests in one call.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answers": [
    {"request_id": "0190a1b2-0000-7000-8000-000000000001", "submit": true, "share_upstream": false,
     "entries": [{"metric": "ghg.scope1", "value": "1234.5", "unit": "tCO2e", "obtained": "calculated"}]},
    {"request_id": "0190a1b2-0000-7000-8000-000000000002", "submit": false,
     "entries": [{"metric": "energy.total", "value": "812", "unit": "MWh"}]}
]}))]
pub struct BulkAnswers {
    /// One answer per request (each request at most once): 1 to 1,000 answers
    /// and at most 20,000 entries in all.
    #[schema(min_items = 1, max_items = 1000)]
    pub answers: Vec<BulkAnswer>,
}

/// One request's answer in a bulk call: like `PUT /v1/requests/{id}/answer`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkAnswer {
    /// The request answered.
    #[schema(value_type = uuid::Uuid)]
    pub request_id: String,
    /// Every entry of the answer: they replace the request's draft.
    pub entries: Vec<EntryInputBody>,
    /// Submit the draft as a new revision after saving it.
    #[serde(default)]
    pub submit: bool,
    /// With `submit`: may your customer pass these values further up the chain?
    #[serde(default)]
    pub share_upstream: bool,
}

/// What a bulk call did, one line per answer in the order sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkAnswersResult {
    pub answers: Vec<BulkAnswerResult>,
    /// Entries saved in all.
    pub entries: usize,
}

/// What a bulk call did to one request.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkAnswerResult {
    #[schema(value_type = uuid::Uuid)]
    pub request_id: String,
    /// The request's status afterwards (`in_progress`, `submitted`…).
    #[schema(value_type = super::enums::RequestStatus)]
    pub status: String,
    /// Entries saved in the draft.
    pub entries: usize,
    /// The revision made, when submitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub revision: Option<i32>,
}
