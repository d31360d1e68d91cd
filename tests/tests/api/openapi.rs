//! The OpenAPI document: committed, served, complete; and Swagger UI.

use serde_json::Value;
use tierlink_tests::TestApp;

const COMMITTED: &str = include_str!("../../../openapi/openapi.json");

/// Operations that need no token, by intent.
const PUBLIC: &[&str] = &[
    "/v1/signup",
    "/v1/auth/login",
    "/v1/auth/token",
    "/v1/auth/logout",
];

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
                        || (path == "/v1/auth/token"
                            && oauth == "#/components/schemas/OAuthErrorBody");
                    assert!(documented, "{name} {status}: error schema");
                }
            }
            if path.starts_with("/v1/") {
                assert!(
                    responses.keys().any(|s| s.starts_with('4')),
                    "{name}: documents its client errors"
                );
            }
            let public = PUBLIC.contains(&path.as_str()) || !path.starts_with("/v1/");
            let security = operation["security"].as_array();
            if public {
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
