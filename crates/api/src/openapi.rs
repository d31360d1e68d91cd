//! The OpenAPI 3.1 document: its header here, its operations collected from
//! the routes themselves (see [`crate::routes::configure`]).
//!
//! `openapi/openapi.json` in the repository is this document, committed; a
//! test fails when the two differ. Regenerate with
//! `cargo run --bin tierlink -- openapi > openapi/openapi.json`.

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::problem::{Problem, ProblemField};

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
    servers((url = "/", description = "The server this document was fetched from")),
    tags(
        (name = "organisations", description = "Large firms and suppliers, with their legal identifiers"),
        (name = "health", description = "Liveness and readiness probes")
    ),
    components(schemas(Problem, ProblemField))
)]
struct ApiHeader;

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
    document
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
