//! Routes, one module per resource. [`configure`] registers them all; the
//! OpenAPI document is collected from the same registrations, so a route
//! cannot exist without being documented.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod answers;
pub mod api_clients;
pub mod auth;
pub mod bulk_answers;
pub mod evidence;
pub mod health;
pub mod me;
pub mod metrics;
pub mod network;
pub mod organisations;
pub mod requests;
pub mod requirements;
pub mod signup;
pub mod spreadsheets;
mod support;
pub mod users;

/// Registers every route of the API.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::liveness)
        .service(health::readiness)
        .service(auth::jwks)
        .service(
            utoipa_actix_web::scope("/v1")
                .configure(signup::configure)
                .configure(auth::configure)
                .configure(me::configure)
                .configure(organisations::configure)
                .configure(users::configure)
                .configure(api_clients::configure)
                .configure(network::configure)
                .configure(metrics::configure)
                .configure(requirements::configure)
                .configure(requests::configure)
                .configure(answers::configure)
                .configure(bulk_answers::configure)
                .configure(spreadsheets::configure)
                .configure(evidence::configure),
        );
}
