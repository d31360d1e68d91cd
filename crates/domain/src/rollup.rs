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

/// Sums contributions per metric, exactly.
pub fn roll_up(contributions: &[Contribution]) -> Vec<MetricRollup> {
    let mut rollup = RollUp::default();
    for contribution in contributions {
        rollup.add(contribution);
    }
    rollup.finish()
}

/// The same sums, fed one contribution at a time: a caller can stream tens
/// of thousands of values without holding them all.
#[derive(Debug, Default)]
pub struct RollUp {
    by_metric: BTreeMap<String, MetricRollup>,
}

impl RollUp {
    pub fn add(&mut self, c: &Contribution) {
        if !self.by_metric.contains_key(&c.metric) {
            self.by_metric.insert(
                c.metric.clone(),
                MetricRollup {
                    metric: c.metric.clone(),
                    canonical_unit: c.canonical_unit.clone(),
                    accepted: Totals::default(),
                    submitted: Totals::default(),
                },
            );
        }
        let Some(rollup) = self.by_metric.get_mut(&c.metric) else {
            return;
        };
        let totals = match c.standing {
            Standing::Accepted => &mut rollup.accepted,
            Standing::Submitted => &mut rollup.submitted,
        };
        totals.total += c.canonical_value;
        totals.answers += 1;
        *totals.by_tier.entry(c.tier).or_default() += c.canonical_value;
        *totals.by_obtained.entry(c.obtained.as_str()).or_default() += c.canonical_value;
    }

    /// The roll-ups by metric code, with each primary-data share.
    pub fn finish(self) -> Vec<MetricRollup> {
        let mut rollups: Vec<MetricRollup> = self.by_metric.into_values().collect();
        for rollup in &mut rollups {
            for totals in [&mut rollup.accepted, &mut rollup.submitted] {
                if !totals.total.is_zero() {
                    let primary: Decimal = totals
                        .by_obtained
                        .iter()
                        .filter(|(obtained, _)| {
                            Obtained::parse(obtained).is_some_and(Obtained::is_primary)
                        })
                        .map(|(_, value)| *value)
                        .sum();
                    totals.primary_share = (primary * Decimal::ONE_HUNDRED)
                        .checked_div(totals.total)
                        .map(|share| share.round_dp(2));
                }
            }
        }
        rollups
    }
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
}
