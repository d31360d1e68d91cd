//! Liveness and readiness probes, for load balancers and orchestrators.
//! Public by intent: they take no `Caller`.

use std::time::Duration;

use actix_web::{get, web};
use tierlink_persistence::Database;
use tierlink_persistence::log_throttle::LogThrottle;

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
    // On a thread of its own, not the blocking pool: while the database is
    // down, requests queue there, and a probe must not wait behind them.
    let db = db.get_ref().clone();
    let (answer, checked) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || answer.send(db.check(READINESS_TIMEOUT)));
    match tokio::time::timeout(READINESS_TIMEOUT, checked).await {
        Ok(Ok(Ok(()))) => Ok(web::Json(HealthStatus { status: "ready" })),
        Ok(Ok(Err(error))) => {
            static FAILED: LogThrottle = LogThrottle::new(Duration::from_secs(10));
            if let Some(left_out) = FAILED.admit() {
                tracing::warn!(%error, left_out, "readiness check failed");
            }
            Err(ApiError::Unavailable)
        }
        Ok(Err(_)) | Err(_) => Err(ApiError::Unavailable),
    }
}
