//! Routes, one module per resource. [`configure`] registers them all; the
//! OpenAPI document is collected from the same registrations, so a route
//! cannot exist without being documented.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod health;
pub mod organisations;

/// Registers every route of the API.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::liveness)
        .service(health::readiness)
        .service(utoipa_actix_web::scope("/v1").configure(organisations::configure));
}
