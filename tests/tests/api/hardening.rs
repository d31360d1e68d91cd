//! Regressions found in review: role limits on the network, final accepted
//! answers, NUL characters, and optional bodies that must still be valid.

use reqwest::Method;
use serde_json::json;
use tierlink_tests::{TestApp, TestOrg, expect_problem};

async fn setup() -> (TestApp, TestOrg, TestOrg, String) {
    let app = TestApp::spawn().await;
    let large = app.signup("Hyundai Steel").await;
    let supplier = app.signup("Hanbit").await;
    app.link(&large, &supplier).await;
    app.publish_requirement(
        &large,
        &json!({"title": "FY2026", "period": {"start": "2026-01-01", "end": "2026-12-31"}, "due_date": "2099-01-31",
                "items": [{"metric": "ghg.scope1"}], "audience": {"all_active_suppliers": true}}),
    )
    .await;
    let request = app.first_request(&supplier).await;
    (app, large, supplier, request)
}

#[tokio::test]
async fn editors_do_not_manage_the_network() {
    let (app, large, supplier, _) = setup().await;
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
    let (app, large, supplier, request) = setup().await;
    let answer = format!("/v1/requests/{request}/answer");
    app.call(
        Method::PUT,
        &supplier.admin.access_token,
        &answer,
        Some(&json!({"entries": [{"metric": "ghg.scope1", "value": "1", "unit": "tCO2e", "comment": "ok"}], "submit": true})),
        200,
    )
    .await;
    app.call(
        Method::POST,
        &large.admin.access_token,
        &format!("{answer}/revisions/1/accept"),
        None,
        200,
    )
    .await;
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

    let (app, _, supplier, request) = setup().await;
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
    let (app, _, supplier, request) = setup().await;
    app.call(
        Method::PUT,
        &supplier.admin.access_token,
        &format!("/v1/requests/{request}/answer"),
        Some(&json!({"entries": [{"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"}]})),
        200,
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
