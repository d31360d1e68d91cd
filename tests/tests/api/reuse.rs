//! Answer once, share with many; and evidence that travels up with consent.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{Requirement, Scenario, TestApp, TestOrg, expect_problem, problem_fields};

/// `buyer` asks `supplier` alone for `items` over `year` (cascade depth
/// 2); the request `supplier` received.
async fn publish(s: &Scenario, buyer: &str, supplier: &str, year: u16, items: Value) -> String {
    let requirement = Requirement::new(&format!("FY{year}"))
        .year(year)
        .items(items)
        .to(&[supplier])
        .cascade_depth(2);
    let published = s.publish(buyer, &requirement).await;
    published.request(supplier).to_owned()
}

/// `supplier` reuses its latest answer to `source` in its draft for
/// `target`; the answer to `target` as returned.
async fn reuse(app: &TestApp, supplier: &TestOrg, target: &str, source: &str) -> Value {
    app.call(
        Method::POST,
        supplier.token(),
        &format!("/v1/requests/{target}/answer/reuse"),
        Some(&json!({"source_request_id": source})),
        200,
    )
    .await
}

#[tokio::test]
async fn a_supplier_reuses_an_answer_for_another_customer() {
    let app = TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .supplier("Kia Parts", "Hanbit")
        .supplier("Hyundai Steel", "Stranger")
        .build()
        .await;
    let [second, supplier] = app.orgs(["Kia Parts", "Hanbit"]);
    let items = json!([{"metric": "ghg.scope1"}, {"metric": "energy.total", "required": false}]);
    let for_first = publish(&app, "Hyundai Steel", "Hanbit", 2026, items.clone()).await;
    let for_second = publish(
        &app,
        "Kia Parts",
        "Hanbit",
        2026,
        json!([{"metric": "ghg.scope1"}, {"metric": "water.withdrawal"}]),
    )
    .await;
    let other_year = publish(&app, "Kia Parts", "Hanbit", 2025, items).await;

    let evidence = app.upload_pdf(supplier, &for_first).await;
    app.answer(
        supplier,
        &for_first,
        &json!({"entries": [
            {"metric": "ghg.scope1", "value": "42.5", "unit": "tCO2e", "evidence": [evidence]},
            {"metric": "energy.total", "value": "100", "unit": "MWh"}
        ], "submit": true}),
    )
    .await;

    let reused = reuse(&app, supplier, &for_second, &for_first).await;
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
    let revision_path = format!("/v1/requests/{for_second}/answer/revisions/1");
    let revision = app
        .call(
            Method::GET,
            &second.admin.access_token,
            &revision_path,
            None,
            200,
        )
        .await;
    // Where the copy came from is another customer's request: the
    // supplier sees it, the second customer never does.
    assert!(
        !revision.to_string().contains(&for_first),
        "another customer's request id leaked: {revision}"
    );
    assert!(revision["entries"][0].get("source").is_none(), "{revision}");
    let own = app
        .call(Method::GET, supplier.token(), &revision_path, None, 200)
        .await;
    assert!(
        own.to_string()
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
    app.answer(
        supplier,
        &for_first,
        &json!({"entries": [{"metric": "ghg.scope1", "value": "50", "unit": "tCO2e"}], "submit": true}),
    )
    .await;
    let reused = reuse(&app, supplier, &for_second, &for_first).await;
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
    let stranger = app.org("Stranger");
    let theirs = publish(
        &app,
        "Hyundai Steel",
        "Stranger",
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
    let app = TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .supplier("Hanbit", "Daehan Casting")
        .supplier("Hanbit", "Busan Forge")
        .build()
        .await;
    let [large, tier1, willing, private] =
        app.orgs(["Hyundai Steel", "Hanbit", "Daehan Casting", "Busan Forge"]);
    let request = publish(
        &app,
        "Hyundai Steel",
        "Hanbit",
        2026,
        json!([{"metric": "ghg.scope1"}]),
    )
    .await;
    app.forward(
        tier1,
        &request,
        &json!({"suppliers": [willing.id, private.id]}),
    )
    .await;
    let mut files = Vec::new();
    for (org, share) in [(willing, true), (private, false)] {
        let child = app.first_request(org).await;
        let file = app.upload_pdf(org, &child).await;
        app.answer(
            org,
            &child,
            &json!({"entries": [{"metric": "ghg.scope1", "value": "1", "unit": "tCO2e", "evidence": [file]}], "submit": true, "share_upstream": share}),
        )
        .await;
        app.accept_revision(tier1, &child, 1).await;
        app.attach(tier1, &request, &child).await;
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
