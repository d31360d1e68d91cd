//! Requirements on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tierlink_domain::ids::OrgId;
use tierlink_domain::requirements::{
    Audience, ContentInput, ItemInput, RequirementItem, RequirementStatus,
};
use tierlink_domain::requirements::{Requirement, Version};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A period, both ends inclusive.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"start": "2026-01-01", "end": "2026-12-31"}), as = Period)]
pub struct PeriodBody {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// One thing a requirement asks for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RequirementItem)]
pub struct ItemBody {
    /// A metric code from `GET /v1/metrics`.
    #[schema(example = "ghg.scope1")]
    pub metric: String,
    /// Whether an answer must include it (default `true`).
    #[serde(default = "yes")]
    pub required: bool,
    /// What you want, in your words: up to 2,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub guidance: Option<String>,
    /// Whether estimated values are acceptable (default `false`).
    #[serde(default)]
    pub estimates_accepted: bool,
    /// Only for `pcf.product_footprints`: your part numbers of the products
    /// you want footprints of (each supplier answers for those it sells
    /// you); absent or empty: every product a supplier sells you.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 1000, example = json!(["HMC-778", "HMC-779"]))]
    pub part_numbers: Vec<String>,
}

fn yes() -> bool {
    true
}

impl From<&RequirementItem> for ItemBody {
    fn from(item: &RequirementItem) -> Self {
        Self {
            metric: item.metric.clone(),
            required: item.required,
            guidance: item.guidance.clone(),
            estimates_accepted: item.estimates_accepted,
            part_numbers: item.part_numbers.clone(),
        }
    }
}

/// Who receives a requirement.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Audience)]
pub struct AudienceBody {
    /// Every active direct supplier at publication.
    #[serde(default)]
    pub all_active_suppliers: bool,
    /// Or these direct suppliers (organisation ids).
    #[serde(default)]
    pub suppliers: Vec<Uuid>,
}

/// The content of a requirement, as sent to create or replace a draft.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "FY2026 supplier carbon data",
    "description": "Scope 1 and 2 for the calendar year, for our CSRD report.",
    "period": {"start": "2026-01-01", "end": "2026-12-31"},
    "due_date": "2027-02-28",
    "items": [{"metric": "ghg.scope1"}, {"metric": "ghg.scope2.market", "estimates_accepted": true}],
    "audience": {"all_active_suppliers": true},
    "cascade_depth": 2
}))]
pub struct RequirementInput {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Up to 10,000 characters.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    pub period: PeriodBody,
    /// Today or later.
    pub due_date: NaiveDate,
    /// 1 to 200 items, each metric once.
    #[schema(min_items = 1, max_items = 200)]
    pub items: Vec<ItemBody>,
    pub audience: AudienceBody,
    /// 1: tier-1 only; 2: tier-1s may forward to their suppliers. Default 1.
    #[serde(default = "one")]
    #[schema(value_type = i32, minimum = 1, maximum = 2, default = 1)]
    pub cascade_depth: i64,
}

fn one() -> i64 {
    1
}

impl RequirementInput {
    pub fn to_content_input(&self) -> ContentInput<'_> {
        ContentInput {
            title: &self.title,
            description: &self.description,
            period_start: self.period.start,
            period_end: self.period.end,
            due_date: self.due_date,
            items: self
                .items
                .iter()
                .map(|item| ItemInput {
                    metric: &item.metric,
                    required: item.required,
                    guidance: item.guidance.as_deref(),
                    estimates_accepted: item.estimates_accepted,
                    part_numbers: item.part_numbers.iter().map(String::as_str).collect(),
                })
                .collect(),
            audience_all: self.audience.all_active_suppliers,
            audience: self
                .audience
                .suppliers
                .iter()
                .map(|id| OrgId::from_uuid(*id))
                .collect(),
            cascade_depth: self.cascade_depth,
        }
    }
}

/// `POST /v1/requirements/{id}/amendments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendRequirement {
    /// Why it changed, shown to suppliers.
    #[serde(default)]
    pub note: String,
    /// The new content. Title, description, due date and items may change.
    pub content: RequirementInput,
}

/// A requirement, as its requester sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Requirement)]
pub struct RequirementBody {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub period: PeriodBody,
    pub due_date: NaiveDate,
    pub items: Vec<ItemBody>,
    pub audience: AudienceBody,
    /// 1: tier-1 only; 2: tier-1s may forward to their suppliers.
    #[schema(value_type = i32, minimum = 1, maximum = 2)]
    pub cascade_depth: u8,
    #[schema(value_type = super::enums::RequirementStatus)]
    pub status: String,
    /// What can be done next.
    #[schema(value_type = Vec<super::enums::RequirementAction>)]
    pub allowed_actions: Vec<String>,
    /// 1, then one more per amendment.
    #[schema(minimum = 1)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
}

impl From<Requirement> for RequirementBody {
    fn from(requirement: Requirement) -> Self {
        let content = requirement.content;
        Self {
            id: requirement.id.as_uuid(),
            title: content.title,
            description: content.description,
            period: PeriodBody {
                start: content.period.start(),
                end: content.period.end(),
            },
            due_date: content.due_date,
            items: content.items.iter().map(ItemBody::from).collect(),
            audience: match content.audience {
                Audience::AllActiveSuppliers => AudienceBody {
                    all_active_suppliers: true,
                    suppliers: Vec::new(),
                },
                Audience::Chosen(suppliers) => AudienceBody {
                    all_active_suppliers: false,
                    suppliers: suppliers.iter().map(OrgId::as_uuid).collect(),
                },
            },
            cascade_depth: content.cascade_depth.get(),
            status: requirement.status.as_str().to_owned(),
            allowed_actions: requirement
                .status
                .allowed_actions()
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            version: requirement.version,
            created_at: requirement.created_at,
            updated_at: requirement.updated_at,
            published_at: requirement.published_at,
        }
    }
}

/// Filters for `GET /v1/requirements`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequirementQuery {
    /// Only requirements in this status.
    #[param(value_type = Option<super::enums::RequirementStatus>)]
    pub status: Option<String>,
    /// How many items to return, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Where to continue: the `next_cursor` of the previous page. Opaque.
    pub cursor: Option<String>,
}

impl RequirementQuery {
    pub fn status(&self) -> Result<Option<RequirementStatus>, tierlink_domain::FieldError> {
        self.status
            .as_deref()
            .map(|s| {
                RequirementStatus::parse(s).ok_or_else(|| {
                    tierlink_domain::FieldError::new(
                        "status",
                        "invalid_value",
                        "use draft, published, closed or cancelled",
                    )
                })
            })
            .transpose()
    }
}

/// A page of requirements.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementPage {
    pub items: Vec<RequirementBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One amendment.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RequirementVersion)]
pub struct VersionBody {
    #[schema(minimum = 1)]
    pub version: i32,
    /// The fields that changed.
    #[schema(value_type = Vec<super::enums::RequirementChange>)]
    pub changes: Vec<String>,
    pub note: String,
    pub amended_at: DateTime<Utc>,
}

impl From<Version> for VersionBody {
    fn from(version: Version) -> Self {
        Self {
            version: version.version,
            changes: version.changes,
            note: version.note,
            amended_at: version.amended_at,
        }
    }
}
