//! Builds a requirement's roll-up from what persistence loads: counts by
//! status, and the domain's exact per-metric totals, fed entry by entry as
//! persistence streams them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tierlink_domain::answers::Obtained;
use tierlink_domain::requests::{RequestStatus, is_overdue};
use tierlink_domain::rollup::{Contribution, RollUp, Standing};
use tierlink_persistence::log_throttle::LogThrottle;
use tierlink_usecases::requirements::{CountedAnswer, CountedEntry, SummaryInputs};

use crate::wire::summary::{FootprintCoverage, MetricSummary, RequestCounts, SummaryBody};

/// Adds one counted entry to the roll-up (entries whose value does not
/// parse as a decimal, which validation never lets in, are skipped; one
/// that would overflow a total, which the input bound keeps out, is left
/// out and logged).
pub fn count(rollup: &mut RollUp, answer: CountedAnswer, entry: CountedEntry) {
    let (Ok(value), Some(obtained)) = (
        entry.canonical_value.parse::<Decimal>(),
        Obtained::parse(&entry.obtained),
    ) else {
        return;
    };
    let contribution = Contribution {
        metric: entry.metric,
        canonical_unit: entry.canonical_unit,
        canonical_value: value,
        tier: answer.tier,
        obtained,
        standing: if answer.accepted {
            Standing::Accepted
        } else {
            Standing::Submitted
        },
    };
    if rollup.add(&contribution).is_err() {
        static OVERFLOW: LogThrottle = LogThrottle::new(crate::problem::WARNING_INTERVAL);
        if let Some(left_out) = OVERFLOW.admit() {
            tracing::warn!(
                metric = %contribution.metric,
                value = %contribution.canonical_value,
                left_out,
                "a stored value would overflow its roll-up total; it is left out of the summary"
            );
        }
    }
}

pub fn summarise(inputs: SummaryInputs, rollup: RollUp, today: NaiveDate) -> SummaryBody {
    let direct: Vec<(RequestStatus, bool)> = inputs
        .requests
        .iter()
        .map(|(status, due)| (*status, is_overdue(*status, *due, today)))
        .collect();
    let tier2: Vec<(RequestStatus, bool)> =
        inputs.tier2_statuses.iter().map(|s| (*s, false)).collect();
    SummaryBody {
        requests: counts(&direct),
        tier2: counts(&tier2),
        metrics: rollup
            .finish()
            .into_iter()
            .map(MetricSummary::from)
            .collect(),
        footprints: FootprintCoverage::default(),
    }
}

fn counts(requests: &[(RequestStatus, bool)]) -> RequestCounts {
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    for (status, _) in requests {
        *by_status.entry(status.as_str().to_owned()).or_default() += 1;
    }
    let accepted = requests
        .iter()
        .filter(|(s, _)| *s == RequestStatus::Accepted)
        .count();
    let rate = if requests.is_empty() {
        Decimal::ZERO
    } else {
        (Decimal::from(accepted) * Decimal::ONE_HUNDRED / Decimal::from(requests.len())).round_dp(2)
    };
    RequestCounts {
        total: requests.len(),
        by_status,
        overdue: requests.iter().filter(|(_, overdue)| *overdue).count(),
        completion_rate: format!("{rate:.2}"),
    }
}
