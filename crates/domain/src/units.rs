//! Unit conversion to each dimension's canonical unit, in exact decimal
//! arithmetic (`rust_decimal`, 28 significant digits; never floats).
//!
//! Factors that are powers of ten convert exactly. The only inexact factor
//! is energy's 3.6 GJ per MWh: dividing by 3.6 can repeat forever, so the
//! result is rounded at 28 significant digits (documented in the API).

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::FieldError;
use crate::metrics::Dimension;

pub use rust_decimal::Decimal as Amount;

/// `canonical = value × numerator ÷ denominator`.
fn factor(dimension: Dimension, unit: &str) -> Option<(Decimal, Decimal)> {
    let ten = |exp: u32| Decimal::from(10_i64.pow(exp));
    let one = Decimal::ONE;
    Some(match (dimension, unit) {
        (Dimension::Emissions, "tCO2e") => (one, one),
        (Dimension::Emissions, "kgCO2e") => (one, ten(3)),
        (Dimension::Emissions, "gCO2e") => (one, ten(6)),
        (Dimension::Energy, "MWh") => (one, one),
        (Dimension::Energy, "kWh") => (one, ten(3)),
        (Dimension::Energy, "GJ") => (Decimal::from(10), Decimal::from(36)),
        (Dimension::Energy, "TJ") => (Decimal::from(10_000), Decimal::from(36)),
        (Dimension::Mass, "t") => (one, one),
        (Dimension::Mass, "kg") => (one, ten(3)),
        (Dimension::Volume, "m3") => (one, one),
        (Dimension::Volume, "L") => (one, ten(3)),
        (Dimension::EmissionsPerMass, "tCO2e/t") => (one, one),
        (Dimension::EmissionsPerMass, "kgCO2e/t") => (one, ten(3)),
        (Dimension::EmissionsPerMass, "kgCO2e/kg") => (one, one),
        (Dimension::EnergyPerMass, "MWh/t") => (one, one),
        (Dimension::EnergyPerMass, "kWh/t") => (one, ten(3)),
        (Dimension::EmissionsPerEnergy, "tCO2/MWh") => (one, one),
        (Dimension::EmissionsPerEnergy, "kgCO2/MWh") => (one, ten(3)),
        (Dimension::EmissionsPerEnergy, "kgCO2/kWh") => (one, one),
        (Dimension::CarbonPrice, "EUR/tCO2e") => (one, one),
        (Dimension::EmissionsPerUnit, "kgCO2e/unit") => (one, one),
        (Dimension::EmissionsPerUnit, "tCO2e/unit") => (ten(3), one),
        (Dimension::EmissionsPerUnit, "gCO2e/unit") => (one, ten(3)),
        _ => return None,
    })
}

/// The accepted unit `input` names (case-insensitively; `m³` for `m3`).
pub fn parse_unit(dimension: Dimension, input: &str) -> Result<&'static str, FieldError> {
    let wanted = input.trim().replace('³', "3");
    dimension
        .accepted_units()
        .iter()
        .find(|unit| unit.eq_ignore_ascii_case(&wanted))
        .copied()
        .ok_or_else(|| {
            FieldError::new(
                "unit",
                "wrong_unit",
                format!(
                    "`{input}` is not a unit of {}; use one of {}",
                    dimension.as_str(),
                    dimension.accepted_units().join(", ")
                ),
            )
        })
}

/// Parses a decimal exactly as written (`"0.000123456789"`, `"1.5e3"` is refused).
pub fn parse_decimal(field: &str, input: &str) -> Result<Decimal, FieldError> {
    let trimmed = input.trim();
    let plain = !trimmed.is_empty()
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'))
        && trimmed.bytes().filter(|b| *b == b'.').count() <= 1;
    if !plain {
        return Err(FieldError::new(
            field,
            "not_a_decimal",
            format!("`{input}` is not a decimal number such as 12.5"),
        ));
    }
    Decimal::from_str_exact(trimmed)
        .or_else(|_| Decimal::from_str(trimmed))
        .map_err(|_| {
            FieldError::new(
                field,
                "not_a_decimal",
                format!("`{input}` has too many digits (at most 28)"),
            )
        })
}

/// Converts `value` in `unit` to the dimension's canonical unit.
pub fn to_canonical(
    value: Decimal,
    dimension: Dimension,
    unit: &str,
) -> Result<Decimal, FieldError> {
    let (numerator, denominator) = factor(dimension, unit).ok_or_else(|| {
        FieldError::new(
            "unit",
            "wrong_unit",
            format!("cannot convert {unit} to {}", dimension.canonical_unit()),
        )
    })?;
    value
        .checked_mul(numerator)
        .and_then(|v| v.checked_div(denominator))
        .map(|converted| converted.normalize())
        .ok_or_else(|| {
            FieldError::new("value", "out_of_range", "the value is too large to convert")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        parse_decimal("value", s).expect("a decimal")
    }

    #[test]
    fn small_values_convert_exactly() {
        let canonical =
            to_canonical(dec("0.000123456789"), Dimension::Emissions, "kgCO2e").expect("converts");
        assert_eq!(canonical.to_string(), "0.000000123456789");
        assert_eq!(
            dec("0.000123456789").to_string(),
            "0.000123456789",
            "read back as written"
        );
    }

    #[test]
    fn every_accepted_unit_converts_and_canonical_is_identity() {
        for dimension in Dimension::ALL {
            for unit in dimension.accepted_units() {
                assert!(
                    to_canonical(Decimal::ONE, dimension, unit).is_ok(),
                    "{unit}"
                );
            }
            let canonical = dimension.canonical_unit();
            assert_eq!(
                to_canonical(dec("12.5"), dimension, canonical).ok(),
                Some(dec("12.5"))
            );
        }
    }

    #[test]
    fn energy_and_intensities_convert_as_expected() {
        assert_eq!(
            to_canonical(dec("3.6"), Dimension::Energy, "GJ").ok(),
            Some(Decimal::ONE)
        );
        assert_eq!(
            to_canonical(dec("1500"), Dimension::Energy, "kWh").ok(),
            Some(dec("1.5"))
        );
        assert_eq!(
            to_canonical(dec("0.45"), Dimension::EmissionsPerEnergy, "kgCO2/kWh").ok(),
            Some(dec("0.45"))
        );
        assert_eq!(
            to_canonical(dec("2"), Dimension::EmissionsPerUnit, "tCO2e/unit").ok(),
            Some(dec("2000"))
        );
        let third = to_canonical(dec("1.2"), Dimension::Energy, "GJ").expect("converts");
        assert!(
            third
                .to_string()
                .starts_with("0.333333333333333333333333333"),
            "{third}"
        );
    }

    #[test]
    fn units_must_belong_to_the_dimension() {
        assert_eq!(
            parse_unit(Dimension::Emissions, "KGCO2E").ok(),
            Some("kgCO2e")
        );
        assert_eq!(parse_unit(Dimension::Volume, "m³").ok(), Some("m3"));
        let error = parse_unit(Dimension::Emissions, "kWh").expect_err("wrong unit");
        assert_eq!(error.code, "wrong_unit");
        assert!(error.message.contains("tCO2e, kgCO2e, gCO2e"));
    }

    #[test]
    fn only_plain_decimals_are_accepted() {
        for bad in ["", "1e3", "1,5", "abc", "1.2.3", "NaN"] {
            assert!(parse_decimal("value", bad).is_err(), "{bad}");
        }
        assert_eq!(dec("-4.20").to_string(), "-4.20");
    }
}
