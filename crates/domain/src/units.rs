//! Unit conversion to each dimension's canonical unit, in exact decimal
//! arithmetic (`rust_decimal`, 28 significant digits; never floats).
//!
//! Factors that are powers of ten convert exactly. The only inexact factor
//! is energy's 3.6 GJ per MWh: dividing by 3.6 can repeat forever, so the
//! result is rounded at 28 significant digits (documented in the API).

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

/// The largest magnitude a reported quantity may have, in its dimension's
/// canonical unit. 10^15 for amounts (tCO2e, MWh, t, m3: thousands of
/// times a year of the whole world's emissions or energy use), 10^9 for
/// intensities, factors and prices. A value beyond it is a typing mistake
/// or an attack; refusing it also keeps every roll-up total within
/// `Decimal`'s range (about 7.9·10^28) for far more answers than exist.
pub fn max_canonical(dimension: Dimension) -> Decimal {
    match dimension {
        Dimension::Emissions | Dimension::Energy | Dimension::Mass | Dimension::Volume => {
            Decimal::from(1_000_000_000_000_000_i64)
        }
        Dimension::EmissionsPerMass
        | Dimension::EnergyPerMass
        | Dimension::EmissionsPerEnergy
        | Dimension::CarbonPrice
        | Dimension::EmissionsPerUnit => Decimal::from(1_000_000_000_i64),
    }
}

/// `canonical` (in the dimension's canonical unit) within
/// [`max_canonical`]; `out_of_range` on `value` otherwise.
pub fn check_magnitude(canonical: Decimal, dimension: Dimension) -> Result<(), FieldError> {
    let max = max_canonical(dimension);
    if canonical.abs() > max {
        return Err(FieldError::new(
            "value",
            "out_of_range",
            format!(
                "at most {max} {} (or as much in another unit)",
                dimension.canonical_unit()
            ),
        ));
    }
    Ok(())
}

/// Parses a decimal exactly as written (`"0.000123456789"`, `"1.5e3"` is
/// refused). A decimal that cannot be kept exactly (more than 28 decimal
/// places, or about 29 significant digits) is refused, never rounded.
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
    Decimal::from_str_exact(trimmed).map_err(|_| {
        FieldError::new(
            field,
            "too_many_digits",
            format!(
                "`{input}` has more digits than are kept exactly: at most 28 decimal places and 28 significant digits"
            ),
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
    fn digits_that_cannot_be_kept_are_refused_not_rounded() {
        let fraction = format!("0.{}", "1".repeat(29));
        let error = parse_decimal("value", &fraction).expect_err("29 decimal places");
        assert_eq!(error.code, "too_many_digits");
        assert!(parse_decimal("value", &format!("0.{}", "1".repeat(28))).is_ok());
        assert!(parse_decimal("value", &"9".repeat(30)).is_err());
    }

    #[test]
    fn magnitudes_are_bounded_per_dimension() {
        let max = max_canonical(Dimension::Emissions);
        assert!(check_magnitude(max, Dimension::Emissions).is_ok());
        assert!(check_magnitude(-max, Dimension::Emissions).is_ok());
        let error =
            check_magnitude(max + Decimal::ONE, Dimension::Emissions).expect_err("past the bound");
        assert_eq!(
            (error.field.as_str(), error.code),
            ("value", "out_of_range")
        );
        assert!(check_magnitude(max, Dimension::CarbonPrice).is_err());
    }

    #[test]
    fn only_plain_decimals_are_accepted() {
        for bad in ["", "1e3", "1,5", "abc", "1.2.3", "NaN"] {
            assert!(parse_decimal("value", bad).is_err(), "{bad}");
        }
        assert_eq!(dec("-4.20").to_string(), "-4.20");
    }
}
