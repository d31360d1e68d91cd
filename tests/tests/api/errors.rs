//! Every client mistake gets problem+json with the right status and code,
//! including the errors actix-web itself would produce.

use serde_json::json;
use tierlink_tests::{TestApp, expect_problem, problem_fields};

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/v1/organisations"))
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("sent");
    expect_problem(response, 400, "malformed_json").await;
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json("/v1/organisations", &json!({"name": "Acme", "country": "KR", "identifiers": [{"scheme": "kr_brn", "value": 1248100998}]}))
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), ["identifiers[0].value"]);

    let missing = app
        .post_json("/v1/organisations", &json!({"country": "KR"}))
        .await;
    let problem = expect_problem(missing, 422, "validation_failed").await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("name")),
        "{problem}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/v1/organisations"))
        .header("content-type", "text/plain")
        .body("name=Acme")
        .send()
        .await
        .expect("sent");
    expect_problem(response, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_stores_nothing() {
    let app = TestApp::spawn_with(|settings| settings.max_body_bytes = 1024).await;
    let big_name = "x".repeat(2048);
    let response = app
        .post_json(
            "/v1/organisations",
            &json!({"name": big_name, "country": "KR"}),
        )
        .await;
    expect_problem(response, 413, "payload_too_large").await;
    let list: serde_json::Value = app
        .get("/v1/organisations")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn an_unknown_path_is_404() {
    let app = TestApp::spawn().await;
    expect_problem(app.get("/v1/no-such-thing").await, 404, "not_found").await;
    expect_problem(app.get("/nowhere").await, 404, "not_found").await;
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .delete(app.url("/v1/organisations"))
        .send()
        .await
        .expect("sent");
    let allow = response
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    expect_problem(response, 405, "method_not_allowed").await;
    assert_eq!(allow, "GET, POST");

    let response = app
        .client
        .post(app.url("/healthz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("GET")
    );
    expect_problem(response, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn a_malformed_path_parameter_is_400_naming_it() {
    let app = TestApp::spawn().await;
    let problem = expect_problem(
        app.get("/v1/organisations/not-a-uuid").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["id"]);
}

#[tokio::test]
async fn malformed_query_parameters_are_400_naming_them() {
    let app = TestApp::spawn().await;
    let problem = expect_problem(
        app.get("/v1/organisations?limit=many").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["limit"]);
    let problem = expect_problem(
        app.get("/v1/organisations?limit=0").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["limit"]);
    let problem = expect_problem(
        app.get("/v1/organisations?cursor=bogus").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["cursor"]);
}
