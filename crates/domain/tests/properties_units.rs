//! Properties of unit conversion (`tierlink_domain::units`) over generated
//! decimals: exact where the factor is a power of ten, monotonic, GJ and TJ
//! within the documented rounding, and never a panic.

use proptest::prelude::*;
use rust_decimal::Decimal;
use tierlink_domain::metrics::Dimension;
use tierlink_domain::units::{parse_decimal, parse_unit, to_canonical};

/// Any `Decimal` at all: every mantissa bit and scale, small and huge.
fn any_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<bool>(),
            0_u32..=28
        )
            .prop_map(|(lo, mid, hi, negative, scale)| {
                Decimal::from_parts(lo, mid, hi, negative, scale)
            }),
        (any::<i64>(), 0_u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        (-1_000_000_i64..=1_000_000, 0_u32..=6).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

/// A decimal with at most `digits` digits in its mantissa and at most
/// `max_scale` decimal places: room left for a factor of up to 10^6 either
/// way without rounding.
fn bounded_decimal(digits: u32, max_scale: u32) -> impl Strategy<Value = Decimal> {
    let limit = 10_i128.pow(digits);
    (-limit + 1..limit, 0..=max_scale).prop_map(|(m, s)| Decimal::from_i128_with_scale(m, s))
}

/// A dimension and one of its accepted units.
fn dimension_and_unit() -> impl Strategy<Value = (Dimension, &'static str)> {
    proptest::sample::select(Dimension::ALL.to_vec()).prop_flat_map(|dimension| {
        proptest::sample::select(dimension.accepted_units().to_vec())
            .prop_map(move |unit| (dimension, unit))
    })
}

/// The units whose factor is a power of ten (every unit but GJ and TJ).
fn exact_units() -> impl Strategy<Value = (Dimension, &'static str)> {
    dimension_and_unit().prop_filter("factor is a power of ten", |(_, unit)| {
        !matches!(*unit, "GJ" | "TJ")
    })
}

fn convert(value: Decimal, dimension: Dimension, unit: &str) -> Decimal {
    to_canonical(value, dimension, unit).expect("in range")
}

/// `unit`'s factor to the canonical unit as `(k, multiplies)`: the value is
/// multiplied by 10^k when `multiplies`, divided by 10^k otherwise.
fn power_of_ten(dimension: Dimension, unit: &str) -> (u32, bool) {
    let factor = convert(Decimal::ONE, dimension, unit);
    let (mantissa, scale) = (factor.mantissa(), factor.scale());
    if scale > 0 {
        assert_eq!(mantissa, 1, "{unit}: factor {factor} is 10^-k");
        (scale, false)
    } else {
        let k = mantissa.ilog10();
        assert_eq!(mantissa, 10_i128.pow(k), "{unit}: factor {factor} is 10^k");
        (k, true)
    }
}

/// `|x|` for an `i128` that fits (mantissas are below 2^96).
fn abs(x: i128) -> i128 {
    x.checked_abs().expect("far from i128::MIN")
}

proptest! {
    #[test]
    fn conversion_never_panics(value in any_decimal(), (dimension, unit) in dimension_and_unit()) {
        match to_canonical(value, dimension, unit) {
            Ok(_) => {}
            Err(error) => prop_assert_eq!(error.code, "out_of_range"),
        }
    }

    #[test]
    fn parsing_never_panics(input in any::<String>()) {
        let _ = parse_decimal("value", &input);
        for dimension in Dimension::ALL {
            let _ = parse_unit(dimension, &input);
        }
    }

    /// Up to 28 digits, a plain decimal reads back as written: its digits
    /// as the mantissa, its decimal places as the scale (`4.20` keeps two).
    #[test]
    fn plain_decimals_parse_as_written(
        sign in "[-+]?",
        whole in "[0-9]{1,14}",
        fraction in proptest::option::of("[0-9]{0,14}"),
    ) {
        let input = match &fraction {
            Some(fraction) => format!("{sign}{whole}.{fraction}"),
            None => format!("{sign}{whole}"),
        };
        let digits = format!("{whole}{}", fraction.as_deref().unwrap_or_default());
        let mantissa: i128 = digits.parse().expect("digits");
        let scale = u32::try_from(fraction.map_or(0, |f| f.len())).expect("short");
        let value = parse_decimal("value", &input).expect("a plain decimal");
        let expected = if sign == "-" { -mantissa } else { mantissa };
        prop_assert_eq!(value, Decimal::from_i128_with_scale(expected, scale));
        prop_assert_eq!(value.scale(), scale);
    }

    /// Longer inputs never panic, here or when converted.
    #[test]
    fn long_decimals_never_panic(
        input in "[-+]?[0-9]{1,40}(\\.[0-9]{0,40})?",
        (dimension, unit) in dimension_and_unit(),
    ) {
        if let Ok(value) = parse_decimal("value", &input) {
            let _ = to_canonical(value, dimension, unit);
        }
    }

    #[test]
    fn the_canonical_unit_is_the_identity(
        value in any_decimal(),
        dimension in proptest::sample::select(Dimension::ALL.to_vec()),
    ) {
        prop_assert_eq!(convert(value, dimension, dimension.canonical_unit()), value);
    }

    /// Powers of ten move the decimal point and nothing else, and converting
    /// back with the same factor gives the value as written.
    #[test]
    fn powers_of_ten_convert_exactly_and_back(
        value in bounded_decimal(22, 22),
        (dimension, unit) in exact_units(),
    ) {
        let (k, multiplies) = power_of_ten(dimension, unit);
        let canonical = convert(value, dimension, unit);
        let expected = if multiplies {
            Decimal::from_i128_with_scale(value.mantissa() * 10_i128.pow(k), value.scale())
        } else {
            Decimal::from_i128_with_scale(value.mantissa(), value.scale() + k)
        };
        prop_assert_eq!(canonical, expected);
        let factor = convert(Decimal::ONE, dimension, unit);
        prop_assert_eq!(canonical.checked_div(factor), Some(value));
    }

    #[test]
    fn conversion_is_monotonic(
        a in any_decimal(),
        b in any_decimal(),
        (dimension, unit) in dimension_and_unit(),
    ) {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        if let (Ok(low), Ok(high)) = (
            to_canonical(low, dimension, unit),
            to_canonical(high, dimension, unit),
        ) {
            prop_assert!(low <= high, "{low} > {high} in {unit}");
        }
    }

    /// The same quantity written in a smaller unit is the same canonical
    /// value (1000 kg = 1 t), and a positive number of a smaller unit is less.
    #[test]
    fn smaller_units_scale_down(value in bounded_decimal(20, 20)) {
        let ladders: [(Dimension, &[&str]); 4] = [
            (Dimension::Mass, &["kg", "t"]),
            (Dimension::Emissions, &["gCO2e", "kgCO2e", "tCO2e"]),
            (Dimension::Energy, &["kWh", "MWh"]),
            (Dimension::Volume, &["L", "m3"]),
        ];
        let thousand = Decimal::from(1_000);
        for (dimension, ladder) in ladders {
            for pair in ladder.windows(2) {
                let (small, large) = (pair[0], pair[1]);
                prop_assert_eq!(
                    convert(value * thousand, dimension, small),
                    convert(value, dimension, large),
                    "1000 {} = 1 {}", small, large
                );
                let (in_small, in_large) = (
                    convert(value.abs(), dimension, small),
                    convert(value.abs(), dimension, large),
                );
                if value.is_zero() {
                    prop_assert_eq!(in_small, in_large);
                } else {
                    prop_assert!(in_small < in_large, "{} {} ≥ {} {}", value, small, value, large);
                }
            }
        }
    }

    /// GJ and TJ divide by 3.6: `canonical × 3.6` is the value to within the
    /// documented rounding — 28 significant digits, and no finer than
    /// 10^-28 (rust_decimal's smallest step): |q − v/3.6| ≤ 10^-27·|v/3.6| + 10^-28.
    #[test]
    fn gigajoules_round_within_the_documented_digits(value in any_decimal(), tera in any::<bool>()) {
        let unit = if tera { "TJ" } else { "GJ" };
        let Ok(canonical) = to_canonical(value, Dimension::Energy, unit) else {
            // Refused only where the first step, × 10 (GJ) or × 10,000 (TJ)
            // before ÷ 36, overflows.
            let numerator = Decimal::from(if tera { 10_000 } else { 10 });
            prop_assert_eq!(value.checked_mul(numerator), None, "{} {} is refused", value, unit);
            return Ok(());
        };
        // In GJ: v' = v (GJ) or 1000·v (TJ), exactly, as an integer over 10^sv.
        let (mv, sv) = if tera {
            let m = value.mantissa() * 1_000;
            let s = value.scale();
            (m, s)
        } else {
            (value.mantissa(), value.scale())
        };
        // canonical × 3.6 = mq·36 / 10^(sq+1); compare at a common scale t.
        let (mq, sq) = (canonical.mantissa(), canonical.scale());
        let t = (sq + 1).max(sv);
        let scaled = |m: i128, s: u32| 10_i128.checked_pow(t - s).and_then(|p| m.checked_mul(p));
        let a = scaled(mq * 36, sq + 1);
        let b = scaled(mv, sv);
        let (Some(a), Some(b)) = (a, b) else {
            return Err(TestCaseError::fail(format!("{value} {unit} → {canonical} MWh is far off")));
        };
        // |a − b|/10^t ≤ 10^-27·|b|/10^t + 3.6·10^-28, times 10^(t+29):
        // 10^29·|a − b| ≤ 100·|b| + 36·10^t.
        let error = a
            .checked_sub(b)
            .and_then(|d| 10_i128.pow(29).checked_mul(abs(d)));
        let bound = abs(b).saturating_mul(100).saturating_add(36 * 10_i128.pow(t));
        prop_assert!(
            error.is_some_and(|error| error <= bound),
            "{} {} → {} MWh: error {:?}·10^-{}", value, unit, canonical, a.checked_sub(b), t
        );
    }

    /// Multiples of 3.6 GJ are whole MWh, exactly.
    #[test]
    fn multiples_of_three_point_six_gigajoules_are_exact(mwh in -1_000_000_000_000_i64..=1_000_000_000_000) {
        let gigajoules = Decimal::new(mwh * 36, 1);
        prop_assert_eq!(convert(gigajoules, Dimension::Energy, "GJ"), Decimal::from(mwh));
        let terajoules = Decimal::new(mwh * 36, 4);
        prop_assert_eq!(convert(terajoules, Dimension::Energy, "TJ"), Decimal::from(mwh));
    }
}
