//! The clock. Timestamps are UTC with microsecond precision, the finest both
//! storage engines keep, so a value read back equals the value written.

use chrono::{DateTime, SubsecRound, Utc};

/// The current time, truncated to microseconds.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
