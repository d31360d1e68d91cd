//! Answer once, share with many; and evidence that travels up with consent.

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tierlink_tests::{TestApp, TestOrg, expect_problem, problem_fields};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

async fn publish(
    app: &TestApp,
    buyer: &TestOrg,
    supplier: &TestOrg,
    year: u16,
    items: Value,
) -> String {
    app.publish_requirement(
        buyer,
        &json!({"title": format!("FY{year}"), "period": {"start": format!("{year}-01-01"), "end": format!("{year}-12-31")},
            "due_date": "2099-01-31", "items": items, "audience": {"suppliers": [supplier.id]}, "cascade_depth": 2}),
    )
    .await;
    let page = app
        .call(
            Method::GET,
            &supplier.admin.access_token,
            &format!("/v1/requests?customer={}", buyer.id),
            None,
            200,
        )
        .await;
    page["items"]
        .as_array()
        .expect("items")
        .last()
        .expect("a request")["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// `supplier` reuses its latest answer to `source` in its draft for
/// `target`; the answer to `target` as returned.
async fn reuse(app: &TestApp, supplier: &TestOrg, target: &str, source: &str) -> Value {
    app.call(
        Method::POST,
        &supplier.admin.access_token,
        &format!("/v1/requests/{target}/answer/reuse"),
        Some(&json!({"source_request_id": source})),
        200,
    )
    .await
}

async fn upload(app: &TestApp, org: &TestOrg, request: &str) -> String {
    let part = Part::bytes(PDF.to_vec())
        .file_name("statement.pdf")
        .mime_str("application/pdf")
        .expect("mime");
    let response = app
        .client
        .post(app.url(&format!("/v1/requests/{request}/evidence")))
        .bearer_auth(&org.admin.access_token)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn a_supplier_reuses_an_answer_for_another_customer() {
    let app = TestApp::spawn().await;
    let first = app.signup("Hyundai Steel").await;
    let second = app.signup("Kia Parts").await;
    let supplier = app.signup("Hanbit").await;
    app.link(&first, &supplier).await;
    app.link(&second, &supplier).await;
    let items = json!([{"metric": "ghg.scope1"}, {"metric": "energy.total", "required": false}]);
    let for_first = publish(&app, &first, &supplier, 2026, items.clone()).await;
    let for_second = publish(
        &app,
        &second,
        &supplier,
        2026,
        json!([{"metric": "ghg.scope1"}, {"metric": "water.withdrawal"}]),
    )
    .await;
    let other_year = publish(&app, &second, &supplier, 2025, items).await;

    let evidence = upload(&app, &supplier, &for_first).await;
    app.call(
        Method::PUT,
        &supplier.admin.access_token,
        &format!("/v1/requests/{for_first}/answer"),
        Some(&json!({"entries": [
            {"metric": "ghg.scope1", "value": "42.5", "unit": "tCO2e", "evidence": [evidence]},
            {"metric": "energy.total", "value": "100", "unit": "MWh"}
        ], "submit": true})),
        200,
    )
    .await;

    let reused = reuse(&app, &supplier, &for_second, &for_first).await;
    let draft = reused["draft"].as_array().expect("draft");
    assert_eq!(draft.len(), 1, "only the metric both ask for: {reused}");
    assert_eq!(draft[0]["metric"], "ghg.scope1");
    assert_eq!(draft[0]["value"], "42.5");
    assert_eq!(
        draft[0]["source"],
        format!("request/{for_first}/revision/1")
    );
    let copied_evidence = draft[0]["evidence"][0]
        .as_str()
        .expect("a linked file")
        .to_owned();
    assert_ne!(copied_evidence, evidence);

    // The second customer sees the copy once submitted, and its evidence; not the first's file.
    app.call(
        Method::PUT,
        &supplier.admin.access_token,
        &format!("/v1/requests/{for_second}/answer/entries/water.withdrawal"),
        Some(&json!({"metric": "water.withdrawal", "value": "3", "unit": "m3"})),
        200,
    )
    .await;
    app.call(
        Method::POST,
        &supplier.admin.access_token,
        &format!("/v1/requests/{for_second}/answer/submit"),
        None,
        201,
    )
    .await;
    let revision = app
        .call(
            Method::GET,
            &second.admin.access_token,
            &format!("/v1/requests/{for_second}/answer/revisions/1"),
            None,
            200,
        )
        .await;
    assert!(
        revision
            .to_string()
            .contains(&format!("request/{for_first}/revision/1"))
    );
    assert_eq!(
        app.get_as(
            &second.admin.access_token,
            &format!("/v1/evidence/{copied_evidence}")
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.get_as(
            &second.admin.access_token,
            &format!("/v1/evidence/{evidence}")
        )
        .await
        .status(),
        404
    );

    // Reusing into an answer already submitted: the copied entry replaces
    // its own, the others the submitted answer had stay in the draft.
    app.call(
        Method::PUT,
        &supplier.admin.access_token,
        &format!("/v1/requests/{for_first}/answer"),
        Some(&json!({"entries": [{"metric": "ghg.scope1", "value": "50", "unit": "tCO2e"}], "submit": true})),
        200,
    )
    .await;
    let reused = reuse(&app, &supplier, &for_second, &for_first).await;
    let draft: Vec<(&str, &str)> = reused["draft"]
        .as_array()
        .expect("draft")
        .iter()
        .map(|e| {
            (
                e["metric"].as_str().expect("metric"),
                e["value"].as_str().expect("value"),
            )
        })
        .collect();
    assert_eq!(draft, [("ghg.scope1", "50"), ("water.withdrawal", "3")]);
    assert_eq!(
        reused["draft"][0]["source"],
        format!("request/{for_first}/revision/2")
    );

    // Another period: nothing matches.
    let response = app
        .send_as(
            Method::POST,
            &supplier.admin.access_token,
            &format!("/v1/requests/{other_year}/answer/reuse"),
            Some(&json!({"source_request_id": for_first})),
        )
        .await;
    expect_problem(response, 409, "nothing_to_reuse").await;
    // Someone else's answer cannot be reused.
    let stranger = app.signup("Stranger").await;
    app.link(&first, &stranger).await;
    let theirs = publish(
        &app,
        &first,
        &stranger,
        2026,
        json!([{"metric": "ghg.scope1"}]),
    )
    .await;
    let response = app
        .send_as(
            Method::POST,
            &stranger.admin.access_token,
            &format!("/v1/requests/{theirs}/answer/reuse"),
            Some(&json!({"source_request_id": for_first})),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), ["source_request_id"]);
}

#[tokio::test]
async fn tier_2_evidence_reaches_the_large_firm_only_with_consent() {
    let app = TestApp::spawn().await;
    let large = app.signup("Hyundai Steel").await;
    let tier1 = app.signup("Hanbit").await;
    let willing = app.signup("Daehan Casting").await;
    let private = app.signup("Busan Forge").await;
    app.link(&large, &tier1).await;
    app.link(&tier1, &willing).await;
    app.link(&tier1, &private).await;
    let request = publish(
        &app,
        &large,
        &tier1,
        2026,
        json!([{"metric": "ghg.scope1"}]),
    )
    .await;
    app.call(
        Method::POST,
        &tier1.admin.access_token,
        &format!("/v1/requests/{request}/forward"),
        Some(&json!({"suppliers": [willing.id, private.id]})),
        201,
    )
    .await;
    let mut files = Vec::new();
    for (org, share) in [(&willing, true), (&private, false)] {
        let child = app.first_request(org).await;
        let file = upload(&app, org, &child).await;
        app.call(
            Method::PUT,
            &org.admin.access_token,
            &format!("/v1/requests/{child}/answer"),
            Some(&json!({"entries": [{"metric": "ghg.scope1", "value": "1", "unit": "tCO2e", "evidence": [file]}], "submit": true, "share_upstream": share})),
            200,
        )
        .await;
        app.call(
            Method::POST,
            &tier1.admin.access_token,
            &format!("/v1/requests/{child}/answer/revisions/1/accept"),
            None,
            200,
        )
        .await;
        app.call(
            Method::POST,
            &tier1.admin.access_token,
            &format!("/v1/requests/{request}/answer/attachments"),
            Some(&json!({"child_request_id": child})),
            201,
        )
        .await;
        files.push(file);
    }
    // The tier-1 sees both files; the large firm only the consenting tier-2's.
    for file in &files {
        assert_eq!(
            app.get_as(&tier1.admin.access_token, &format!("/v1/evidence/{file}"))
                .await
                .status(),
            200
        );
    }
    assert_eq!(
        app.get_as(
            &large.admin.access_token,
            &format!("/v1/evidence/{}", files[0])
        )
        .await
        .status(),
        200
    );
    expect_problem(
        app.get_as(
            &large.admin.access_token,
            &format!("/v1/evidence/{}", files[1]),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}
