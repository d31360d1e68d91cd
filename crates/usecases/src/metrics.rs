//! An organisation's own metrics, beside the standard catalogue.

use tierlink_domain::ids::OrgId;
use tierlink_persistence::DbConnection;
use tierlink_persistence::custom_metrics;
pub use tierlink_persistence::custom_metrics::CustomMetric;

use crate::error::Error;

/// `org`'s custom metrics.
pub fn custom(conn: &mut DbConnection, org: OrgId) -> Result<Vec<CustomMetric>, Error> {
    Ok(custom_metrics::list(conn, org)?)
}

/// A new custom metric (its code must be free in the organisation).
pub fn create(tx: &mut DbConnection, metric: &CustomMetric) -> Result<CustomMetric, Error> {
    Ok(custom_metrics::insert(tx, metric)?)
}
