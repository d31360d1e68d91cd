//! Product footprints in answers on the wire. The `pcf` object is PACT's
//! `CarbonFootprint` exactly (camelCase, decimals as strings), so what a
//! supplier sends is what the customer's PACT client receives.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tierlink_domain::footprints::{CarbonFootprint, ProductFootprint};
use tierlink_usecases::footprints::DraftFootprint;
use utoipa::ToSchema;

use crate::openapi::pact::{PactCarbonFootprint, PactProductFootprint};
use crate::wire::products::ProductBody;

/// `PUT /v1/requests/{id}/footprints/{product_id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "pcf": {
        "declaredUnitOfMeasurement": "kilogram", "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": "1",
        "referencePeriodStart": "2025-01-01T00:00:00Z", "referencePeriodEnd": "2026-01-01T00:00:00Z",
        "geographyCountry": "KR",
        "pcfExcludingBiogenicUptake": "2.31", "pcfIncludingBiogenicUptake": "2.31",
        "fossilGhgEmissions": "2.28", "fossilCarbonContent": "0.01",
        "ipccCharacterizationFactors": ["AR6"], "crossSectoralStandards": ["ISO14067"],
        "exemptedEmissionsPercent": "0.8", "primaryDataShare": "62.5",
        "dqi": {"technologicalDQR": "1.6", "geographicalDQR": "1.2", "temporalDQR": "1.0"}
    },
    "comment": "Calculated with the 2025 energy bills of plant 2."
}))]
pub struct SaveFootprint {
    /// The footprint per PACT v3 (`CarbonFootprint`): every decimal a
    /// string, emissions in kgCO2e per declared unit.
    #[schema(value_type = PactCarbonFootprint)]
    pub pcf: CarbonFootprint,
    /// How it was calculated, what changed (PACT `comment`), at most 4,000
    /// characters.
    #[schema(max_length = 4000)]
    pub comment: Option<String>,
    /// From when it may be used (inclusive); by default when the reference
    /// period ends. Not before then.
    pub validity_period_start: Option<DateTime<Utc>>,
    /// Until when it may be used (exclusive); by default and at most three
    /// years after the reference period ends.
    pub validity_period_end: Option<DateTime<Utc>>,
    /// Its precursors: PACT ids of footprints your suppliers published to
    /// you (of the materials that went into this product). Those whose
    /// supplier shared its answer up the chain (`share_upstream`) are named
    /// in the published footprint (extension `precursorPfIds`) and become
    /// readable by your customer.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub precursors: Vec<uuid::Uuid>,
}

/// A footprint in a supplier's draft.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FootprintDraft)]
pub struct FootprintDraftBody {
    pub product: ProductBody,
    #[schema(value_type = PactCarbonFootprint)]
    pub pcf: CarbonFootprint,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The validity period it will be published with.
    pub validity_period_start: DateTime<Utc>,
    pub validity_period_end: DateTime<Utc>,
    /// `user:<id>` or `client:<id>`.
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    /// Footprints of your suppliers that went into this one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub precursors: Vec<uuid::Uuid>,
}

impl From<DraftFootprint> for FootprintDraftBody {
    fn from(draft: DraftFootprint) -> Self {
        Self {
            product: draft.product.into(),
            pcf: draft.pcf,
            comment: draft.comment,
            validity_period_start: draft.validity.start,
            validity_period_end: draft.validity.end,
            updated_by: draft.updated_by,
            updated_at: draft.updated_at,
            precursors: draft.precursors.iter().map(|id| id.as_uuid()).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FootprintDraftList {
    pub items: Vec<FootprintDraftBody>,
}

/// The PACT footprints a revision answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedFootprintList {
    #[schema(value_type = Vec<PactProductFootprint>)]
    pub items: Vec<ProductFootprint>,
}
