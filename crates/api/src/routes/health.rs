//! Liveness and readiness probes, for load balancers and orchestrators.
//! Public by intent: they take no `Caller`.

use std::time::Duration;

use actix_web::{get, web};
use tierlink_persistence::Database;

use crate::problem::{ApiError, Problem};
use crate::wire::health::HealthStatus;

/// How long readiness waits for the database before answering 503.
const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: the process is up and serving HTTP.
///
/// Does not touch the database, so a database outage does not get healthy
/// instances restarted.
#[utoipa::path(
    tag = "health",
    operation_id = "getLiveness",
    responses((status = 200, description = "The process is alive", body = HealthStatus))
)]
#[get("/healthz")]
pub async fn liveness() -> web::Json<HealthStatus> {
    web::Json(HealthStatus { status: "ok" })
}

/// Readiness: the process can serve requests (the database answers).
///
/// Answers 503 while the database is unreachable and 200 again as soon as
/// it is back, without a restart.
#[utoipa::path(
    tag = "health",
    operation_id = "getReadiness",
    responses(
        (status = 200, description = "Ready to serve", body = HealthStatus,
            example = json!({"status": "ready"})),
        (status = 503, description = "The database cannot be reached", body = Problem,
            content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn readiness(db: web::Data<Database>) -> Result<web::Json<HealthStatus>, ApiError> {
    let db = db.get_ref().clone();
    let checked = web::block(move || db.check(READINESS_TIMEOUT))
        .await
        .map_err(ApiError::internal)?;
    match checked {
        Ok(()) => Ok(web::Json(HealthStatus { status: "ready" })),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            Err(ApiError::Unavailable)
        }
    }
}
