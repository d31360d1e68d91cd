//! Health check bodies.

use serde::Serialize;
use utoipa::ToSchema;

/// The answer of a health check that passed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct HealthStatus {
    /// `ok` when alive; `ready` when the database answers too.
    pub status: &'static str,
}
