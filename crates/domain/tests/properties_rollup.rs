//! Properties of the roll-up (`tierlink_domain::rollup`) over generated
//! contributions: totals are the exact sum whatever the order or the
//! batching, the breakdowns add up to the total, and nothing panics.
//!
//! Values stay below 10^24 for the exact sums; `any_values_never_panic`
//! feeds any `Decimal` at all (every sum is checked, an overflowing
//! contribution is left out whole).

use std::collections::BTreeMap;

use proptest::prelude::*;
use rust_decimal::Decimal;
use tierlink_domain::answers::Obtained;
use tierlink_domain::rollup::{Contribution, MetricRollup, RollUp, Standing, Totals, roll_up};

const METRICS: [(&str, &str); 3] = [
    ("ghg.scope1", "tCO2e"),
    ("energy.total", "MWh"),
    ("water.withdrawal", "m3"),
];

/// The scale every generated value is summed at, exactly, by the oracle.
const ORACLE_SCALE: u32 = 10;

/// A non-negative value with at most `digits` digits and `max_scale`
/// (at most `ORACLE_SCALE`) decimal places.
fn value(digits: u32, max_scale: u32) -> impl Strategy<Value = Decimal> {
    (0..10_i128.pow(digits), 0..=max_scale)
        .prop_map(|(mantissa, scale)| Decimal::from_i128_with_scale(mantissa, scale))
}

fn contribution(value: impl Strategy<Value = Decimal>) -> impl Strategy<Value = Contribution> {
    (
        proptest::sample::select(METRICS.to_vec()),
        value,
        1_u8..=3,
        proptest::sample::select(Obtained::ALL.to_vec()),
        prop_oneof![Just(Standing::Accepted), Just(Standing::Submitted)],
    )
        .prop_map(
            |((metric, unit), canonical_value, tier, obtained, standing)| Contribution {
                metric: metric.to_owned(),
                canonical_unit: unit.to_owned(),
                canonical_value,
                tier,
                obtained,
                standing,
            },
        )
}

/// Up to 64 contributions of up to 15 digits: their sums are exact in a
/// `Decimal` and in the oracle's `i128`.
fn contributions() -> impl Strategy<Value = Vec<Contribution>> {
    proptest::collection::vec(contribution(value(15, ORACLE_SCALE)), 0..64)
}

fn totals(rollups: &[MetricRollup], metric: &str, standing: Standing) -> Option<Totals> {
    rollups
        .iter()
        .find(|r| r.metric == metric)
        .map(|r| match standing {
            Standing::Accepted => r.accepted.clone(),
            Standing::Submitted => r.submitted.clone(),
        })
}

/// The oracle: each value as an integer number of 10^-ORACLE_SCALE.
fn units(value: Decimal) -> i128 {
    value.mantissa() * 10_i128.pow(ORACLE_SCALE - value.scale())
}

fn decimal(units: i128) -> Decimal {
    Decimal::from_i128_with_scale(units, ORACLE_SCALE)
}

fn sum(values: impl IntoIterator<Item = Decimal>) -> Decimal {
    values.into_iter().fold(Decimal::ZERO, |acc, v| acc + v)
}

proptest! {
    #[test]
    fn totals_are_the_exact_sum_of_their_inputs(inputs in contributions()) {
        let rollups = roll_up(&inputs);
        let mut expected: BTreeMap<(&str, Standing), (i128, usize)> = BTreeMap::new();
        for c in &inputs {
            let entry = expected.entry((c.metric.as_str(), c.standing)).or_default();
            entry.0 += units(c.canonical_value);
            entry.1 += 1;
        }
        let metrics: Vec<&str> = rollups.iter().map(|r| r.metric.as_str()).collect();
        let mut wanted: Vec<&str> = expected.keys().map(|(metric, _)| *metric).collect();
        wanted.dedup();
        prop_assert_eq!(metrics, wanted, "one roll-up per metric, in code order");
        for ((metric, standing), (total, answers)) in &expected {
            let totals = totals(&rollups, metric, *standing).expect("rolled up");
            prop_assert_eq!(totals.total, decimal(*total));
            prop_assert_eq!(totals.answers, *answers);
        }
        for rollup in &rollups {
            let unit = METRICS.iter().find(|(m, _)| *m == rollup.metric).map(|(_, u)| *u);
            prop_assert_eq!(Some(rollup.canonical_unit.as_str()), unit);
        }
    }

    #[test]
    fn breakdowns_add_up_to_the_total(inputs in contributions()) {
        for rollup in roll_up(&inputs) {
            for totals in [&rollup.accepted, &rollup.submitted] {
                prop_assert_eq!(sum(totals.by_tier.values().copied()), totals.total);
                prop_assert_eq!(sum(totals.by_obtained.values().copied()), totals.total);
                let primary = sum(
                    totals
                        .by_obtained
                        .iter()
                        .filter(|(o, _)| Obtained::parse(o).is_some_and(Obtained::is_primary))
                        .map(|(_, v)| *v),
                );
                match totals.primary_share {
                    None => prop_assert!(totals.total.is_zero()),
                    Some(share) => {
                        prop_assert!(!totals.total.is_zero());
                        prop_assert!(share >= Decimal::ZERO && share <= Decimal::ONE_HUNDRED, "{share}");
                        let exact = primary * Decimal::ONE_HUNDRED / totals.total;
                        prop_assert!((share - exact).abs() <= Decimal::new(5, 3), "{share} vs {exact}");
                    }
                }
            }
        }
    }

    #[test]
    fn order_does_not_matter(
        (inputs, shuffled) in contributions().prop_flat_map(|inputs| {
            let shuffled = Just(inputs.clone()).prop_shuffle();
            (Just(inputs), shuffled)
        })
    ) {
        prop_assert_eq!(roll_up(&inputs), roll_up(&shuffled));
    }

    /// Rolling up in batches and adding the batches' totals gives the totals
    /// of the whole; streaming through `RollUp` gives `roll_up`'s result.
    #[test]
    fn batching_does_not_matter(
        inputs in contributions(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(inputs.len() + 1)).collect();
        cuts.extend([0, inputs.len()]);
        cuts.sort_unstable();
        let whole = roll_up(&inputs);
        let mut added: BTreeMap<(String, Standing), (Decimal, usize)> = BTreeMap::new();
        for batch in cuts.windows(2).map(|w| &inputs[w[0]..w[1]]) {
            for rollup in roll_up(batch) {
                for (standing, totals) in
                    [(Standing::Accepted, &rollup.accepted), (Standing::Submitted, &rollup.submitted)]
                {
                    let entry = added.entry((rollup.metric.clone(), standing)).or_default();
                    entry.0 += totals.total;
                    entry.1 += totals.answers;
                }
            }
        }
        for ((metric, standing), (total, answers)) in &added {
            let totals = totals(&whole, metric, *standing).expect("rolled up");
            prop_assert_eq!(totals.total, *total);
            prop_assert_eq!(totals.answers, *answers);
        }
        let mut streamed = RollUp::default();
        for c in &inputs {
            prop_assert!(streamed.add(c).is_ok());
        }
        prop_assert_eq!(streamed.finish(), whole);
    }

    /// Any values, up to `Decimal::MAX`: no panic, and every contribution
    /// was kept or counted as left out. (Sums of values with 28 significant
    /// digits are rounded by `Decimal`; exactness is the properties above.)
    #[test]
    fn any_values_never_panic(
        inputs in proptest::collection::vec(
            contribution(
                (any::<u32>(), any::<u32>(), any::<u32>(), 0_u32..=28)
                    .prop_map(|(lo, mid, hi, scale)| Decimal::from_parts(lo, mid, hi, false, scale)),
            ),
            0..64,
        )
    ) {
        let mut rollup = RollUp::default();
        for c in &inputs {
            let _ = rollup.add(c);
        }
        let left_out = rollup.left_out();
        let rollups = rollup.finish();
        let kept: usize = rollups.iter().map(|r| r.accepted.answers + r.submitted.answers).sum();
        prop_assert_eq!(kept + left_out, inputs.len());
        for rollup in &rollups {
            for totals in [&rollup.accepted, &rollup.submitted] {
                if let Some(share) = totals.primary_share {
                    prop_assert!(share >= Decimal::ZERO && share <= Decimal::ONE_HUNDRED, "{share}");
                }
            }
        }
    }

    /// Whole values up to 10^24 (far beyond any real quantity), 256 of
    /// them: no overflow, and the totals are still exact.
    #[test]
    fn large_values_do_not_overflow(
        inputs in proptest::collection::vec(contribution(value(24, 0)), 0..256)
    ) {
        for rollup in roll_up(&inputs) {
            let mut expected = [Decimal::ZERO; 2];
            for c in inputs.iter().filter(|c| c.metric == rollup.metric) {
                expected[usize::from(c.standing == Standing::Submitted)] += c.canonical_value;
            }
            prop_assert_eq!(rollup.accepted.total, expected[0]);
            prop_assert_eq!(rollup.submitted.total, expected[1]);
            for totals in [&rollup.accepted, &rollup.submitted] {
                prop_assert_eq!(sum(totals.by_tier.values().copied()), totals.total);
            }
        }
    }
}
