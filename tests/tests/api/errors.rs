//! Every client mistake gets problem+json with the right status and code,
//! including the errors actix-web itself would produce.

use serde_json::{Value, json};
use tierlink_tests::{PASSWORD, TestApp, expect_problem, problem_fields};

fn signup_body(name: &str) -> Value {
    json!({
        "organisation": {"name": name, "country": "KR"},
        "admin": {"email": "admin@acme.example", "display_name": "Admin", "password": PASSWORD}
    })
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/v1/signup"))
        .header("content-type", "application/json")
        .body("{\"organisation\": ")
        .send()
        .await
        .expect("sent");
    expect_problem(response, 400, "malformed_json").await;
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let mut body = signup_body("Acme");
    body["organisation"]["identifiers"] = json!([{"scheme": "kr_brn", "value": 1_248_100_998}]);
    let problem = expect_problem(
        app.post_json("/v1/signup", &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        problem_fields(&problem),
        ["organisation.identifiers[0].value"]
    );

    let missing = app
        .post_json("/v1/signup", &json!({"organisation": {"country": "KR"}}))
        .await;
    let problem = expect_problem(missing, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), ["organisation"]);
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
        .post(app.url("/v1/signup"))
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
    let response = app
        .post_json("/v1/signup", &signup_body(&"x".repeat(2048)))
        .await;
    expect_problem(response, 413, "payload_too_large").await;
    // Nothing was stored: the same e-mail address is still free.
    assert_eq!(
        app.post_json("/v1/signup", &signup_body("Acme"))
            .await
            .status(),
        201
    );
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
    assert_eq!(allow, "GET");

    let response = app
        .client
        .put(app.url("/v1/api-clients/019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e5f"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("GET, DELETE")
    );
    expect_problem(response, 405, "method_not_allowed").await;

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
    let token = app.signup("Hanbit").await.admin.access_token;
    for path in [
        "/v1/organisations/not-a-uuid",
        "/v1/users/42",
        "/v1/api-clients/x",
    ] {
        let problem =
            expect_problem(app.get_as(&token, path).await, 400, "invalid_parameter").await;
        assert_eq!(problem_fields(&problem), ["id"], "{path}");
    }
}

#[tokio::test]
async fn malformed_query_parameters_are_400_naming_them() {
    let app = TestApp::spawn().await;
    let token = app.signup("Hanbit").await.admin.access_token;
    for (path, field) in [
        ("/v1/organisations?limit=many", "limit"),
        ("/v1/users?limit=0", "limit"),
        ("/v1/users?limit=201", "limit"),
        ("/v1/api-clients?cursor=bogus", "cursor"),
    ] {
        let problem =
            expect_problem(app.get_as(&token, path).await, 400, "invalid_parameter").await;
        assert_eq!(problem_fields(&problem), [field], "{path}");
    }
}
