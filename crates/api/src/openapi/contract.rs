//! What every operation shares, written once here instead of in each
//! `#[utoipa::path]`: the errors that extractors, middleware and the
//! database can answer with (each with an example problem of its own status
//! and code, made by the same [`ApiError`] the server answers with), the
//! headers sent on every response, and the rule that an optional value is
//! absent rather than `null`.
//!
//! Routes document what is particular to them (their 404, 409, 412, …);
//! [`apply`] adds the rest and the examples. `tests/tests/api/openapi.rs`
//! checks the result, so a route cannot opt out by accident.

use serde_json::Value;
use tierlink_domain::access::Permission;
use tierlink_domain::{FieldError, ValidationErrors};
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayItems, ObjectBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{Content, ContentBuilder, OpenApi, Ref, RefOr, Required};

use crate::problem::{ApiError, PROBLEM_JSON};
use crate::wire::enums;

/// Operations whose attempts are counted per account and address (429).
const THROTTLED: &[&str] = &["login", "requestToken", "changeMyPassword", "signUp"];

/// Operations that check or hash a password: their 503 may also be
/// `password_hashing_busy`.
const HASHING: &[&str] = &["login", "signUp", "changeMyPassword", "createUser"];

/// The codes of each operation's 409, for its examples. An operation that
/// takes `Idempotency-Key` also answers `idempotency_key_reused`.
const CONFLICTS: &[(&str, &[&str])] = &[
    ("declineRequest", &["illegal_transition"]),
    ("forwardRequest", &["duplicate", "request_not_answerable"]),
    ("saveAnswer", &["request_not_answerable"]),
    ("saveAnswerEntry", &["request_not_answerable"]),
    ("submitAnswer", &["request_not_answerable"]),
    ("importAnswer", &["request_not_answerable"]),
    ("uploadEvidence", &["request_not_answerable"]),
    ("saveAnswersInBulk", &["request_not_answerable"]),
    ("acceptAnswerRevision", &["not_under_review"]),
    ("requestAnswerChanges", &["not_under_review"]),
    ("attachSupplierAnswer", &["not_accepted", "duplicate"]),
    ("reuseAnswer", &["nothing_to_reuse"]),
    ("replaceRequirement", &["illegal_transition"]),
    ("publishRequirement", &["illegal_transition"]),
    ("closeRequirement", &["illegal_transition"]),
    ("cancelRequirement", &["illegal_transition"]),
    ("amendRequirement", &["illegal_transition"]),
    ("createMetric", &["duplicate"]),
    ("createUser", &["duplicate"]),
    ("updateUser", &["last_admin"]),
    ("rotateApiClientSecret", &["client_revoked"]),
    ("revokeInvitation", &["invitation_used"]),
    (
        "acceptInvitation",
        &[
            "invitation_invalid",
            "invitation_expired",
            "already_linked",
            "supply_chain_cycle",
        ],
    ),
    ("signUp", &["duplicate", "invitation_invalid"]),
    ("createProduct", &["duplicate"]),
    ("replaceProduct", &["duplicate"]),
    ("deleteProduct", &["product_in_use"]),
    (
        "saveFootprint",
        &["footprints_not_requested", "request_not_answerable"],
    ),
    (
        "deleteFootprint",
        &["footprints_not_requested", "request_not_answerable"],
    ),
];

/// The codes of each operation's 403 other than `forbidden`.
const DENIALS: &[(&str, &str)] = &[
    ("signUp", "signup_closed"),
    ("changeMyPassword", "users_only"),
];

/// Adds the shared responses, headers and examples, and removes `null`
/// from optional values.
pub fn apply(document: &mut OpenApi) {
    for (path, item) in &mut document.paths.paths {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            complete_parameters(operation);
            if is_pact(path) {
                add_pact_examples(operation);
            } else {
                add_error_responses(path, operation);
                add_examples(path, operation);
            }
            add_headers(operation);
        }
    }
    if let Some(components) = document.components.as_mut() {
        for schema in components.schemas.values_mut() {
            absent_not_null(schema);
        }
        name_map_keys(&mut components.schemas);
    }
}

/// The PACT API's paths: their errors are PACT's or OAuth's, not problems.
pub fn is_pact(path: &str) -> bool {
    path.starts_with("/3/") || path == "/auth/token"
}

/// An example for each error of a PACT operation: `{code, message}` for
/// the footprint actions, RFC 6749's shape for Action Authenticate.
fn add_pact_examples(operation: &mut Operation) {
    let token = operation.operation_id.as_deref() == Some("pactAuthenticate");
    for (status, response) in &mut operation.responses.responses {
        let RefOr::T(response) = response else {
            continue;
        };
        let Some(content) = response.content.get_mut("application/json") else {
            continue;
        };
        let example = match (token, status.as_str()) {
            (true, "401") => serde_json::json!({"error": "invalid_client",
                "error_description": "unknown or revoked client, or wrong secret"}),
            (true, _) => serde_json::json!({"error": "unsupported_grant_type",
                "error_description": "use client_credentials"}),
            (false, "400") => serde_json::json!({"code": "BadRequest",
                "message": "validOn is not an RFC 3339 date-time: `yesterday`"}),
            (false, "401") => {
                serde_json::json!({"code": "BadRequest", "message": "Invalid token provided"})
            }
            (false, "403") => {
                serde_json::json!({"code": "AccessDenied", "message": "Access Denied"})
            }
            (false, "404") => serde_json::json!({"code": "NotFound",
                "message": "The requested footprint could not be found."}),
            _ => continue,
        };
        content.examples.clear();
        content.example = Some(example);
    }
}

/// What a problem of one code means, for a response's description.
fn meaning(code: &str) -> &'static str {
    match code {
        "invalid_parameter" => "a path, query or header parameter is not valid; `errors` names it",
        "malformed_json" => "the body is not valid JSON",
        "payload_too_large" => "the body is larger than the server accepts",
        "unsupported_media_type" => "the body's `Content-Type` is not one this operation accepts",
        "validation_failed" => "a field is not valid; `errors` lists each",
        "unauthorized" => "no valid access token (missing, expired, revoked or forged)",
        "forbidden" => "the caller lacks the permission (role or scope)",
        "not_found" => "no such resource for the caller",
        "idempotency_key_reused" => "this `Idempotency-Key` was used for a different request",
        "too_many_requests" => "too many attempts; retry after the `Retry-After` seconds",
        "service_unavailable" => {
            "the database cannot be reached; retry after the `Retry-After` seconds"
        }
        "database_busy" => {
            "another change held the records this request needed; nothing was written, send the same request again"
        }
        "storage_full" => {
            "the server's storage is full; nothing was written, send the same request again later"
        }
        "password_hashing_busy" => {
            "too many password checks are waiting; nothing was done, send the same request again"
        }
        "request_not_answerable" => {
            "the request is declined, closed or cancelled: it can no longer be answered"
        }
        "illegal_transition" => "the status does not allow this; the detail names what it allows",
        "not_under_review" => "not the latest submitted revision awaiting review",
        "not_accepted" => "the forwarded request's answer is not accepted yet",
        "nothing_to_reuse" => "no submitted answer with entries this request asks for",
        "duplicate" => "it exists already",
        "last_admin" => "the organisation would be left without an active admin",
        "client_revoked" => "the client is revoked",
        "invitation_used" => "the invitation was accepted already",
        "invitation_invalid" => "no invitation has this code",
        _ => "",
    }
}

/// Parameters: an optional header or query value is absent, never `null`;
/// ids and revision numbers carry their formats and bounds.
fn complete_parameters(operation: &mut Operation) {
    // An optional body (`submit`, `accept`) is left out, not sent as `null`.
    if let Some(body) = operation.request_body.as_mut()
        && body.required != Some(Required::True)
    {
        for content in body.content.values_mut() {
            if let Some(schema) = content.schema.as_mut() {
                strip_null(schema);
            }
        }
    }
    for parameter in operation.parameters.iter_mut().flatten() {
        if let Some(schema) = parameter.schema.as_mut()
            && parameter.required == Required::False
        {
            strip_null(schema);
        }
        match (&parameter.parameter_in, parameter.name.as_str()) {
            (ParameterIn::Header, "Idempotency-Key") => {
                parameter.schema = Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(255))
                        .pattern(Some("^[!-~]+$"))
                        .examples([Value::from("3f9c0e0a-6f51-4f0e-9a55-1d2b1c7e8a10")])
                        .into(),
                );
            }
            (ParameterIn::Path, "revision") => {
                parameter.schema = Some(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                            utoipa::openapi::KnownFormat::Int32,
                        )))
                        .minimum(Some(1))
                        .into(),
                );
            }
            _ => {}
        }
    }
}

/// The responses of every operation that middleware, extractors and the
/// database can produce, merged into what the route declared.
fn add_error_responses(path: &str, operation: &mut Operation) {
    let id = operation.operation_id.clone().unwrap_or_default();
    let probe = !path.starts_with("/v1/");
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_id = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Path && p.name != "code");
    let has_query = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Query);
    let idempotent = has_idempotency_key(operation);
    let body_types: Vec<String> = operation
        .request_body
        .as_ref()
        .map(|body| body.content.keys().cloned().collect())
        .unwrap_or_default();
    let json_body = body_types.iter().any(|t| t == "application/json");
    let secured =
        operation.security.as_ref().is_some_and(|s| !s.is_empty()) && id != "requestToken";
    // A permission beyond reading one's own organisation: a scope of the
    // client-credentials flow, or people only (no `oauth2` at all).
    let schemes: Vec<Value> = operation
        .security
        .iter()
        .flatten()
        .filter_map(|requirement| serde_json::to_value(requirement).ok())
        .collect();
    let guarded = secured
        && (schemes.iter().all(|scheme| scheme.get("oauth2").is_none())
            || schemes.iter().any(|scheme| {
                scheme
                    .get("oauth2")
                    .and_then(Value::as_array)
                    .is_some_and(|scopes| !scopes.is_empty())
            }));

    let mut add = |status: &str, code: &str| {
        add_cause(operation, status, code);
    };
    if has_id || has_query || idempotent {
        add("400", "invalid_parameter");
    }
    if json_body {
        add("400", "malformed_json");
        add("415", "unsupported_media_type");
        add("422", "validation_failed");
    }
    if !body_types.is_empty() {
        add("413", "payload_too_large");
    }
    if secured {
        add("401", "unauthorized");
    }
    if guarded {
        add("403", "forbidden");
    }
    if has_id {
        add("404", "not_found");
    }
    if let Some((_, codes)) = CONFLICTS.iter().find(|(op, _)| *op == id)
        && let Some(code) = codes.first()
    {
        add("409", code);
    }
    if idempotent {
        add("409", "idempotency_key_reused");
    }
    if THROTTLED.contains(&id.as_str()) {
        add("429", "too_many_requests");
    }
    if !probe {
        add("503", "service_unavailable");
        add("503", "database_busy");
        add("503", "storage_full");
        if HASHING.contains(&id.as_str()) {
            add("503", "password_hashing_busy");
        }
    }
}

fn has_idempotency_key(operation: &Operation) -> bool {
    operation
        .parameters
        .iter()
        .flatten()
        .any(|p| p.name == "Idempotency-Key")
}

/// Adds `code` to the response `status`: a new problem response, or one
/// more cause in the description of the route's own.
fn add_cause(operation: &mut Operation, status: &str, code: &str) {
    let sentence = format!("`{code}`: {}.", meaning(code));
    let responses = &mut operation.responses.responses;
    match responses.get_mut(status) {
        Some(RefOr::T(response)) => {
            // A status with one code keeps the route's own words; the
            // example names the code.
            let sole = matches!(
                status,
                "401" | "403" | "404" | "413" | "415" | "422" | "429"
            );
            if !sole && !response.description.contains(&format!("`{code}`")) {
                let own = response.description.trim_end();
                let stop = if own.ends_with(['.', '!', '?']) {
                    ""
                } else {
                    "."
                };
                response.description = format!("{own}{stop} {sentence}");
            }
            response
                .content
                .entry(PROBLEM_JSON.to_owned())
                .or_insert_with(problem_content);
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let response = ResponseBuilder::new()
                .description(capitalised(&sentence))
                .content(PROBLEM_JSON, problem_content())
                .build();
            responses.insert(status.to_owned(), RefOr::T(response));
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn problem_content() -> Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .build()
}

/// Every problem response gets an example of its status and code, made by
/// the error the server answers with; the token endpoint's RFC 6749 errors
/// get theirs.
fn add_examples(path: &str, operation: &mut Operation) {
    let id = operation.operation_id.clone().unwrap_or_default();
    let idempotent = has_idempotency_key(operation);
    let has_body = operation.request_body.is_some();
    let context = Context::of(path, operation);
    let descriptions: Vec<(String, String)> = operation
        .responses
        .responses
        .iter()
        .filter_map(|(status, response)| match response {
            RefOr::T(response) => Some((status.clone(), response.description.clone())),
            RefOr::Ref(_) => None,
        })
        .collect();
    for (status, description) in descriptions {
        let Some(RefOr::T(response)) = operation.responses.responses.get_mut(&status) else {
            continue;
        };
        // One `example` per response, the most common code first (the
        // description names every code). A map of named `examples` would
        // show them all, but openapi-generator's Java client warns on it.
        if let Some(content) = response.content.get_mut(PROBLEM_JSON) {
            let codes = codes_for(&id, &status, &description, idempotent, has_body);
            content.examples.clear();
            content.example = codes
                .first()
                .and_then(|code| example_problem(&status, code, &context));
        }
        if id == "requestToken"
            && let Some(content) = response.content.get_mut("application/json")
            && status.starts_with('4')
        {
            let (error, description) = if status == "401" {
                (
                    "invalid_client",
                    "unknown or revoked client, or wrong secret",
                )
            } else {
                (
                    "invalid_grant",
                    "the refresh token is invalid, expired or revoked",
                )
            };
            content.examples.clear();
            content.example = Some(serde_json::json!({
                "error": error,
                "error_description": description,
            }));
        }
    }
}

/// The codes a problem response of `status` carries, most common first.
fn codes_for(
    id: &str,
    status: &str,
    description: &str,
    idempotent: bool,
    has_body: bool,
) -> Vec<&'static str> {
    let mentioned = |code: &str| description.contains(&format!("`{code}`"));
    let mut codes: Vec<&'static str> = match status {
        "400" => ["invalid_parameter", "malformed_json"]
            .into_iter()
            .filter(|code| mentioned(code))
            .collect(),
        "401" if id == "login" => vec!["invalid_credentials"],
        "401" => vec!["unauthorized"],
        "403" => DENIALS
            .iter()
            .filter(|(op, _)| *op == id)
            .map(|(_, code)| *code)
            .chain((!matches!(id, "signUp" | "changeMyPassword")).then_some("forbidden"))
            .collect(),
        "404" => vec!["not_found"],
        "409" => CONFLICTS
            .iter()
            .filter(|(op, _)| *op == id)
            .flat_map(|(_, codes)| codes.iter().copied())
            .chain(idempotent.then_some("idempotency_key_reused"))
            .collect(),
        "412" => vec!["stale_revision"],
        "413" => vec!["payload_too_large"],
        "415" => vec!["unsupported_media_type"],
        "422" => vec!["validation_failed"],
        "428" => vec!["if_match_required"],
        "429" => vec!["too_many_requests"],
        "503" => [
            "service_unavailable",
            "database_busy",
            "storage_full",
            "password_hashing_busy",
        ]
        .into_iter()
        .filter(|code| mentioned(code))
        .collect(),
        _ => Vec::new(),
    };
    // A 400 the route wrote in its own words (a multipart form, say) is
    // still an invalid parameter.
    if status == "503" && codes.is_empty() {
        codes.push("service_unavailable");
    }
    if status == "400" && codes.is_empty() {
        codes.push(if has_body && !id.contains("Evidence") {
            "malformed_json"
        } else {
            "invalid_parameter"
        });
    }
    codes.dedup();
    codes
}

/// What an operation's examples name: the parameter a 400 points at and
/// the permission a 403 says is missing.
struct Context {
    parameter: String,
    permission: Permission,
}

impl Context {
    fn of(path: &str, operation: &Operation) -> Self {
        let parameters = operation.parameters.as_deref().unwrap_or_default();
        let parameter = parameters
            .iter()
            .find(|p| p.parameter_in == ParameterIn::Path && p.name != "code")
            .or_else(|| {
                parameters
                    .iter()
                    .find(|p| p.parameter_in == ParameterIn::Query)
            })
            .or_else(|| parameters.first())
            .map_or_else(|| "id".to_owned(), |p| p.name.clone());
        let scope = operation
            .security
            .iter()
            .flatten()
            .filter_map(|requirement| serde_json::to_value(requirement).ok())
            .find_map(|scheme| scheme.get("oauth2")?.get(0)?.as_str().map(str::to_owned));
        let permission = match scope.as_deref() {
            Some("requirements:read") => Permission::ReadRequirements,
            Some("requirements:write") => Permission::WriteRequirements,
            Some("responses:read") => Permission::ReadResponses,
            Some("responses:write") => Permission::WriteResponses,
            _ if path.starts_with("/v1/users") => Permission::ManageUsers,
            _ if path.starts_with("/v1/api-clients") => Permission::ManageClients,
            _ if path.starts_with("/v1/audit-events") => Permission::ReadAudit,
            _ => Permission::ManageNetwork,
        };
        Self {
            parameter,
            permission,
        }
    }

    /// A plausible invalid value of the parameter, and why.
    fn invalid_parameter(&self) -> ValidationErrors {
        let (code, message) = match self.parameter.as_str() {
            "limit" => ("invalid_value", "limit must be between 1 and 200"),
            "revision" => ("invalid_revision", "`0` is not a revision number (1, 2, …)"),
            "Idempotency-Key" => (
                "invalid_value",
                "an idempotency key is 1 to 255 visible ASCII characters (a UUID is a good choice)",
            ),
            "status" | "framework" => ("invalid_value", "`pending` is not one of the values"),
            _ => ("invalid_id", "`42` is not a valid id (a UUID is expected)"),
        };
        ValidationErrors::from(FieldError::new(self.parameter.clone(), code, message))
    }
}

/// The problem the server answers with for `code`, as JSON.
fn example_problem(status: &str, code: &str, context: &Context) -> Option<Value> {
    let field = |field: &str, code: &'static str, message: &str| {
        ValidationErrors::from(FieldError::new(field, code, message))
    };
    let conflict = |code: &'static str, field: Option<&str>, message: &str| ApiError::Conflict {
        code,
        field: field.map(str::to_owned),
        message: message.to_owned(),
    };
    let error = match code {
        "invalid_parameter" => ApiError::InvalidParameter(context.invalid_parameter()),
        "malformed_json" => {
            ApiError::MalformedJson("EOF while parsing an object at line 1 column 15".to_owned())
        }
        "unsupported_media_type" => ApiError::UnsupportedMediaType {
            expected: "`application/json`",
            found: "text/plain".to_owned(),
        },
        "payload_too_large" => ApiError::PayloadTooLarge { limit: 1_048_576 },
        "validation_failed" => ApiError::Validation(field(
            "due_date",
            "in_the_past",
            "the due date 2020-01-31 is in the past",
        )),
        "unauthorized" => ApiError::Unauthenticated("the access token has expired"),
        "invalid_credentials" => ApiError::InvalidCredentials,
        "forbidden" => ApiError::Forbidden(context.permission),
        "signup_closed" => ApiError::Denied {
            code: "signup_closed",
            message: "open sign-up is switched off; sign up with an invitation code".to_owned(),
        },
        "users_only" => ApiError::Denied {
            code: "users_only",
            message: "machine clients have no password; rotate the client secret instead"
                .to_owned(),
        },
        "not_found" => ApiError::NotFound("request"),
        "idempotency_key_reused" => conflict(
            "idempotency_key_reused",
            Some("Idempotency-Key"),
            "this Idempotency-Key was used for a different request; use a new key",
        ),
        "illegal_transition" => conflict(
            "illegal_transition",
            None,
            "a closed requirement cannot be published; allowed: nothing (it is final)",
        ),
        "request_not_answerable" => conflict(
            "request_not_answerable",
            None,
            "the request is closed and can no longer be answered",
        ),
        "not_under_review" => conflict(
            "not_under_review",
            None,
            "revision 2 is not the latest submitted revision awaiting review",
        ),
        "not_accepted" => conflict(
            "not_accepted",
            Some("child_request_id"),
            "the forwarded request's latest answer is not accepted yet",
        ),
        "nothing_to_reuse" => conflict(
            "nothing_to_reuse",
            None,
            "the source request has no submitted answer with entries this request asks for",
        ),
        "duplicate" => conflict(
            "duplicate",
            Some("email"),
            "an account with this e-mail address exists already",
        ),
        "last_admin" => conflict(
            "last_admin",
            Some("role"),
            "the organisation would have no active admin left",
        ),
        "client_revoked" => conflict(
            "client_revoked",
            None,
            "the client is revoked; create a new one",
        ),
        "invitation_used" => conflict(
            "invitation_used",
            Some("code"),
            "this invitation was accepted already",
        ),
        "invitation_invalid" => conflict(
            "invitation_invalid",
            Some("code"),
            "no invitation has this code",
        ),
        "invitation_expired" => conflict(
            "invitation_expired",
            Some("code"),
            "this invitation has expired; ask for a new one",
        ),
        "already_linked" => conflict(
            "already_linked",
            Some("code"),
            "you already supply this organisation",
        ),
        "supply_chain_cycle" => conflict(
            "supply_chain_cycle",
            Some("code"),
            "the link would make a loop in the supply chain",
        ),
        "product_in_use" => conflict(
            "product_in_use",
            None,
            "the product has footprints in answers; it stays in the catalogue",
        ),
        "footprints_not_requested" => conflict(
            "footprints_not_requested",
            None,
            "this request does not ask for product footprints (`pcf.product_footprints`)",
        ),
        "stale_revision" => ApiError::PreconditionFailed {
            current_etag: "\"4\"".to_owned(),
        },
        "if_match_required" => ApiError::PreconditionRequired,
        "too_many_requests" => ApiError::TooManyRequests { retry_after: 30 },
        "service_unavailable" => ApiError::Unavailable,
        "database_busy" => ApiError::Busy,
        "storage_full" => ApiError::StorageFull,
        "password_hashing_busy" => ApiError::PasswordHashingBusy,
        _ => return None,
    };
    let problem = error.problem();
    (problem.status.to_string() == status).then(|| serde_json::to_value(problem).ok())?
}

/// Headers: `X-Request-Id` on every response, `Retry-After` where a retry
/// is asked for, `WWW-Authenticate` on 401, `Link` on pages and
/// `Idempotent-Replayed` on the successes of keyed creates.
fn add_headers(operation: &mut Operation) {
    let idempotent = has_idempotency_key(operation);
    for (status, response) in &mut operation.responses.responses {
        let RefOr::T(response) = response else {
            continue;
        };
        insert_header(
            response,
            "X-Request-Id",
            "The request's id: the one sent in `X-Request-Id` if it was a short token, \
             otherwise one made by the server. Quote it when reporting a problem.",
        );
        match status.as_str() {
            "429" | "503" => insert_integer_header(
                response,
                "Retry-After",
                "Seconds to wait before sending the request again",
            ),
            "401" => insert_header(
                response,
                "WWW-Authenticate",
                "The scheme to authenticate with (RFC 9110)",
            ),
            _ => {}
        }
        if status.starts_with('2') {
            if idempotent {
                response.headers.insert(
                    "Idempotent-Replayed".to_owned(),
                    HeaderBuilder::new()
                        .schema(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .enum_values(Some(["true"])),
                        )
                        .description(Some(
                            "`true` when this is the stored answer to an earlier request \
                             with the same `Idempotency-Key`; absent otherwise",
                        ))
                        .build(),
                );
            }
            if is_page(response) {
                insert_header(
                    response,
                    "Link",
                    "RFC 8288 link to the next page, `<…>; rel=\"next\"`; absent on the last page",
                );
            }
        }
    }
}

fn is_page(response: &Response) -> bool {
    response.content.values().any(|content| {
        matches!(&content.schema, Some(RefOr::Ref(reference)) if reference.ref_location.ends_with("Page"))
    })
}

fn insert_header(response: &mut Response, name: &str, description: &str) {
    response
        .headers
        .entry(name.to_owned())
        .or_insert_with(|| string_header(description));
}

fn insert_integer_header(response: &mut Response, name: &str, description: &str) {
    response.headers.insert(
        name.to_owned(),
        HeaderBuilder::new()
            .schema(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
            )
            .description(Some(description))
            .build(),
    );
}

fn string_header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(description))
        .build()
}

/// An optional property (not in `required`) is left out when it has no
/// value: its schema must not also allow `null`, or generators wrap it twice
/// (Java's `JsonNullable`, Python's `None | Unset`).
fn absent_not_null(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(object) => {
            for (name, property) in &mut object.properties {
                if !object.required.contains(name) {
                    strip_null(property);
                }
                absent_not_null(property);
            }
            if let Some(additional) = object.additional_properties.as_deref_mut()
                && let AdditionalProperties::RefOr(inner) = additional
            {
                absent_not_null(inner);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                absent_not_null(items);
            }
        }
        Schema::AllOf(all) => all.items.iter_mut().for_each(absent_not_null),
        Schema::OneOf(one) => one.items.iter_mut().for_each(absent_not_null),
        Schema::AnyOf(any) => any.items.iter_mut().for_each(absent_not_null),
        _ => {}
    }
}

/// `[T, "null"]` becomes `T`; `oneOf: [null, X]` becomes `X`.
fn strip_null(schema: &mut RefOr<Schema>) {
    let RefOr::T(inner) = schema else {
        return;
    };
    let without_null = |types: &mut SchemaType| {
        if let SchemaType::Array(list) = types {
            list.retain(|t| *t != Type::Null);
            if let [only] = list.as_slice() {
                *types = SchemaType::Type(only.clone());
            }
        }
    };
    match inner {
        Schema::Object(object) => without_null(&mut object.schema_type),
        Schema::Array(array) => without_null(&mut array.schema_type),
        Schema::OneOf(one) => {
            one.items.retain(|item| !is_null(item));
            if one.items.len() == 1 {
                let only = one.items.remove(0);
                *schema = only;
            }
        }
        _ => {}
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(object)) if object.schema_type == SchemaType::Type(Type::Null))
}

/// Maps keyed by a closed set of values say so (`propertyNames`).
fn name_map_keys(schemas: &mut std::collections::BTreeMap<String, RefOr<Schema>>) {
    use utoipa::PartialSchema;
    let keyed: [(&str, &str, RefOr<Schema>); 3] = [
        ("RequestCounts", "by_status", enums::RequestStatus::schema()),
        ("Tier2Progress", "by_status", enums::RequestStatus::schema()),
        ("MetricTotals", "by_obtained", enums::Obtained::schema()),
    ];
    for (schema, property, names) in keyed {
        if let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(schema)
            && let Some(RefOr::T(Schema::Object(map))) = object.properties.get_mut(property)
            && let RefOr::T(names) = names
        {
            map.property_names = Some(Box::new(names));
        }
    }
}
