//! Routes, one module per resource. [`configure`] registers them all; the
//! OpenAPI document is collected from the same registrations, so a route
//! cannot exist without being documented.
//!
//! Routes are grouped in one scope per first path segment (`/v1/requests`,
//! `/v1/requirements`, …) and a module's route paths are relative to its
//! scope: actix tries a request against each route in turn (a regex for
//! every route with a `{parameter}`), and a scope's fixed prefix rules out
//! all of its routes with one string comparison. The hottest scopes come
//! first.

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub mod answers;
pub mod api_clients;
pub mod audit;
pub mod auth;
pub mod bulk_answers;
pub mod events;
pub mod evidence;
pub mod footprints;
pub mod health;
pub mod me;
pub mod metrics;
pub mod network;
pub mod organisations;
pub mod pact;
pub mod pact_events;
pub mod pact_hosts;
pub mod products;
pub mod requests;
pub mod requirements;
pub mod signup;
pub mod spreadsheets;
mod support;
pub mod users;
pub mod webhooks;

/// Registers every route of the API.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::liveness)
        .service(health::readiness)
        .service(auth::jwks)
        .configure(pact::configure)
        .configure(pact_events::configure)
        .service(
            scope("/v1")
                .service(
                    scope("/requests")
                        .configure(requests::configure)
                        .configure(answers::configure)
                        .configure(footprints::configure)
                        .configure(spreadsheets::configure)
                        .configure(evidence::configure_request_routes),
                )
                .service(scope("/requirements").configure(requirements::configure))
                .service(scope("/organisations").configure(organisations::configure))
                .service(scope("/users").configure(users::configure))
                .service(scope("/api-clients").configure(api_clients::configure))
                .service(scope("/metrics").configure(metrics::configure))
                .service(scope("/events").configure(events::configure))
                .service(scope("/audit-events").configure(audit::configure))
                .service(scope("/webhooks").configure(webhooks::configure))
                .service(scope("/products").configure(products::configure))
                .service(scope("/pact-hosts").configure(pact_hosts::configure))
                .configure(signup::configure)
                .configure(auth::configure)
                .configure(me::configure)
                .configure(network::configure)
                .configure(bulk_answers::configure)
                .configure(evidence::configure),
        );
}
