//! The OpenAPI 3.1 document: its header here, its operations collected from
//! the routes themselves (see [`crate::routes::configure`]).
//!
//! `openapi/openapi.json` in the repository is this document, committed; a
//! test fails when the two differ. Regenerate with
//! `cargo run --bin tierlink -- openapi > openapi/openapi.json`.

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use tierlink_domain::access::Scope;
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme,
};

use crate::problem::{Problem, ProblemField};
use crate::wire::event_data;

mod contract;
pub mod pact;
mod webhooks;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tierlink API",
        description = "Supply-chain ESG and carbon data exchange between large manufacturers and their \
            tier-1 and tier-2 suppliers: reporting requirements go down the chain, answers come back up.\n\n\
            Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`; \
            invalid input lists every offending field under `errors`. Lists are cursor-paginated: \
            follow `next_cursor` or the RFC 8288 `Link` header. Timestamps are RFC 3339 in UTC.",
        contact(name = "Tierlink maintainers", url = "https://github.com/tierlink/tierlink"),
        license(name = "Apache License 2.0", identifier = "Apache-2.0")
    ),
    servers(
        (url = "http://127.0.0.1:8080", description = "A Tierlink started locally with `cargo run --release` \
            (its default address). Point a client at your deployment's origin instead."),
        (url = "/", description = "The server this document was fetched from (Swagger UI on a deployment)")
    ),
    tags(
        (name = "auth", description = "Sign-up, login, OAuth 2.0 tokens for people and machine clients, and the JWKS"),
        (name = "organisations", description = "Large firms and suppliers, with their legal identifiers"),
        (name = "users", description = "People of an organisation, their roles, and the caller itself"),
        (name = "webhooks", description = "Signed HTTP deliveries of events to partner systems (Standard Webhooks)"),
        (name = "webhook-events", description = "What Tierlink POSTs to your webhook endpoints: one entry per event type, with its payload schema (OpenAPI 3.1 `webhooks`)"),
        (name = "api-clients", description = "Machine clients for partner ERP systems (OAuth 2.0 client credentials)"),
        (name = "network", description = "Suppliers and customers: invitations, links, disclosure and the supply-chain view"),
        (name = "metrics", description = "The metric catalogue (GHG Protocol, ESRS, CBAM, K-ESG, PACT, CSDDD) and custom metrics"),
        (name = "requirements", description = "What a requester asks of its suppliers, and its lifecycle"),
        (name = "requests", description = "What suppliers receive: list, read, decline, forward down the chain"),
        (name = "products", description = "A supplier's product catalogue: codes, names, UN CPC classes and customers' part numbers"),
        (name = "footprints", description = "Product carbon footprints in answers: one PACT footprint per product, drafted and submitted with the answer"),
        (name = "pact", description = "The PACT v3 API (WBCSD Partnership for Carbon Transparency): product footprints your suppliers published to you, for PACT clients (SAP SDX, SiGREEN, …). Errors are PACT's `{code, message}`"),
        (name = "pact-hosts", description = "Your PACT client's hosts, where Tierlink sends the answers to your PACT requests (admins only)"),
        (name = "answers", description = "Suppliers' answers: exact values with units, drafts, immutable revisions, review"),
        (name = "audit", description = "The audit trail: who changed what, with the request id of each call (admins only)"),
        (name = "events", description = "The change feed: what happened to my organisation's requests, answers, requirements and links, in commit order"),
                (name = "health", description = "Liveness and readiness probes")
    ),
    components(schemas(
        Problem, ProblemField,
        event_data::RequestReceivedData, event_data::RequestAmendedData,
        event_data::RequestDeclinedData, event_data::RequestForwardedData,
        event_data::AnswerEventData, event_data::ReminderEventData,
        event_data::RequirementEventData, event_data::LinkEventData, event_data::PingData,
        crate::wire::events::Event, crate::wire::enums::ResourceType
    )),
    modifiers(&SecuritySchemes)
)]
struct ApiHeader;

/// Declares the ways to authenticate: a bearer token (from login or the
/// token endpoint), the OAuth 2.0 client-credentials flow, so Swagger UI's
/// "Authorize" accepts a pasted token or a client id and secret, and HTTP
/// Basic, with which a machine client may present its id and secret to the
/// token endpoint (RFC 6749 §2.3.1).
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from `/v1/auth/login` or `/v1/auth/token`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "A machine client's `client_id` and `client_secret`, form-URL-encoded \
                         (RFC 6749 §2.3.1): only at `/v1/auth/token`.",
                    ))
                    .build(),
            ),
        );
        let scopes = Scopes::from_iter(
            Scope::ALL
                .iter()
                .map(|scope| (scope.as_str(), scope.description())),
        );
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new(
                    "/v1/auth/token",
                    scopes,
                ))],
                "Machine clients (ERP systems): client id and secret for a token.",
            )),
        );
    }
}

/// The document's header: info, servers, tags and shared schemas.
pub fn header() -> utoipa::openapi::OpenApi {
    ApiHeader::openapi()
}

/// The whole document, as the running server serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, document) = App::new()
        .into_utoipa_app()
        .openapi(header())
        .configure(crate::routes::configure)
        .split_for_parts();
    complete(document)
}

/// What is added to the document collected from the routes: the errors,
/// headers and examples every operation shares ([`contract`]). The server
/// applies it to the document it serves too.
pub fn complete(mut document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    contract::apply(&mut document);
    webhooks::add(&mut document);
    document
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
