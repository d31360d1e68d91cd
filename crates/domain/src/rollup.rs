//! Roll-up of answers for a requester: totals per quantity metric in
//! canonical units, exact, split by tier and by how the data was obtained.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::answers::Obtained;

/// Whether an answer counts as accepted or as submitted and awaiting review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    Accepted,
    Submitted,
}

/// One quantity value that enters the roll-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    pub metric: String,
    pub canonical_unit: String,
    pub canonical_value: Decimal,
    /// 1 for the requester's direct suppliers, 2 for theirs.
    pub tier: u8,
    pub obtained: Obtained,
    pub standing: Standing,
}

/// Totals of one metric for one standing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub total: Decimal,
    pub answers: usize,
    pub by_tier: BTreeMap<u8, Decimal>,
    pub by_obtained: BTreeMap<&'static str, Decimal>,
    /// Share of the total from measured or calculated data, in percent (0–100).
    pub primary_share: Option<Decimal>,
}

/// A metric's roll-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricRollup {
    pub metric: String,
    pub canonical_unit: String,
    pub accepted: Totals,
    pub submitted: Totals,
}

/// Sums contributions per metric, exactly (leaving out any that would take
/// a total past what a `Decimal` holds; see [`RollUp::add`]).
pub fn roll_up(contributions: &[Contribution]) -> Vec<MetricRollup> {
    let mut rollup = RollUp::default();
    for contribution in contributions {
        // Left out, and counted in `left_out`: the others still add up.
        let _ = rollup.add(contribution);
    }
    rollup.finish()
}

/// A contribution that would take a total past `Decimal`'s range (about
/// 7.9·10^28). Values are bounded at input far below it
/// (`units::max_canonical`), so only rows stored before that bound, or
/// written around the API, can get here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

/// The same sums, fed one contribution at a time: a caller can stream tens
/// of thousands of values without holding them all. Every sum is checked:
/// nothing here panics, whatever the values.
#[derive(Debug, Default)]
pub struct RollUp {
    by_metric: BTreeMap<String, MetricRollup>,
    left_out: usize,
}

impl RollUp {
    /// Adds `c` to its metric's totals; when one of them would overflow,
    /// adds it to none (so the breakdowns still add up to the total),
    /// counts it in [`RollUp::left_out`] and says so.
    pub fn add(&mut self, c: &Contribution) -> Result<(), Overflow> {
        let totals = self
            .by_metric
            .get(&c.metric)
            .map(|rollup| match c.standing {
                Standing::Accepted => &rollup.accepted,
                Standing::Submitted => &rollup.submitted,
            });
        let plus = |sum: Option<&Decimal>| {
            sum.copied()
                .unwrap_or_default()
                .checked_add(c.canonical_value)
        };
        let sums = (
            plus(totals.map(|t| &t.total)),
            plus(totals.and_then(|t| t.by_tier.get(&c.tier))),
            plus(totals.and_then(|t| t.by_obtained.get(c.obtained.as_str()))),
        );
        let (Some(total), Some(tier), Some(obtained)) = sums else {
            self.left_out += 1;
            return Err(Overflow);
        };
        let rollup = self
            .by_metric
            .entry(c.metric.clone())
            .or_insert_with(|| MetricRollup {
                metric: c.metric.clone(),
                canonical_unit: c.canonical_unit.clone(),
                accepted: Totals::default(),
                submitted: Totals::default(),
            });
        let totals = match c.standing {
            Standing::Accepted => &mut rollup.accepted,
            Standing::Submitted => &mut rollup.submitted,
        };
        totals.total = total;
        totals.answers += 1;
        totals.by_tier.insert(c.tier, tier);
        totals.by_obtained.insert(c.obtained.as_str(), obtained);
        Ok(())
    }

    /// How many contributions [`RollUp::add`] left out.
    pub fn left_out(&self) -> usize {
        self.left_out
    }

    /// The roll-ups by metric code, with each primary-data share.
    pub fn finish(self) -> Vec<MetricRollup> {
        let mut rollups: Vec<MetricRollup> = self.by_metric.into_values().collect();
        for rollup in &mut rollups {
            for totals in [&mut rollup.accepted, &mut rollup.submitted] {
                totals.primary_share = primary_share(totals);
            }
        }
        rollups
    }
}

/// The share of the total from primary data, in percent to two places;
/// `None` for a zero total (or sums a `Decimal` cannot hold).
fn primary_share(totals: &Totals) -> Option<Decimal> {
    if totals.total.is_zero() {
        return None;
    }
    let primary = totals
        .by_obtained
        .iter()
        .filter(|(obtained, _)| Obtained::parse(obtained).is_some_and(Obtained::is_primary))
        .try_fold(Decimal::ZERO, |sum, (_, value)| sum.checked_add(*value))?;
    // × 100 first keeps every digit; past 7.9·10^26 that overflows, and
    // dividing first loses only digits far below the two kept.
    primary
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|hundredfold| hundredfold.checked_div(totals.total))
        .or_else(|| {
            primary
                .checked_div(totals.total)?
                .checked_mul(Decimal::ONE_HUNDRED)
        })
        .map(|share| share.round_dp(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(
        metric: &str,
        value: &str,
        tier: u8,
        obtained: Obtained,
        standing: Standing,
    ) -> Contribution {
        Contribution {
            metric: metric.to_owned(),
            canonical_unit: "tCO2e".to_owned(),
            canonical_value: value.parse().expect("a decimal"),
            tier,
            obtained,
            standing,
        }
    }

    #[test]
    fn totals_are_exact_and_split() {
        let rollups = roll_up(&[
            c(
                "ghg.scope1",
                "0.1",
                1,
                Obtained::Measured,
                Standing::Accepted,
            ),
            c(
                "ghg.scope1",
                "0.2",
                2,
                Obtained::Estimated,
                Standing::Accepted,
            ),
            c(
                "ghg.scope1",
                "5",
                1,
                Obtained::Calculated,
                Standing::Submitted,
            ),
        ]);
        assert_eq!(rollups.len(), 1);
        let accepted = &rollups[0].accepted;
        assert_eq!(accepted.total.to_string(), "0.3");
        assert_eq!(accepted.answers, 2);
        assert_eq!(
            accepted.by_tier.get(&2).map(ToString::to_string),
            Some("0.2".to_owned())
        );
        assert_eq!(
            accepted.primary_share.map(|s| s.to_string()),
            Some("33.33".to_owned())
        );
        assert_eq!(rollups[0].submitted.total.to_string(), "5");
    }

    #[test]
    fn huge_values_never_panic_and_an_overflow_is_left_out_whole() {
        let huge = "793000000000000000000000000";
        let mut rollup = RollUp::default();
        let add = |rollup: &mut RollUp, value: &str, obtained| {
            rollup.add(&c("ghg.scope1", value, 1, obtained, Standing::Accepted))
        };
        assert_eq!(add(&mut rollup, huge, Obtained::Measured), Ok(()));
        assert_eq!(add(&mut rollup, huge, Obtained::Estimated), Ok(()));
        let max = Decimal::MAX.to_string();
        assert_eq!(add(&mut rollup, &max, Obtained::Secondary), Err(Overflow));
        assert_eq!(rollup.left_out(), 1);
        let rollups = rollup.finish();
        let accepted = &rollups[0].accepted;
        assert_eq!(accepted.answers, 2);
        assert_eq!(accepted.total.to_string(), "1586000000000000000000000000");
        assert!(!accepted.by_obtained.contains_key("secondary"));
        assert_eq!(
            accepted.primary_share.map(|s| s.to_string()),
            Some("50.00".to_owned())
        );
    }
}
