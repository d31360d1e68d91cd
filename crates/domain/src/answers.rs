//! Suppliers' answers: one entry per requested metric, validated by the
//! metric's kind, with quantities converted to the canonical unit.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{FieldError, ValidationErrors};
use crate::evidence::unknown_evidence;
use crate::ids::EvidenceId;
use crate::metrics::ValueKind;
use crate::requirements::{ReportingPeriod, RequirementItem};
use crate::units::{check_magnitude, parse_decimal, parse_unit, to_canonical};

/// How a value was obtained: the data-quality signal requesters roll up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Obtained {
    /// Metered or otherwise measured.
    Measured,
    /// Activity data × emission factor.
    Calculated,
    /// An estimate.
    Estimated,
    /// Secondary data (a database, an industry average).
    Secondary,
}

impl Obtained {
    pub const ALL: [Self; 4] = [
        Self::Measured,
        Self::Calculated,
        Self::Estimated,
        Self::Secondary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Measured => "measured",
            Self::Calculated => "calculated",
            Self::Estimated => "estimated",
            Self::Secondary => "secondary",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == input)
    }

    /// Primary data: measured or calculated from own activity data.
    pub fn is_primary(self) -> bool {
        matches!(self, Self::Measured | Self::Calculated)
    }
}

/// A value as it arrived, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawValue {
    Absent,
    Text(String),
    Bool(bool),
    /// A JSON number: refused for decimals (it may already have lost precision).
    Number(String),
    Other,
}

/// A validated value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerValue {
    Quantity {
        reported: Decimal,
        unit: &'static str,
        canonical: Decimal,
        canonical_unit: &'static str,
    },
    Percentage(Decimal),
    Boolean(bool),
    Text(String),
    Choice(String),
    Date(NaiveDate),
    /// Answered by the linked evidence files.
    Document,
}

impl AnswerValue {
    /// The value as stored and shown: exactly as reported.
    pub fn reported_text(&self) -> Option<String> {
        match self {
            Self::Quantity { reported, .. } | Self::Percentage(reported) => {
                Some(reported.to_string())
            }
            Self::Boolean(b) => Some(b.to_string()),
            Self::Text(t) | Self::Choice(t) => Some(t.clone()),
            Self::Date(d) => Some(d.to_string()),
            Self::Document => None,
        }
    }
}

/// One entry as a client sent it.
#[derive(Debug, Clone)]
pub struct EntryInput<'a> {
    pub metric: &'a str,
    pub value: RawValue,
    pub unit: Option<&'a str>,
    pub method: Option<&'a str>,
    pub obtained: Option<&'a str>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub comment: Option<&'a str>,
    pub evidence: &'a [String],
}

/// A validated entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub metric: String,
    pub value: AnswerValue,
    pub method: Option<String>,
    pub obtained: Obtained,
    pub period: ReportingPeriod,
    pub comment: Option<String>,
    /// The evidence files it refers to (uploaded for the same request).
    pub evidence: Vec<EvidenceId>,
}

pub const TEXT_MAX_CHARS: usize = 4_000;

/// Validates one entry against its item and its metric's kind. Errors name
/// fields relative to the entry (`value`, `unit`, …).
pub fn parse_entry(
    input: &EntryInput<'_>,
    item: &RequirementItem,
    kind: &ValueKind,
    default_period: ReportingPeriod,
) -> Result<Entry, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let value = errors.collect(parse_value(input, kind));
    let obtained = match input.obtained {
        None => Some(Obtained::Measured),
        Some(raw) => errors.collect(Obtained::parse(raw).ok_or_else(|| {
            FieldError::new(
                "obtained",
                "invalid_value",
                "use measured, calculated, estimated or secondary",
            )
        })),
    };
    if obtained == Some(Obtained::Estimated) && !item.estimates_accepted {
        errors.push(FieldError::new(
            "obtained",
            "estimates_not_accepted",
            "the requester does not accept estimates for this item",
        ));
    }
    let period = match (input.period_start, input.period_end) {
        (None, None) => Some(default_period),
        (Some(start), Some(end)) => errors.collect(
            ReportingPeriod::new(start, end)
                .map_err(|e| FieldError::new("period.end", e.code, e.message)),
        ),
        _ => {
            errors.push(FieldError::new(
                "period",
                "incomplete",
                "give both start and end, or neither for the requirement's period",
            ));
            None
        }
    };
    let text = |field: &str, value: Option<&str>, max: usize, errors: &mut ValidationErrors| {
        let value = value.map(str::trim).filter(|v| !v.is_empty());
        if value.is_some_and(|v| v.chars().count() > max) {
            errors.push(FieldError::new(
                field,
                "too_long",
                format!("at most {max} characters"),
            ));
        }
        value.map(str::to_owned)
    };
    let method = text("method", input.method, 200, &mut errors);
    let comment = text("comment", input.comment, TEXT_MAX_CHARS, &mut errors);
    let evidence: Vec<EvidenceId> = input
        .evidence
        .iter()
        .enumerate()
        .filter_map(|(index, id)| {
            errors.collect(
                EvidenceId::parse(&format!("evidence[{index}]"), id)
                    .map_err(|_| unknown_evidence(index, id)),
            )
        })
        .collect();
    if matches!(kind, ValueKind::Document) && input.evidence.is_empty() {
        errors.push(FieldError::new(
            "evidence",
            "required",
            "this item is answered with an evidence file",
        ));
    }
    match (value, obtained, period) {
        (Some(value), Some(obtained), Some(period)) if errors.is_empty() => Ok(Entry {
            metric: input.metric.to_owned(),
            value,
            method,
            obtained,
            period,
            comment,
            evidence,
        }),
        _ => Err(errors),
    }
}

fn parse_value(input: &EntryInput<'_>, kind: &ValueKind) -> Result<AnswerValue, FieldError> {
    let text = || match &input.value {
        RawValue::Text(text) => Ok(text.as_str()),
        RawValue::Number(number) => Err(FieldError::new(
            "value",
            "send_as_string",
            format!("send decimals as strings (\"{number}\") so no precision is lost"),
        )),
        RawValue::Absent => Err(FieldError::new("value", "required", "a value is required")),
        RawValue::Bool(_) | RawValue::Other => Err(FieldError::new(
            "value",
            "wrong_type",
            "a string is expected",
        )),
    };
    match kind {
        ValueKind::Quantity {
            dimension,
            allow_negative,
        } => {
            let reported = parse_decimal("value", text()?)?;
            if reported.is_sign_negative() && !reported.is_zero() && !allow_negative {
                return Err(FieldError::new(
                    "value",
                    "negative",
                    "gross values cannot be negative; report removals separately",
                ));
            }
            let unit = input.unit.ok_or_else(|| {
                FieldError::new(
                    "unit",
                    "required",
                    format!(
                        "a unit is required ({})",
                        dimension.accepted_units().join(", ")
                    ),
                )
            })?;
            let unit = parse_unit(*dimension, unit)?;
            let canonical = to_canonical(reported, *dimension, unit)?;
            check_magnitude(canonical, *dimension)?;
            Ok(AnswerValue::Quantity {
                reported,
                unit,
                canonical,
                canonical_unit: dimension.canonical_unit(),
            })
        }
        ValueKind::Percentage => {
            let value = parse_decimal("value", text()?)?;
            if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
                return Err(FieldError::new(
                    "value",
                    "out_of_range",
                    "a percentage is between 0 and 100",
                ));
            }
            Ok(AnswerValue::Percentage(value))
        }
        ValueKind::Boolean => match &input.value {
            RawValue::Bool(b) => Ok(AnswerValue::Boolean(*b)),
            RawValue::Text(t) if t == "true" || t == "false" => {
                Ok(AnswerValue::Boolean(t == "true"))
            }
            _ => Err(FieldError::new("value", "wrong_type", "true or false")),
        },
        ValueKind::Text { max_chars } => {
            let value = text()?.trim();
            if value.is_empty() || value.chars().count() > (*max_chars).min(TEXT_MAX_CHARS) {
                return Err(FieldError::new(
                    "value",
                    "invalid_text",
                    format!("1 to {} characters", (*max_chars).min(TEXT_MAX_CHARS)),
                ));
            }
            Ok(AnswerValue::Text(value.to_owned()))
        }
        ValueKind::Choice { options } => {
            let value = text()?.trim();
            options
                .iter()
                .find(|o| o.value == value)
                .map(|o| AnswerValue::Choice(o.value.to_owned()))
                .ok_or_else(|| {
                    let values: Vec<&str> = options.iter().map(|o| o.value).collect();
                    FieldError::new(
                        "value",
                        "invalid_choice",
                        format!("`{value}` is not one of {}", values.join(", ")),
                    )
                })
        }
        ValueKind::Date => text()?
            .trim()
            .parse()
            .map(AnswerValue::Date)
            .map_err(|_| FieldError::new("value", "invalid_date", "a date as YYYY-MM-DD")),
        ValueKind::Document => Ok(AnswerValue::Document),
        ValueKind::ProductFootprints => Err(FieldError::new(
            "metric",
            "answered_per_product",
            "product footprints are answered one per product, with PUT /v1/requests/{id}/footprints/{product_id}",
        )),
    }
}

/// The required items that `entries` leave unanswered.
pub fn missing_required<'a>(items: &'a [RequirementItem], answered: &[&str]) -> Vec<&'a str> {
    items
        .iter()
        .filter(|item| item.required && !answered.contains(&item.metric.as_str()))
        .map(|item| item.metric.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Dimension, find};

    fn item(metric: &str, estimates: bool) -> RequirementItem {
        RequirementItem {
            metric: metric.to_owned(),
            required: true,
            guidance: None,
            estimates_accepted: estimates,
            part_numbers: Vec::new(),
        }
    }

    fn period() -> ReportingPeriod {
        ReportingPeriod::new(
            "2026-01-01".parse().expect("date"),
            "2026-12-31".parse().expect("date"),
        )
        .expect("period")
    }

    fn input(metric: &str, value: RawValue, unit: Option<&'static str>) -> EntryInput<'static> {
        EntryInput {
            metric: Box::leak(metric.to_owned().into_boxed_str()),
            value,
            unit,
            method: None,
            obtained: None,
            period_start: None,
            period_end: None,
            comment: None,
            evidence: &[],
        }
    }

    fn kind(code: &str) -> ValueKind {
        find(code).expect("a catalogue metric").kind
    }

    #[test]
    fn quantities_keep_the_reported_value_and_convert_exactly() {
        let entry = parse_entry(
            &input(
                "ghg.scope1",
                RawValue::Text("0.000123456789".to_owned()),
                Some("kgCO2e"),
            ),
            &item("ghg.scope1", false),
            &kind("ghg.scope1"),
            period(),
        )
        .expect("valid");
        let AnswerValue::Quantity {
            reported,
            unit,
            canonical,
            canonical_unit,
        } = entry.value
        else {
            panic!("a quantity");
        };
        assert_eq!(
            (reported.to_string().as_str(), unit),
            ("0.000123456789", "kgCO2e")
        );
        assert_eq!(
            (canonical.to_string().as_str(), canonical_unit),
            ("0.000000123456789", "tCO2e")
        );
        assert_eq!(entry.period, period());
    }

    #[test]
    fn wrong_units_negative_gross_values_and_numbers_are_refused() {
        let scope1 = kind("ghg.scope1");
        let check = |value: RawValue, unit: Option<&'static str>| {
            parse_entry(
                &input("ghg.scope1", value, unit),
                &item("ghg.scope1", false),
                &scope1,
                period(),
            )
            .expect_err("invalid")
            .errors()[0]
                .code
        };
        assert_eq!(
            check(RawValue::Text("1".to_owned()), Some("kWh")),
            "wrong_unit"
        );
        assert_eq!(
            check(RawValue::Text("-1".to_owned()), Some("tCO2e")),
            "negative"
        );
        assert_eq!(
            check(RawValue::Number("1.5".to_owned()), Some("tCO2e")),
            "send_as_string"
        );
        assert_eq!(check(RawValue::Text("1".to_owned()), None), "required");
    }

    #[test]
    fn percentages_booleans_choices_and_dates_are_checked() {
        let pct = ValueKind::Percentage;
        let it = item("x", false);
        assert!(
            parse_entry(
                &input("x", RawValue::Text("100".to_owned()), None),
                &it,
                &pct,
                period()
            )
            .is_ok()
        );
        assert!(
            parse_entry(
                &input("x", RawValue::Text("100.01".to_owned()), None),
                &it,
                &pct,
                period()
            )
            .is_err()
        );
        assert!(
            parse_entry(
                &input("x", RawValue::Bool(true), None),
                &it,
                &ValueKind::Boolean,
                period()
            )
            .is_ok()
        );
        assert!(
            parse_entry(
                &input("x", RawValue::Text("yes".to_owned()), None),
                &it,
                &ValueKind::Boolean,
                period()
            )
            .is_err()
        );
        assert!(
            parse_entry(
                &input("x", RawValue::Text("2026-02-30".to_owned()), None),
                &it,
                &ValueKind::Date,
                period()
            )
            .is_err()
        );
        let route = kind("cbam.production_route");
        assert!(
            parse_entry(
                &input("x", RawValue::Text("bf_bof".to_owned()), None),
                &it,
                &route,
                period()
            )
            .is_ok()
        );
        assert!(
            parse_entry(
                &input("x", RawValue::Text("magic".to_owned()), None),
                &it,
                &route,
                period()
            )
            .is_err()
        );
        let _ = Dimension::Emissions;
    }

    #[test]
    fn estimates_only_where_accepted() {
        let mut estimated = input("ghg.scope1", RawValue::Text("1".to_owned()), Some("tCO2e"));
        estimated.obtained = Some("estimated");
        let scope1 = kind("ghg.scope1");
        let refused = parse_entry(&estimated, &item("ghg.scope1", false), &scope1, period())
            .expect_err("refused");
        assert_eq!(refused.errors()[0].field, "obtained");
        assert!(parse_entry(&estimated, &item("ghg.scope1", true), &scope1, period()).is_ok());
    }

    #[test]
    fn missing_required_items_are_listed() {
        let mut optional = item("energy.total", false);
        optional.required = false;
        let items = vec![
            item("ghg.scope1", false),
            item("ghg.scope2.market", false),
            optional,
        ];
        assert_eq!(
            missing_required(&items, &["ghg.scope1"]),
            ["ghg.scope2.market"]
        );
    }
}
