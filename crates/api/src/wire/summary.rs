//! A requirement's roll-up on the wire. Decimals are strings, exact.

use std::collections::BTreeMap;

use serde::Serialize;
use tierlink_domain::rollup::{MetricRollup, Totals};
use utoipa::ToSchema;

/// Counts of requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestCounts {
    #[schema(value_type = i64, minimum = 0)]
    pub total: usize,
    /// Status → number of requests.
    #[schema(value_type = BTreeMap<String, i64>)]
    pub by_status: BTreeMap<String, usize>,
    /// Still owed and past their due date.
    #[schema(value_type = i64, minimum = 0)]
    pub overdue: usize,
    /// Accepted answers as a percentage of requests (0–100, two decimals).
    #[schema(example = "66.67", pattern = r"^[0-9]{1,3}\.[0-9]{2}$")]
    pub completion_rate: String,
}

/// Totals of one metric over answers of one standing.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MetricTotals)]
pub struct TotalsBody {
    /// An exact decimal, in the metric's canonical unit.
    #[schema(example = "1234.5", pattern = r"^-?[0-9]+(\.[0-9]+)?$")]
    pub total: String,
    /// How many answers contributed.
    #[schema(value_type = i64, minimum = 0)]
    pub answers: usize,
    /// Tier (`"1"`, `"2"`) → total (an exact decimal).
    pub by_tier: BTreeMap<String, String>,
    /// How the data was obtained → total (an exact decimal).
    pub by_obtained: BTreeMap<String, String>,
    /// Share from measured or calculated data, percent (two decimals).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$", example = "80.00")]
    pub primary_share: Option<String>,
}

impl From<Totals> for TotalsBody {
    fn from(totals: Totals) -> Self {
        Self {
            total: totals.total.normalize().to_string(),
            answers: totals.answers,
            by_tier: totals
                .by_tier
                .into_iter()
                .map(|(tier, v)| (tier.to_string(), v.normalize().to_string()))
                .collect(),
            by_obtained: totals
                .by_obtained
                .into_iter()
                .map(|(o, v)| (o.to_owned(), v.normalize().to_string()))
                .collect(),
            primary_share: totals.primary_share.map(|s| format!("{s:.2}")),
        }
    }
}

/// One quantity metric's roll-up.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricSummary {
    pub metric: String,
    pub canonical_unit: String,
    /// Over accepted answers.
    pub accepted: TotalsBody,
    /// Over answers submitted and not yet reviewed.
    pub submitted: TotalsBody,
}

impl From<MetricRollup> for MetricSummary {
    fn from(rollup: MetricRollup) -> Self {
        Self {
            metric: rollup.metric,
            canonical_unit: rollup.canonical_unit,
            accepted: rollup.accepted.into(),
            submitted: rollup.submitted.into(),
        }
    }
}

/// `GET /v1/requirements/{id}/summary`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RequirementSummary)]
pub struct SummaryBody {
    pub requests: RequestCounts,
    /// Requests forwarded to tier 2: counts always, whatever the consent.
    pub tier2: RequestCounts,
    /// Quantity metrics, in canonical units. Tier-2 values count only where
    /// the tier-2 consented and its tier-1 attached the accepted answer.
    pub metrics: Vec<MetricSummary>,
    /// Product footprints the requests published to you (PACT).
    pub footprints: FootprintCoverage,
}

/// Product footprints a requirement's requests published.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct FootprintCoverage {
    /// The latest footprint of each product answered for.
    pub active: i64,
    /// Footprints a later revision replaced.
    pub deprecated: i64,
    /// How many suppliers have at least one active footprint.
    pub suppliers_answered: i64,
}
