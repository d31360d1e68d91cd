//! Requests on the wire: what a supplier received, and what a requester sent.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tierlink_domain::requests::{Request, is_overdue};
use tierlink_usecases::requests::RequestProgress;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::network::OrganisationRef;
use super::requirements::{ItemBody, PeriodBody, VersionBody};

/// A request to one supplier.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SupplierRequest)]
pub struct RequestBody {
    pub id: Uuid,
    /// Who asks: your direct customer (for a forwarded request, the tier-1).
    pub customer: OrganisationRef,
    /// Who answers.
    pub supplier: OrganisationRef,
    /// 1 when the customer wrote the requirement; 2 when a tier-1 forwarded it.
    #[schema(minimum = 1, maximum = 2)]
    pub tier: i32,
    pub title: String,
    pub message: String,
    pub period: PeriodBody,
    pub due_date: NaiveDate,
    /// Still owed and past its due date.
    pub overdue: bool,
    #[schema(value_type = super::enums::RequestStatus)]
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
    pub items: Vec<ItemBody>,
    /// The version of the requirement this request reflects.
    pub requirement_version: i32,
    /// What changed in each amendment since publication (direct requests only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub amendments: Vec<VersionBody>,
    /// Whether the supplier may forward it to its own suppliers.
    pub forwardable: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RequestBody {
    pub fn new(
        request: Request,
        today: NaiveDate,
        forwardable: bool,
        amendments: Vec<VersionBody>,
    ) -> Self {
        Self {
            id: request.id.as_uuid(),
            customer: OrganisationRef {
                id: request.requester_org_id.as_uuid(),
                name: request.requester_name,
                country: None,
            },
            supplier: OrganisationRef {
                id: request.supplier_org_id.as_uuid(),
                name: request.supplier_name,
                country: None,
            },
            tier: request.depth,
            title: request.title,
            message: request.message,
            period: PeriodBody {
                start: request.period.start(),
                end: request.period.end(),
            },
            due_date: request.due_date,
            overdue: is_overdue(request.status, request.due_date, today),
            status: request.status.as_str().to_owned(),
            decline_reason: request.decline_reason,
            items: request.items.iter().map(ItemBody::from).collect(),
            requirement_version: request.requirement_version,
            amendments,
            forwardable,
            created_at: request.created_at,
            updated_at: request.updated_at,
        }
    }
}

/// A page of requests.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SupplierRequestPage)]
pub struct RequestPage {
    pub items: Vec<RequestBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Filters for `GET /v1/requests`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// Only requests in this status.
    #[param(value_type = Option<super::enums::RequestStatus>)]
    pub status: Option<String>,
    /// Only requests from this customer (organisation id).
    #[param(value_type = Option<Uuid>)]
    pub customer: Option<String>,
    /// Due on or before this date.
    pub due_before: Option<NaiveDate>,
    /// Due on or after this date.
    pub due_after: Option<NaiveDate>,
    /// `true`: only overdue requests; `false`: only those not overdue.
    pub overdue: Option<bool>,
    /// How many items to return, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Where to continue: the `next_cursor` of the previous page. Opaque.
    pub cursor: Option<String>,
}

/// `POST /v1/requests/{id}/decline`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "We do not produce this product any more."}))]
pub struct DeclineRequest {
    /// Why, for the customer: 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// `POST /v1/requests/{id}/forward`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"suppliers": ["019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e70"], "metrics": ["ghg.scope1"],
    "due_date": "2027-01-31", "message": "Please send your 2026 Scope 1 by the end of January."}))]
pub struct ForwardRequest {
    /// Your direct suppliers to ask (at least one).
    #[schema(min_items = 1)]
    pub suppliers: Vec<Uuid>,
    /// The items to pass on (metric codes); all of them when absent.
    pub metrics: Option<Vec<String>>,
    /// No later than your own due date (the default).
    pub due_date: Option<NaiveDate>,
    /// Your message to them, up to 10,000 characters.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub message: String,
}

/// One of a requirement's requests, for its requester: the supplier's status
/// and, as counts only, the progress of what it forwarded to tier 2.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RequestProgress)]
pub struct RequestProgressBody {
    pub id: Uuid,
    pub supplier: OrganisationRef,
    #[schema(value_type = super::enums::RequestStatus)]
    pub status: String,
    pub due_date: NaiveDate,
    pub overdue: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub tier2: Tier2Progress,
}

/// Progress of the requests a tier-1 forwarded: counts only.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tier2Progress {
    #[schema(value_type = i64, minimum = 0)]
    pub total: usize,
    /// Status → number of tier-2 requests.
    pub by_status: BTreeMap<String, usize>,
}

impl RequestProgressBody {
    pub fn new(progress: RequestProgress, today: NaiveDate) -> Self {
        let request = progress.request;
        Self {
            id: request.id.as_uuid(),
            supplier: OrganisationRef {
                id: request.supplier_org_id.as_uuid(),
                name: request.supplier_name,
                country: None,
            },
            status: request.status.as_str().to_owned(),
            due_date: request.due_date,
            overdue: is_overdue(request.status, request.due_date, today),
            decline_reason: request.decline_reason,
            updated_at: request.updated_at,
            tier2: Tier2Progress {
                total: progress.forwarded_total,
                by_status: progress
                    .forwarded_by_status
                    .into_iter()
                    .map(|(s, n)| (s.as_str().to_owned(), n))
                    .collect(),
            },
        }
    }
}

/// A page of a requirement's requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestProgressPage {
    pub items: Vec<RequestProgressBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
