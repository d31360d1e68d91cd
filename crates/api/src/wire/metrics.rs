//! The metric catalogue on the wire.

use serde::{Deserialize, Serialize};
use tierlink_domain::metrics::{CATALOGUE_VERSION, MetricDefinition, ValueKind};
use tierlink_usecases::metrics::CustomMetric;
use utoipa::{IntoParams, ToSchema};

/// A framework a metric serves, and where.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FrameworkReference)]
pub struct FrameworkRefBody {
    #[schema(value_type = super::enums::Framework)]
    pub framework: String,
    pub reference: String,
}

/// One allowed answer of a choice metric.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MetricChoice)]
pub struct ChoiceBody {
    pub value: String,
    pub label_en: String,
    pub label_ko: String,
}

/// A metric: what can be asked, and how it is answered.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "ghg.scope1", "label_en": "Scope 1 emissions", "label_ko": "직접 배출량 (Scope 1)",
    "kind": "quantity", "dimension": "emissions", "canonical_unit": "tCO2e", "accepted_units": ["tCO2e", "kgCO2e", "gCO2e"],
    "guidance_en": "…", "guidance_ko": "…", "frameworks": [{"framework": "ghg_protocol", "reference": "Scope 1"}],
    "custom": false, "catalogue_version": "2026.1"}),
    as = Metric)]
pub struct MetricBody {
    /// Stable code to use in requirement items.
    pub code: String,
    pub label_en: String,
    pub label_ko: String,
    #[schema(value_type = super::enums::MetricKind)]
    pub kind: String,
    /// For quantities: what they measure.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<super::enums::Dimension>)]
    pub dimension: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_unit: Option<String>,
    /// For quantities: the units an answer may use.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub accepted_units: Vec<String>,
    /// For choices: the allowed answers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub choices: Vec<ChoiceBody>,
    pub guidance_en: String,
    pub guidance_ko: String,
    pub frameworks: Vec<FrameworkRefBody>,
    /// `true` for your organisation's own metrics.
    pub custom: bool,
    /// The catalogue version (built-in metrics only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalogue_version: Option<String>,
}

impl From<&MetricDefinition> for MetricBody {
    fn from(metric: &MetricDefinition) -> Self {
        let (dimension, choices) = match metric.kind {
            ValueKind::Quantity { dimension, .. } => (Some(dimension), Vec::new()),
            ValueKind::Choice { options } => (
                None,
                options
                    .iter()
                    .map(|o| ChoiceBody {
                        value: o.value.to_owned(),
                        label_en: o.label_en.to_owned(),
                        label_ko: o.label_ko.to_owned(),
                    })
                    .collect(),
            ),
            _ => (None, Vec::new()),
        };
        Self {
            code: metric.code.to_owned(),
            label_en: metric.label_en.to_owned(),
            label_ko: metric.label_ko.to_owned(),
            kind: metric.kind.as_str().to_owned(),
            dimension: dimension.map(|d| d.as_str().to_owned()),
            canonical_unit: dimension.map(|d| d.canonical_unit().to_owned()),
            accepted_units: dimension
                .map(|d| d.accepted_units().iter().map(|u| (*u).to_owned()).collect())
                .unwrap_or_default(),
            choices,
            guidance_en: metric.guidance_en.to_owned(),
            guidance_ko: metric.guidance_ko.to_owned(),
            frameworks: metric
                .frameworks
                .iter()
                .map(|f| FrameworkRefBody {
                    framework: f.framework.as_str().to_owned(),
                    reference: f.reference.to_owned(),
                })
                .collect(),
            custom: false,
            catalogue_version: Some(CATALOGUE_VERSION.to_owned()),
        }
    }
}

impl From<CustomMetric> for MetricBody {
    fn from(metric: CustomMetric) -> Self {
        let dimension = metric
            .dimension
            .as_deref()
            .and_then(tierlink_domain::metrics::Dimension::parse);
        Self {
            code: metric.code,
            label_en: metric.label_en,
            label_ko: metric.label_ko,
            kind: metric.kind,
            dimension: dimension.map(|d| d.as_str().to_owned()),
            canonical_unit: dimension.map(|d| d.canonical_unit().to_owned()),
            accepted_units: dimension
                .map(|d| d.accepted_units().iter().map(|u| (*u).to_owned()).collect())
                .unwrap_or_default(),
            choices: Vec::new(),
            guidance_en: metric.guidance.clone(),
            guidance_ko: metric.guidance,
            frameworks: Vec::new(),
            custom: true,
            catalogue_version: None,
        }
    }
}

/// Filters for `GET /v1/metrics`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricQuery {
    /// Only metrics referenced by this framework.
    #[param(value_type = Option<super::enums::Framework>)]
    pub framework: Option<String>,
    /// Search codes and labels, in English or Korean (`scope 3`, `배출`).
    pub q: Option<String>,
    /// How many items to return, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of metrics.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricPage {
    pub items: Vec<MetricBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `POST /v1/metrics`: a metric of your own.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "custom.paint_voc", "label_en": "VOC content of paint", "label_ko": "도료 VOC 함량",
    "kind": "quantity", "dimension": "mass", "guidance": "Total VOC in kg over the period"}))]
pub struct CreateMetric {
    /// Starts with `custom.`; lower-case letters, digits, `.`, `_`, `-`; at most 64 characters.
    #[schema(pattern = r"^custom\.[a-z0-9._-]+$", min_length = 8, max_length = 64)]
    pub code: String,
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub label_en: String,
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub label_ko: String,
    #[schema(value_type = super::enums::CustomMetricKind)]
    pub kind: String,
    /// For quantities (and only them): a catalogue dimension.
    #[schema(value_type = Option<super::enums::Dimension>)]
    pub dimension: Option<String>,
    #[serde(default)]
    pub guidance: String,
}
