//! Regressions found in review: role limits on the network, final accepted
//! answers, NUL characters, and optional bodies that must still be valid.

use reqwest::Method;
use serde_json::json;
use tierlink_tests::{Requirement, Scenario, TestApp, expect_problem};

/// Hanbit received Hyundai Steel's Scope 1 requirement.
async fn setup() -> (Scenario, String) {
    let s = TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .publish("Hyundai Steel", Requirement::new("FY2026"))
        .build()
        .await;
    let request = s.request("Hanbit").to_owned();
    (s, request)
}

#[tokio::test]
async fn editors_do_not_manage_the_network() {
    let (app, _) = setup().await;
    let (large, supplier) = (app.org("Hyundai Steel"), app.org("Hanbit"));
    let editor = app
        .add_user(&large.admin, "editor@hyundaisteel.example", "editor")
        .await;
    let invite = app
        .send_as(
            Method::POST,
            &editor.access_token,
            "/v1/invitations",
            Some(&json!({"email": "a@b.example"})),
        )
        .await;
    expect_problem(invite, 403, "forbidden").await;
    let end = app
        .send_as(
            Method::DELETE,
            &editor.access_token,
            &format!("/v1/suppliers/{}", supplier.id),
            None,
        )
        .await;
    expect_problem(end, 403, "forbidden").await;
}

#[tokio::test]
async fn an_accepted_answer_is_final_and_nul_characters_are_refused() {
    let (app, request) = setup().await;
    let (large, supplier) = (app.org("Hyundai Steel"), app.org("Hanbit"));
    let answer = format!("/v1/requests/{request}/answer");
    app.answer(
        supplier,
        &request,
        &json!({"entries": [{"metric": "ghg.scope1", "value": "1", "unit": "tCO2e", "comment": "ok"}], "submit": true}),
    )
    .await;
    app.accept_revision(large, &request, 1).await;
    let resubmit = app
        .send_as(
            Method::POST,
            &supplier.admin.access_token,
            &format!("{answer}/submit"),
            None,
        )
        .await;
    expect_problem(resubmit, 409, "request_not_answerable").await;
    let revisions = app
        .call(
            Method::GET,
            &large.admin.access_token,
            &format!("{answer}/revisions"),
            None,
            200,
        )
        .await;
    assert_eq!(revisions.as_array().map(Vec::len), Some(1));

    let (app, request) = setup().await;
    let supplier = app.org("Hanbit");
    let nul = app
        .send_as(
            Method::POST,
            &supplier.admin.access_token,
            &format!("/v1/requests/{request}/decline"),
            Some(&json!({"reason": "no\u{0}"})),
        )
        .await;
    let problem = expect_problem(nul, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "invalid_characters");
}

#[tokio::test]
async fn a_bad_optional_body_is_not_ignored() {
    let (app, request) = setup().await;
    let supplier = app.org("Hanbit");
    app.answer(
        supplier,
        &request,
        &json!({"entries": [{"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"}]}),
    )
    .await;
    let submit = format!("/v1/requests/{request}/answer/submit");
    let plain = app
        .client
        .post(app.url(&submit))
        .bearer_auth(&supplier.admin.access_token)
        .header("content-type", "text/plain")
        .body("{\"share_upstream\": true}")
        .send()
        .await
        .expect("sent");
    expect_problem(plain, 415, "unsupported_media_type").await;
    let typo = app
        .send_as(
            Method::POST,
            &supplier.admin.access_token,
            &submit,
            Some(&json!({"share_upstreem": true})),
        )
        .await;
    expect_problem(typo, 422, "validation_failed").await;
    let shared = app
        .call(
            Method::POST,
            &supplier.admin.access_token,
            &submit,
            Some(&json!({"share_upstream": true})),
            201,
        )
        .await;
    assert_eq!(shared["share_upstream"], true);
}
