//! Health check bodies.

use serde::Serialize;
use utoipa::ToSchema;

/// The answer of a health check that passed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct HealthStatus {
    #[schema(value_type = super::enums::HealthState)]
    pub status: &'static str,
}
