//! The OpenAPI document: committed, served, complete; and Swagger UI.

use serde_json::Value;
use tierlink_tests::TestApp;

const COMMITTED: &str = include_str!("../../../openapi/openapi.json");

/// Operations that need no token, by intent.
const PUBLIC: &[&str] = &["/v1/signup", "/v1/auth/login", "/v1/auth/logout"];

/// The token endpoint: HTTP Basic for a client's id and secret, or none
/// (they may come in the form, and a refresh token needs no client).
const TOKEN: &str = "/v1/auth/token";
/// PACT's Action Authenticate: the same endpoint at the path PACT clients use.
const PACT_TOKEN: &str = "/auth/token";

#[test]
fn the_committed_document_matches_the_code() {
    let generated = tierlink_api::openapi::document_json();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is out of date with the code.\n\
         Regenerate it with: cargo run --bin tierlink -- openapi > openapi/openapi.json"
    );
}

#[test]
fn every_operation_is_documented_for_sdk_generators() {
    let document: Value =
        serde_json::from_str(&tierlink_api::openapi::document_json()).expect("valid JSON");
    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    assert_eq!(document["info"]["license"]["identifier"], "Apache-2.0");
    assert!(document["info"]["contact"].is_object());
    assert!(
        document["servers"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    );
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(
        schemes["oauth2"]["flows"]["clientCredentials"]["tokenUrl"],
        "/v1/auth/token"
    );
    assert_eq!(schemes["basic"]["scheme"], "basic");
    let tags: Vec<&str> = document["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    let mut operation_ids = std::collections::HashSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let name = format!("{method} {path}");
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: summary"
            );
            let id = operation["operationId"].as_str().expect("operationId");
            assert!(
                id.chars().next().is_some_and(char::is_lowercase) && !id.contains('_'),
                "{name}: camelCase id {id}"
            );
            assert!(
                operation_ids.insert(id.to_owned()),
                "{name}: operationId {id} is unique"
            );
            let operation_tags = operation["tags"].as_array().expect("tags");
            assert!(!operation_tags.is_empty(), "{name}: tagged");
            for tag in operation_tags {
                assert!(
                    tags.contains(&tag.as_str().unwrap_or_default()),
                    "{name}: tag {tag} is declared"
                );
            }
            let responses = operation["responses"].as_object().expect("responses");
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let problem =
                        &response["content"]["application/problem+json"]["schema"]["$ref"];
                    let oauth = &response["content"]["application/json"]["schema"]["$ref"];
                    let documented = problem == "#/components/schemas/Problem"
                        || ((path == TOKEN || path == PACT_TOKEN)
                            && oauth == "#/components/schemas/OAuthError")
                        || (path.starts_with("/3/") && oauth == "#/components/schemas/PactError");
                    assert!(documented, "{name} {status}: error schema");
                }
            }
            if path.starts_with("/v1/") {
                assert!(
                    responses.keys().any(|s| s.starts_with('4')),
                    "{name}: documents its client errors"
                );
            }
            let public = PUBLIC.contains(&path.as_str())
                || !(path.starts_with("/v1/") || path.starts_with("/3/"));
            let security = operation["security"].as_array();
            if path == TOKEN || path == PACT_TOKEN {
                assert_eq!(
                    operation["security"],
                    serde_json::json!([{"basic": []}, {}]),
                    "{name}: HTTP Basic, optional"
                );
            } else if public {
                assert!(
                    security.is_none(),
                    "{name}: public, so no security requirement"
                );
            } else {
                let schemes: Vec<&str> = security
                    .unwrap_or_else(|| panic!("{name}: declares its security"))
                    .iter()
                    .filter_map(|requirement| {
                        requirement.as_object()?.keys().next().map(String::as_str)
                    })
                    .collect();
                assert!(
                    schemes.contains(&"bearer"),
                    "{name}: accepts a bearer token"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_document_and_swagger_ui_are_served() {
    let app = TestApp::spawn().await;
    let served: Value = app
        .get("/api-docs/openapi.json")
        .await
        .json()
        .await
        .expect("json");
    let committed: Value = serde_json::from_str(COMMITTED).expect("valid JSON");
    assert_eq!(served, committed);

    let ui = app.get("/swagger-ui/").await;
    assert_eq!(ui.status(), 200);
    assert!(
        ui.text().await.expect("text").contains("swagger"),
        "the UI page"
    );

    let redirect = app.get("/swagger-ui").await;
    assert!(redirect.status().is_redirection());
    assert_eq!(redirect.headers()["location"], "/swagger-ui/");
}

// The contract generated SDKs rely on (issue 17). Each check names what
// broke a generator: Java threw on arrays of integers for files, Python's
// client crashed sending `None` headers, enums were prose only, …

fn document() -> Value {
    serde_json::from_str(&tierlink_api::openapi::document_json()).expect("valid JSON")
}

/// Every operation as (`METHOD path`, operation).
fn operations(document: &Value) -> Vec<(String, &Value)> {
    let mut all = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            all.push((format!("{} {path}", method.to_uppercase()), operation));
        }
    }
    all
}

fn parameters(operation: &Value) -> &[Value] {
    operation["parameters"]
        .as_array()
        .map_or(&[], Vec::as_slice)
}

/// Calls `visit` on every schema object in `value`, with its JSON path.
fn each_schema(value: &Value, at: &str, visit: &mut dyn FnMut(&str, &Value)) {
    match value {
        Value::Object(map) => {
            visit(at, value);
            for (key, inner) in map {
                each_schema(inner, &format!("{at}/{key}"), visit);
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                each_schema(inner, &format!("{at}/{index}"), visit);
            }
        }
        _ => {}
    }
}

/// Properties whose `null` means something different from absent: none yet.
const NULL_MEANS_SOMETHING: &[&str] = &[];

#[test]
fn openapi_optional_values_are_absent_never_null() {
    let document = document();
    let mut nullable = Vec::new();
    each_schema(&document, "", &mut |at, schema| {
        let null_type = match &schema["type"] {
            Value::Array(types) => types.iter().any(|t| t == "null"),
            Value::String(t) => t == "null",
            _ => false,
        };
        if null_type
            && !NULL_MEANS_SOMETHING
                .iter()
                .any(|allowed| at.contains(allowed))
        {
            nullable.push(at.to_owned());
        }
    });
    assert!(nullable.is_empty(), "null allowed at {nullable:#?}");
    for (name, operation) in operations(&document) {
        for parameter in parameters(operation) {
            if parameter["in"] == "header" {
                assert!(
                    parameter["schema"]["type"] == "string",
                    "{name}: header {} is a plain string",
                    parameter["name"]
                );
            }
        }
    }
}

#[test]
fn openapi_every_operation_documents_every_status_it_can_return() {
    let document = document();
    let throttled = [
        "/v1/auth/login",
        "/v1/auth/token",
        "/v1/me/password",
        "/v1/signup",
    ];
    let mut examples = std::collections::HashSet::new();
    for (name, operation) in operations(&document) {
        assert!(
            operation["description"]
                .as_str()
                .is_some_and(|d| d.len() > 20),
            "{name}: a description"
        );
        let responses = operation["responses"].as_object().expect("responses");
        let has = |status: &str| responses.contains_key(status);
        let path = name.split_once(' ').map(|(_, p)| p).unwrap_or_default();
        if is_pact(path) {
            pact_errors_are_documented(&name, operation);
            continue;
        }
        let params = parameters(operation);
        let id_param = params
            .iter()
            .any(|p| p["in"] == "path" && p["name"] != "code");
        if id_param || params.iter().any(|p| p["in"] == "query") {
            assert!(has("400"), "{name}: 400 for a malformed parameter");
        }
        if id_param {
            assert!(has("404"), "{name}: 404 for an id it does not know");
        }
        let body = &operation["requestBody"]["content"];
        if body.get("application/json").is_some() {
            for status in ["400", "413", "415", "422"] {
                assert!(has(status), "{name}: {status} for a JSON body");
            }
            assert!(
                responses["400"]["description"]
                    .as_str()
                    .is_some_and(|d| d.contains("`malformed_json`")),
                "{name}: 400 names malformed JSON"
            );
        }
        if body.is_object() {
            assert!(has("413"), "{name}: 413 for a body too large");
        }
        if operation["security"].is_array() && path != "/v1/auth/token" {
            assert!(has("401"), "{name}: 401 without a token");
        }
        if path.starts_with("/v1/") {
            assert!(has("503"), "{name}: 503 when the database is away");
        }
        let scoped = operation["security"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| {
                s["oauth2"]
                    .as_array()
                    .is_some_and(|scopes| !scopes.is_empty())
            });
        if scoped {
            assert!(has("403"), "{name}: 403 for a token without the scope");
        }
        if params.iter().any(|p| p["name"] == "Idempotency-Key") {
            assert!(has("409"), "{name}: 409 for a key used with another body");
        }
        if throttled.contains(&path) {
            assert!(has("429"), "{name}: 429 when throttled");
        }
        for (status, response) in responses {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            let content = response["content"].as_object().expect("error content");
            let (media, body) = content.iter().next().expect("one media type");
            let example = &body["example"];
            if media == "application/problem+json" {
                assert_eq!(
                    example["status"].as_u64().map(|s| s.to_string()).as_deref(),
                    Some(status.as_str()),
                    "{name} {status}: an example of its own status"
                );
                let code = example["code"].as_str().expect("a code");
                assert_eq!(example["type"], format!("urn:tierlink:problem:{code}"));
                examples.insert((status.clone(), code.to_owned()));
            } else {
                assert!(
                    example["error"].is_string(),
                    "{name} {status}: an RFC 6749 example"
                );
            }
            if status == "429" || status == "503" {
                assert!(
                    response["headers"]["Retry-After"].is_object(),
                    "{name} {status}: Retry-After"
                );
            }
        }
    }
    // Not one example everywhere: each status shows its own codes.
    for (status, code) in [
        ("400", "invalid_parameter"),
        ("400", "malformed_json"),
        ("401", "unauthorized"),
        ("404", "not_found"),
        ("409", "idempotency_key_reused"),
        ("409", "illegal_transition"),
        ("413", "payload_too_large"),
        ("415", "unsupported_media_type"),
        ("422", "validation_failed"),
        ("429", "too_many_requests"),
        ("503", "service_unavailable"),
    ] {
        assert!(
            examples.contains(&(status.to_owned(), code.to_owned())),
            "an example of {status} {code}"
        );
    }
}

/// The PACT API's paths, whose errors are PACT's `{code, message}` (or
/// OAuth's, for Action Authenticate).
fn is_pact(path: &str) -> bool {
    path.starts_with("/3/") || path == PACT_TOKEN
}

/// A PACT operation documents 401 (and 403 with a scope, 404 with an id),
/// each with an example in PACT's or OAuth's shape.
fn pact_errors_are_documented(name: &str, operation: &Value) {
    let responses = operation["responses"].as_object().expect("responses");
    assert!(responses.contains_key("401"), "{name}: 401");
    if name.contains("/3/") {
        assert!(responses.contains_key("403"), "{name}: 403");
    }
    if name.contains("{id}") {
        assert!(responses.contains_key("404"), "{name}: 404");
    }
    for (status, response) in responses {
        if !status.starts_with('4') {
            continue;
        }
        let example = &response["content"]["application/json"]["example"];
        let pact_codes = ["BadRequest", "AccessDenied", "TokenExpired", "NotFound"];
        assert!(
            example["error"].is_string()
                || pact_codes.contains(&example["code"].as_str().unwrap_or_default()),
            "{name} {status}: a PACT or RFC 6749 example"
        );
    }
}

#[test]
fn openapi_response_headers_are_declared_where_sent() {
    let document = document();
    for (name, operation) in operations(&document) {
        let keyed = parameters(operation)
            .iter()
            .any(|p| p["name"] == "Idempotency-Key");
        for (status, response) in operation["responses"].as_object().expect("responses") {
            let headers = &response["headers"];
            assert!(
                headers["X-Request-Id"].is_object(),
                "{name} {status}: X-Request-Id"
            );
            if status.starts_with('2') && keyed {
                assert!(
                    headers["Idempotent-Replayed"].is_object(),
                    "{name} {status}: Idempotent-Replayed"
                );
            }
            let schema = response["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap_or_default();
            if status == "200" && schema.ends_with("Page") {
                assert!(headers["Link"].is_object(), "{name}: Link to the next page");
            }
        }
    }
    let etag = |method: &str, path: &str, status: &str| {
        document["paths"][path][method]["responses"][status]["headers"]["ETag"].is_object()
    };
    assert!(etag("get", "/v1/requirements/{id}", "200"));
    assert!(etag("post", "/v1/requirements", "201"));
    assert!(etag("get", "/v1/requests/{id}", "200"));
    assert!(etag("get", "/v1/evidence/{id}", "200"));
}

#[test]
fn openapi_ids_limits_and_enumerations_are_in_the_schema() {
    let document = document();
    // Every id is a UUID: properties named `id` or `…_id`, path ids, the
    // `customer` filter and evidence references.
    each_schema(&document["components"]["schemas"], "", &mut |at, schema| {
        // PACT's schemas are the specification's, as published.
        if at.starts_with("/Pact") {
            return;
        }
        let Some(properties) = schema["properties"].as_object() else {
            return;
        };
        for (name, property) in properties {
            // `request_id` is the X-Request-Id of a call, which the caller
            // may choose (`erp-batch-42`): the one id that is not a UUID.
            // A PACT host's `client_id` is whatever that host issued.
            let foreign = name == "client_id" && at.contains("PactHost");
            if name == "id" || (name.ends_with("_id") && name != "request_id" && !foreign) {
                assert_eq!(property["format"], "uuid", "{at}/{name}: format uuid");
            }
            if name == "evidence" || name == "suppliers" {
                assert_eq!(property["items"]["format"], "uuid", "{at}/{name}: uuids");
            }
            if (name == "status" && at != "/Problem")
                || name == "obtained"
                || name == "kind"
                || name == "framework"
                || name == "grant_type"
                || name == "error"
                || name == "role"
                || name == "scheme"
            {
                assert!(
                    property["$ref"].is_string() || property["enum"].is_array(),
                    "{at}/{name}: an enumeration"
                );
            }
            if name == "scopes" {
                assert!(property["items"]["$ref"].is_string(), "{at}/{name}: scopes");
            }
            if name == "revision" && property["type"] == "integer" {
                assert_eq!(property["minimum"], 1, "{at}/{name}: from 1");
            }
        }
    });
    let schemas = document["components"]["schemas"]
        .as_object()
        .expect("schemas");
    for name in schemas.keys() {
        assert!(
            !name.ends_with("Body"),
            "{name}: a name that reads well in SDKs"
        );
    }
    for (schema, values) in [
        ("RequestStatus", 8),
        ("RequirementStatus", 4),
        ("RevisionStatus", 3),
        ("Obtained", 4),
        ("MetricKind", 8),
        ("Framework", 6),
        ("GrantType", 2),
        ("Scope", 6),
    ] {
        assert_eq!(
            schemas[schema]["enum"].as_array().map(Vec::len),
            Some(values),
            "{schema}: an enum"
        );
    }
    assert_eq!(
        schemas["RequirementInput"]["properties"]["cascade_depth"]["format"],
        schemas["Requirement"]["properties"]["cascade_depth"]["format"],
        "one integer width in and out"
    );
    for (schema, property) in [
        ("CreateOrganisation", "name"),
        ("SignupAdmin", "display_name"),
        ("SignupAdmin", "password"),
        ("CreateUser", "password"),
        ("CreateApiClient", "name"),
        ("RequirementInput", "title"),
        ("DeclineRequest", "reason"),
    ] {
        let field = &schemas[schema]["properties"][property];
        assert!(
            field["minLength"].is_u64() && field["maxLength"].is_u64(),
            "{schema}.{property}: length limits"
        );
    }
    for (schema, property) in [
        ("SignupAdmin", "email"),
        ("CreateUser", "email"),
        ("LoginRequest", "email"),
    ] {
        assert_eq!(schemas[schema]["properties"][property]["format"], "email");
    }
    assert!(schemas["MetricTotals"]["properties"]["total"]["pattern"].is_string());
    for (name, operation) in operations(&document) {
        if name.contains(" /3/") {
            continue;
        }
        for parameter in parameters(operation) {
            let schema = &parameter["schema"];
            match parameter["name"].as_str().unwrap_or_default() {
                "limit" => {
                    assert_eq!(schema["minimum"], 1, "{name}: limit from 1");
                    assert_eq!(schema["maximum"], 200, "{name}: limit to 200");
                    assert_eq!(schema["default"], 50, "{name}: limit default");
                }
                "status" => assert!(schema["$ref"].is_string(), "{name}: status enum"),
                "framework" => assert!(schema["$ref"].is_string(), "{name}: framework enum"),
                "id" | "customer" => assert_eq!(schema["format"], "uuid", "{name}: uuid"),
                "revision" => assert_eq!(schema["minimum"], 1, "{name}: revision from 1"),
                "Idempotency-Key" => {
                    assert_eq!(schema["minLength"], 1, "{name}");
                    assert_eq!(schema["maxLength"], 255, "{name}");
                    assert!(schema["pattern"].is_string(), "{name}");
                }
                _ => {}
            }
        }
    }
}

#[test]
fn openapi_files_are_bytes_and_defaults_are_safe() {
    let document = document();
    let binary = serde_json::json!({"type": "string", "format": "binary"});
    let download = &document["paths"]["/v1/evidence/{id}"]["get"]["responses"]["200"]["content"];
    for media in ["application/pdf", "image/png", "image/jpeg", "text/csv"] {
        assert_eq!(download[media]["schema"], binary, "evidence as {media}");
    }
    assert!(
        download.get("application/octet-stream").is_none(),
        "only what is served"
    );
    for path in [
        "/v1/requests/{id}/answer/template.csv",
        "/v1/requests/{id}/answer/export.csv",
    ] {
        assert_eq!(
            document["paths"][path]["get"]["responses"]["200"]["content"]["text/csv"]["schema"],
            binary,
            "{path}"
        );
    }
    let import =
        &document["paths"]["/v1/requests/{id}/answer/import"]["post"]["requestBody"]["content"];
    for media in ["text/csv", "application/octet-stream"] {
        assert_eq!(import[media]["schema"], binary, "import as {media}");
    }
    // Running the example in Swagger UI must not lock the caller out.
    let example = &document["components"]["schemas"]["UpdateUser"]["example"];
    assert!(example.get("disabled").is_none() && example.get("role").is_none());
    // Generators default to the first server: an absolute URL.
    assert!(
        document["servers"][0]["url"]
            .as_str()
            .is_some_and(|url| url.starts_with("http://") || url.starts_with("https://"))
    );
}
