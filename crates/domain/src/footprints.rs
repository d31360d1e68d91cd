//! Product carbon footprints in the PACT v3 data model (WBCSD Partnership
//! for Carbon Transparency, Technical Specifications 3.0.x): the `pcf`
//! object a supplier answers per product, its validation, and the rules of
//! a published footprint (effective validity period, status).
//!
//! The JSON names are PACT's own (camelCase), so a footprint travels
//! unchanged between a supplier's answer, storage and the PACT API.
//! Decimals stay exactly as reported, as strings.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Months, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{FieldError, ValidationErrors};

/// The PACT specification version a published footprint follows.
pub const SPEC_VERSION: &str = "3.0.3";

/// A decimal exactly as reported: `^[+-]?\d+(\.\d+)?$` (PACT's `Decimal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PactDecimal {
    text: String,
    value: Decimal,
}

impl PactDecimal {
    pub fn value(&self) -> Decimal {
        self.value
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl FromStr for PactDecimal {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || !all_digits(fraction) {
            return Err(format!(
                "`{text}` is not a decimal string such as \"12.5\" (digits, an optional sign and point; no exponent)"
            ));
        }
        let value = Decimal::from_str_exact(text.strip_prefix('+').unwrap_or(text))
            .map_err(|_| format!("`{text}` has more digits than can be kept exactly"))?;
        Ok(Self {
            text: text.to_owned(),
            value,
        })
    }
}

impl Serialize for PactDecimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for PactDecimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What one declared unit of the product is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeclaredUnit {
    #[serde(rename = "liter")]
    Liter,
    #[serde(rename = "kilogram")]
    Kilogram,
    #[serde(rename = "cubic meter")]
    CubicMeter,
    #[serde(rename = "kilowatt hour")]
    KilowattHour,
    #[serde(rename = "megajoule")]
    Megajoule,
    #[serde(rename = "ton kilometer")]
    TonKilometer,
    #[serde(rename = "square meter")]
    SquareMeter,
    #[serde(rename = "piece")]
    Piece,
    #[serde(rename = "hour")]
    Hour,
    #[serde(rename = "megabit second")]
    MegabitSecond,
}

/// UN M49 regions and subregions PACT accepts as a footprint's geography.
pub const REGIONS: [&str; 22] = [
    "Africa",
    "Americas",
    "Asia",
    "Europe",
    "Oceania",
    "Australia and New Zealand",
    "Central Asia",
    "Eastern Asia",
    "Eastern Europe",
    "Latin America and the Caribbean",
    "Melanesia",
    "Micronesia",
    "Northern Africa",
    "Northern America",
    "Northern Europe",
    "Polynesia",
    "South-eastern Asia",
    "Southern Asia",
    "Southern Europe",
    "Sub-Saharan Africa",
    "Western Asia",
    "Western Europe",
];

/// Product or sector specific rules followed (a PCR, PEF category rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SectorRule {
    pub operator: RuleOperator,
    pub rule_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_operator_name: Option<String>,
}

/// Who issued product or sector specific rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleOperator {
    #[serde(rename = "PEF")]
    Pef,
    #[serde(rename = "EPD International")]
    EpdInternational,
    #[serde(rename = "Other")]
    Other,
}

/// A secondary emission factor database used (`ecoinvent` `3.9.1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmissionFactorSource {
    pub name: String,
    pub version: String,
}

/// Data quality ratings, each 1 (best) to 5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataQualityIndicators {
    #[serde(rename = "technologicalDQR")]
    pub technological_dqr: PactDecimal,
    #[serde(rename = "geographicalDQR")]
    pub geographical_dqr: PactDecimal,
    #[serde(rename = "temporalDQR")]
    pub temporal_dqr: PactDecimal,
}

/// Third-party verification of the footprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<VerificationCoverage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
}

/// What a verification covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerificationCoverage {
    #[serde(rename = "PCF calculation model")]
    CalculationModel,
    #[serde(rename = "PCF program")]
    Program,
    #[serde(rename = "product level")]
    ProductLevel,
}

/// How carbon captured for use (CCU) is accounted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CcuApproach {
    #[serde(rename = "Cut-off")]
    CutOff,
    #[serde(rename = "Credit")]
    Credit,
}

/// PACT's `CarbonFootprint` (the `pcf` of a ProductFootprint): emissions
/// in kgCO2e per declared unit, carbon contents in kgC per declared unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CarbonFootprint {
    pub declared_unit_of_measurement: DeclaredUnit,
    pub declared_unit_amount: PactDecimal,
    pub product_mass_per_declared_unit: PactDecimal,
    pub reference_period_start: DateTime<Utc>,
    pub reference_period_end: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geography_region_or_subregion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geography_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geography_country_subdivision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary_processes_description: Option<String>,
    pub pcf_excluding_biogenic_uptake: PactDecimal,
    pub pcf_including_biogenic_uptake: PactDecimal,
    pub fossil_carbon_content: PactDecimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biogenic_carbon_content: Option<PactDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recycled_carbon_content: Option<PactDecimal>,
    pub fossil_ghg_emissions: PactDecimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_use_change_ghg_emissions: Option<PactDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_carbon_leakage: Option<PactDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_management_fossil_ghg_emissions: Option<PactDecimal>,
    #[serde(
        rename = "landManagementBiogenicCO2Emissions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub land_management_biogenic_co2_emissions: Option<PactDecimal>,
    #[serde(
        rename = "landManagementBiogenicCO2Removals",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub land_management_biogenic_co2_removals: Option<PactDecimal>,
    #[serde(
        rename = "biogenicCO2Uptake",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub biogenic_co2_uptake: Option<PactDecimal>,
    #[serde(
        rename = "biogenicNonCO2Emissions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub biogenic_non_co2_emissions: Option<PactDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_area_occupation: Option<PactDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aircraft_ghg_emissions: Option<PactDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging_emissions_included: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging_ghg_emissions: Option<PactDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging_biogenic_carbon_content: Option<PactDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_logistics_ghg_emissions: Option<PactDecimal>,
    #[serde(
        rename = "ccsTechnologicalCO2CaptureIncluded",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ccs_technological_co2_capture_included: Option<bool>,
    #[serde(
        rename = "ccsTechnologicalCO2Capture",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ccs_technological_co2_capture: Option<PactDecimal>,
    #[serde(
        rename = "technologicalCO2CaptureOrigin",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub technological_co2_capture_origin: Option<String>,
    #[serde(
        rename = "technologicalCO2Removals",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub technological_co2_removals: Option<PactDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccu_carbon_content: Option<PactDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccu_calculation_approach: Option<CcuApproach>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccu_credit_certification: Option<String>,
    pub ipcc_characterization_factors: Vec<String>,
    pub cross_sectoral_standards: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_or_sector_specific_rules: Vec<SectorRule>,
    pub exempted_emissions_percent: PactDecimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempted_emissions_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation_rules_description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary_emission_factor_sources: Vec<EmissionFactorSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_data_share: Option<PactDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dqi: Option<DataQualityIndicators>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

/// Free texts are bounded like every other text of the API.
const MAX_TEXT: usize = 4_000;

/// The sign a PACT decimal field must have.
#[derive(Clone, Copy)]
enum Sign {
    Any,
    PositiveOrZero,
    Positive,
    NegativeOrZero,
}

fn check_decimal(errors: &mut ValidationErrors, field: &str, value: &PactDecimal, sign: Sign) {
    let v = value.value();
    let (ok, wanted) = match sign {
        Sign::Any => (true, ""),
        Sign::PositiveOrZero => (!v.is_sign_negative() || v.is_zero(), "zero or more"),
        Sign::Positive => (v > Decimal::ZERO, "more than zero"),
        Sign::NegativeOrZero => (v <= Decimal::ZERO, "zero or less (a removal or uptake)"),
    };
    if !ok {
        errors.push(FieldError::new(
            field,
            "out_of_range",
            format!("{field} is {}; it must be {wanted}", value.as_str()),
        ));
    }
}

fn check_between(
    errors: &mut ValidationErrors,
    field: &str,
    value: &PactDecimal,
    low: Decimal,
    high: Decimal,
) {
    if value.value() < low || value.value() > high {
        errors.push(FieldError::new(
            field,
            "out_of_range",
            format!(
                "{field} is {}; it must be between {low} and {high}",
                value.as_str()
            ),
        ));
    }
}

fn check_text(errors: &mut ValidationErrors, field: &str, value: Option<&str>) {
    if let Some(text) = value
        && let Err(error) = FieldError::check_max_chars(field, text, MAX_TEXT)
    {
        errors.push(error);
    }
}

fn check_list(
    errors: &mut ValidationErrors,
    field: &str,
    items: &[String],
    rule: &dyn Fn(&str) -> bool,
    what: &str,
) {
    if items.is_empty() {
        errors.push(FieldError::new(
            field,
            "required",
            format!("{field} needs at least one value"),
        ));
    }
    for (index, item) in items.iter().enumerate() {
        if !rule(item) {
            errors.push(FieldError::new(
                format!("{field}[{index}]"),
                "invalid_format",
                format!("`{item}` is not {what}"),
            ));
        }
        if items[..index].contains(item) {
            errors.push(FieldError::new(
                format!("{field}[{index}]"),
                "duplicate",
                format!("`{item}` is listed twice"),
            ));
        }
    }
}

fn is_ar_version(value: &str) -> bool {
    value
        .strip_prefix("AR")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl CarbonFootprint {
    /// The checks beyond the JSON shape: signs and ranges of every decimal,
    /// the reference period, at most one geography, known codes, and the
    /// dependent fields PACT ties together. Fields are named
    /// `<prefix>.<pactName>`.
    pub fn validate(&self, prefix: &str) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let f = |name: &str| format!("{prefix}.{name}");
        let hundred = Decimal::ONE_HUNDRED;
        let positive_or_zero = [
            (
                "productMassPerDeclaredUnit",
                Some(&self.product_mass_per_declared_unit),
            ),
            ("fossilCarbonContent", Some(&self.fossil_carbon_content)),
            ("fossilGhgEmissions", Some(&self.fossil_ghg_emissions)),
            (
                "biogenicCarbonContent",
                self.biogenic_carbon_content.as_ref(),
            ),
            (
                "recycledCarbonContent",
                self.recycled_carbon_content.as_ref(),
            ),
            (
                "landUseChangeGhgEmissions",
                self.land_use_change_ghg_emissions.as_ref(),
            ),
            ("landCarbonLeakage", self.land_carbon_leakage.as_ref()),
            (
                "landManagementFossilGhgEmissions",
                self.land_management_fossil_ghg_emissions.as_ref(),
            ),
            (
                "landManagementBiogenicCO2Emissions",
                self.land_management_biogenic_co2_emissions.as_ref(),
            ),
            (
                "biogenicNonCO2Emissions",
                self.biogenic_non_co2_emissions.as_ref(),
            ),
            ("landAreaOccupation", self.land_area_occupation.as_ref()),
            ("aircraftGhgEmissions", self.aircraft_ghg_emissions.as_ref()),
            (
                "packagingGhgEmissions",
                self.packaging_ghg_emissions.as_ref(),
            ),
            (
                "packagingBiogenicCarbonContent",
                self.packaging_biogenic_carbon_content.as_ref(),
            ),
            (
                "outboundLogisticsGhgEmissions",
                self.outbound_logistics_ghg_emissions.as_ref(),
            ),
            ("ccuCarbonContent", self.ccu_carbon_content.as_ref()),
        ];
        for (name, value) in positive_or_zero {
            if let Some(value) = value {
                check_decimal(&mut errors, &f(name), value, Sign::PositiveOrZero);
            }
        }
        let negative_or_zero = [
            (
                "landManagementBiogenicCO2Removals",
                self.land_management_biogenic_co2_removals.as_ref(),
            ),
            ("biogenicCO2Uptake", self.biogenic_co2_uptake.as_ref()),
            (
                "ccsTechnologicalCO2Capture",
                self.ccs_technological_co2_capture.as_ref(),
            ),
            (
                "technologicalCO2Removals",
                self.technological_co2_removals.as_ref(),
            ),
        ];
        for (name, value) in negative_or_zero {
            if let Some(value) = value {
                check_decimal(&mut errors, &f(name), value, Sign::NegativeOrZero);
            }
        }
        check_decimal(
            &mut errors,
            &f("declaredUnitAmount"),
            &self.declared_unit_amount,
            Sign::Positive,
        );
        check_decimal(
            &mut errors,
            &f("pcfExcludingBiogenicUptake"),
            &self.pcf_excluding_biogenic_uptake,
            Sign::Any,
        );
        check_between(
            &mut errors,
            &f("exemptedEmissionsPercent"),
            &self.exempted_emissions_percent,
            Decimal::ZERO,
            hundred,
        );
        if let Some(share) = &self.primary_data_share {
            check_between(
                &mut errors,
                &f("primaryDataShare"),
                share,
                Decimal::ZERO,
                hundred,
            );
        }
        if let Some(dqi) = &self.dqi {
            let five = Decimal::from(5);
            for (name, value) in [
                ("technologicalDQR", &dqi.technological_dqr),
                ("geographicalDQR", &dqi.geographical_dqr),
                ("temporalDQR", &dqi.temporal_dqr),
            ] {
                check_between(
                    &mut errors,
                    &f(&format!("dqi.{name}")),
                    value,
                    Decimal::ONE,
                    five,
                );
            }
        }
        if self.reference_period_end <= self.reference_period_start {
            errors.push(FieldError::new(
                f("referencePeriodEnd"),
                "before_start",
                "referencePeriodEnd (exclusive) must come after referencePeriodStart",
            ));
        }
        self.check_geography(&mut errors, &f);
        check_list(
            &mut errors,
            &f("ipccCharacterizationFactors"),
            &self.ipcc_characterization_factors,
            &is_ar_version,
            "an IPCC assessment report such as AR6",
        );
        check_list(
            &mut errors,
            &f("crossSectoralStandards"),
            &self.cross_sectoral_standards,
            &|s| !s.trim().is_empty() && s.len() <= 100,
            "a standard such as ISO14067",
        );
        if self.packaging_emissions_included != Some(true) && self.packaging_ghg_emissions.is_some()
        {
            errors.push(FieldError::new(
                f("packagingGhgEmissions"),
                "not_allowed",
                "packagingGhgEmissions is given only when packagingEmissionsIncluded is true",
            ));
        }
        for (index, rule) in self.product_or_sector_specific_rules.iter().enumerate() {
            let field = f(&format!("productOrSectorSpecificRules[{index}]"));
            if rule.rule_names.is_empty() || rule.rule_names.iter().any(|n| n.trim().is_empty()) {
                errors.push(FieldError::new(
                    format!("{field}.ruleNames"),
                    "required",
                    "name at least one rule, none empty",
                ));
            }
            if rule.operator == RuleOperator::Other
                && rule
                    .other_operator_name
                    .as_deref()
                    .is_none_or(|n| n.trim().is_empty())
            {
                errors.push(FieldError::new(
                    format!("{field}.otherOperatorName"),
                    "required",
                    "name the operator when it is Other",
                ));
            }
        }
        for (index, source) in self.secondary_emission_factor_sources.iter().enumerate() {
            if source.name.trim().is_empty() || source.version.trim().is_empty() {
                errors.push(FieldError::new(
                    f(&format!("secondaryEmissionFactorSources[{index}]")),
                    "required",
                    "a source has a name and a version",
                ));
            }
        }
        if let Some(url) = &self.ccu_credit_certification
            && url::Url::parse(url).is_err()
        {
            errors.push(FieldError::new(
                f("ccuCreditCertification"),
                "invalid_format",
                "ccuCreditCertification is a URI",
            ));
        }
        for (name, text) in [
            (
                "boundaryProcessesDescription",
                self.boundary_processes_description.as_deref(),
            ),
            (
                "technologicalCO2CaptureOrigin",
                self.technological_co2_capture_origin.as_deref(),
            ),
            (
                "exemptedEmissionsDescription",
                self.exempted_emissions_description.as_deref(),
            ),
            (
                "allocationRulesDescription",
                self.allocation_rules_description.as_deref(),
            ),
        ] {
            check_text(&mut errors, &f(name), text);
        }
        errors.finish(|| ())
    }

    fn check_geography(&self, errors: &mut ValidationErrors, f: &dyn Fn(&str) -> String) {
        let given = [
            self.geography_region_or_subregion.is_some(),
            self.geography_country.is_some(),
            self.geography_country_subdivision.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            errors.push(FieldError::new(
                f("geographyCountry"),
                "ambiguous_geography",
                "give at most one of geographyRegionOrSubregion, geographyCountry and geographyCountrySubdivision",
            ));
        }
        if let Some(region) = &self.geography_region_or_subregion
            && !REGIONS.contains(&region.as_str())
        {
            errors.push(FieldError::new(
                f("geographyRegionOrSubregion"),
                "invalid_region",
                format!("`{region}` is not a UN M49 region or subregion PACT accepts (e.g. Eastern Asia)"),
            ));
        }
        if let Some(country) = &self.geography_country
            && !is_country(country)
        {
            errors.push(FieldError::new(
                f("geographyCountry"),
                "invalid_country",
                format!("`{country}` is not an ISO 3166-1 alpha-2 country code such as KR"),
            ));
        }
        if let Some(subdivision) = &self.geography_country_subdivision {
            let valid = subdivision.split_once('-').is_some_and(|(country, code)| {
                is_country(country)
                    && (1..=3).contains(&code.len())
                    && code
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            });
            if !valid {
                errors.push(FieldError::new(
                    f("geographyCountrySubdivision"),
                    "invalid_subdivision",
                    format!("`{subdivision}` is not an ISO 3166-2 subdivision code such as KR-11"),
                ));
            }
        }
    }

    /// The geography it is for, if any (whichever of the three is set).
    pub fn geography(&self) -> Option<&str> {
        self.geography_country
            .as_deref()
            .or(self.geography_region_or_subregion.as_deref())
            .or(self.geography_country_subdivision.as_deref())
    }
}

fn is_country(code: &str) -> bool {
    code.len() == 2
        && code.bytes().all(|b| b.is_ascii_uppercase())
        && isocountry::CountryCode::for_alpha2(code).is_ok()
}

/// The period a footprint may be used in: PACT's validity period when
/// given (start inclusive, end exclusive), otherwise three years from the
/// end of its reference period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Validity {
    /// Checks a stated validity period against the reference period (PACT:
    /// it starts no earlier than the reference period ends and lasts at
    /// most three years from then), or derives the default one.
    pub fn of(
        pcf: &CarbonFootprint,
        start: Option<DateTime<Utc>>,
        end: Option<DateTime<Utc>>,
    ) -> Result<Self, FieldError> {
        let reference_end = pcf.reference_period_end;
        let latest_end = reference_end
            .checked_add_months(Months::new(36))
            .unwrap_or(reference_end);
        let start = start.unwrap_or(reference_end);
        let end = end.unwrap_or(latest_end);
        if start < reference_end {
            return Err(FieldError::new(
                "validity_period_start",
                "before_reference_end",
                "the validity period starts no earlier than the reference period ends",
            ));
        }
        if end <= start || end > latest_end {
            return Err(FieldError::new(
                "validity_period_end",
                "out_of_range",
                "the validity period ends after it starts and at most three years after the reference period ends",
            ));
        }
        Ok(Self { start, end })
    }
}

/// A published footprint's status: the latest for its product and request,
/// or replaced by a later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FootprintStatus {
    Active,
    Deprecated,
}

impl FootprintStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Deprecated => "Deprecated",
        }
    }

    /// Case-insensitive, as PACT's `status` filter matches; `None` for a
    /// value that is neither (which then matches no footprint).
    pub fn parse(input: &str) -> Option<Self> {
        [Self::Active, Self::Deprecated]
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(input))
    }
}

impl fmt::Display for FootprintStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// PACT's `ProductFootprint`: one footprint of one product, as published
/// to one recipient. Immutable once published but for `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductFootprint {
    pub id: String,
    pub spec_version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preceding_pf_ids: Vec<String>,
    pub created: DateTime<Utc>,
    pub status: FootprintStatus,
    pub validity_period_start: DateTime<Utc>,
    pub validity_period_end: DateTime<Utc>,
    pub company_name: String,
    pub company_ids: Vec<String>,
    pub product_description: String,
    pub product_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_classifications: Vec<String>,
    pub product_name_company: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub pcf: CarbonFootprint,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<DataModelExtension>,
}

/// PACT's `DataModelExtension`: data beyond the core model, with the
/// schema it follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataModelExtension {
    pub spec_version: String,
    pub data_schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    pub data: serde_json::Value,
}

/// The version of Tierlink's precursors extension.
pub const PRECURSORS_VERSION: &str = "1.0.0";

impl DataModelExtension {
    /// Tierlink's extension naming the precursors of a footprint: the
    /// footprints of supplied materials that went into it (their PACT ids),
    /// each readable by the recipient. Its schema is identified by a URN
    /// under the deployment's domain.
    pub fn precursors(domain: &str, ids: &[String]) -> Self {
        Self {
            spec_version: PRECURSORS_VERSION.to_owned(),
            data_schema: format!("urn:pact:{domain}:extension:precursors:{PRECURSORS_VERSION}"),
            documentation: None,
            data: serde_json::json!({ "precursorPfIds": ids }),
        }
    }
}

impl ProductFootprint {
    /// Whether `other` says the same about the product: equal but for the
    /// identity of the publication (id, creation, predecessors, status).
    pub fn same_content(&self, other: &Self) -> bool {
        let strip = |pf: &Self| Self {
            id: String::new(),
            created: DateTime::<Utc>::MIN_UTC,
            preceding_pf_ids: Vec::new(),
            status: FootprintStatus::Active,
            ..pf.clone()
        };
        strip(self) == strip(other)
    }
}

/// A URN (RFC 8141): `urn:` and a namespace-specific string. PACT
/// identifies companies, products and classifications by URNs; only the
/// prefix is checked, as PACT's own schema does.
pub fn is_urn(value: &str) -> bool {
    value.len() > 4
        && value.len() <= 500
        && value[..4].eq_ignore_ascii_case("urn:")
        && value[4..].contains(':')
        && !value.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> serde_json::Value {
        serde_json::json!({
            "declaredUnitOfMeasurement": "kilogram",
            "declaredUnitAmount": "1",
            "productMassPerDeclaredUnit": "1",
            "referencePeriodStart": "2025-01-01T00:00:00Z",
            "referencePeriodEnd": "2026-01-01T00:00:00Z",
            "geographyCountry": "KR",
            "pcfExcludingBiogenicUptake": "2.5",
            "pcfIncludingBiogenicUptake": "2.4",
            "fossilCarbonContent": "0",
            "fossilGhgEmissions": "2.5",
            "ipccCharacterizationFactors": ["AR6"],
            "crossSectoralStandards": ["ISO14067"],
            "exemptedEmissionsPercent": "0.5"
        })
    }

    fn parse(value: serde_json::Value) -> CarbonFootprint {
        serde_json::from_value(value).expect("a footprint")
    }

    #[test]
    fn a_complete_footprint_is_valid_and_round_trips_exactly() {
        let pcf = parse(sample());
        assert_eq!(pcf.validate("pcf"), Ok(()));
        assert_eq!(serde_json::to_value(&pcf).expect("json"), sample());
    }

    #[test]
    fn decimals_keep_their_text_and_refuse_exponents() {
        assert_eq!(
            "+0.50"
                .parse::<PactDecimal>()
                .map(|d| d.as_str().to_owned()),
            Ok("+0.50".into())
        );
        assert!("1e5".parse::<PactDecimal>().is_err());
        assert!(".5".parse::<PactDecimal>().is_err());
        assert!("5.".parse::<PactDecimal>().is_err());
    }

    #[test]
    fn signs_ranges_and_geography_are_checked_naming_the_field() {
        let mut value = sample();
        value["fossilGhgEmissions"] = "-1".into();
        value["biogenicCO2Uptake"] = "5.0".into();
        value["exemptedEmissionsPercent"] = "101".into();
        value["geographyRegionOrSubregion"] = "Eastern Asia".into();
        value["dqi"] = serde_json::json!({"technologicalDQR": "0", "geographicalDQR": "2", "temporalDQR": "6"});
        value["ipccCharacterizationFactors"] = serde_json::json!(["AR6", "AR6", "SAR"]);
        let errors = parse(value).validate("pcf").expect_err("invalid");
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        for field in [
            "pcf.fossilGhgEmissions",
            "pcf.biogenicCO2Uptake",
            "pcf.exemptedEmissionsPercent",
            "pcf.dqi.technologicalDQR",
            "pcf.dqi.temporalDQR",
            "pcf.geographyCountry",
            "pcf.ipccCharacterizationFactors[1]",
            "pcf.ipccCharacterizationFactors[2]",
        ] {
            assert!(fields.contains(&field), "{field} missing from {fields:?}");
        }
        assert!(!fields.contains(&"pcf.dqi.geographicalDQR"));
    }

    #[test]
    fn validity_defaults_to_three_years_from_the_reference_end() {
        let pcf = parse(sample());
        let validity = Validity::of(&pcf, None, None).expect("valid");
        assert_eq!(validity.start, pcf.reference_period_end);
        assert_eq!(validity.end.to_rfc3339(), "2029-01-01T00:00:00+00:00");
        let early = "2025-06-01T00:00:00Z".parse().ok();
        assert!(Validity::of(&pcf, early, None).is_err());
        let late = "2030-01-01T00:00:00Z".parse().ok();
        assert!(Validity::of(&pcf, None, late).is_err());
    }

    #[test]
    fn urns_and_statuses_parse_as_pact_filters_expect() {
        assert!(is_urn("urn:pact:example.com:supplier-id:1"));
        assert!(is_urn("URN:uuid:0190-aa"));
        assert!(!is_urn("urn:x"));
        assert!(!is_urn("abcdefgh"));
        assert_eq!(
            FootprintStatus::parse("deprecated"),
            Some(FootprintStatus::Deprecated)
        );
        assert_eq!(FootprintStatus::parse("BogusStatus"), None);
    }
}
