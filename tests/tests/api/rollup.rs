//! `GET /v1/requirements/{id}/summary`: exact totals for a small chain with
//! mixed units, tier-2 values counted only with consent.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{TestApp, TestOrg};

async fn answer(
    app: &TestApp,
    org: &TestOrg,
    request: &str,
    value: &str,
    unit: &str,
    obtained: &str,
    share: bool,
) {
    app.call(
        Method::PUT,
        &org.admin.access_token,
        &format!("/v1/requests/{request}/answer"),
        Some(&json!({"entries": [{"metric": "ghg.scope1", "value": value, "unit": unit, "obtained": obtained}],
            "submit": true, "share_upstream": share})),
        200,
    )
    .await;
}

async fn accept(app: &TestApp, org: &TestOrg, request: &str) {
    app.call(
        Method::POST,
        &org.admin.access_token,
        &format!("/v1/requests/{request}/answer/revisions/1/accept"),
        None,
        200,
    )
    .await;
}

#[tokio::test]
async fn roll_up_totals_match_hand_computed_values_with_consent_on_and_off() {
    let app = TestApp::spawn().await;
    let large = app.signup("Hyundai Steel").await;
    let a = app.signup("Hanbit").await;
    let b = app.signup("Seoul Bolts").await;
    let c = app.signup("Daehan Casting").await;
    let d = app.signup("Busan Forge").await;
    app.link(&large, &a).await;
    app.link(&large, &b).await;
    app.link(&a, &c).await;
    app.link(&a, &d).await;
    let r = app
        .publish_requirement(
            &large,
            &json!({"title": "FY2026 Scope 1", "period": {"start": "2026-01-01", "end": "2026-12-31"}, "due_date": "2099-01-31",
                "items": [{"metric": "ghg.scope1"}], "audience": {"all_active_suppliers": true}, "cascade_depth": 2}),
        )
        .await;

    // Tier 1: A 1500 kgCO2e measured (accepted), B 2.25 tCO2e secondary (awaiting review).
    let request_a = app.first_request(&a).await;
    let request_b = app.first_request(&b).await;
    answer(&app, &b, &request_b, "2.25", "tCO2e", "secondary", false).await;

    // A forwards to its suppliers, then answers for itself. Tier 2 under A:
    // C 500000 gCO2e calculated with consent; D 0.75 tCO2e measured without.
    app.call(
        Method::POST,
        &a.admin.access_token,
        &format!("/v1/requests/{request_a}/forward"),
        Some(&json!({"suppliers": [c.id, d.id]})),
        201,
    )
    .await;
    answer(&app, &a, &request_a, "1500", "kgCO2e", "measured", false).await;
    accept(&app, &large, &request_a).await;
    let request_c = app.first_request(&c).await;
    let request_d = app.first_request(&d).await;
    answer(&app, &c, &request_c, "500000", "gCO2e", "calculated", true).await;
    answer(&app, &d, &request_d, "0.75", "tCO2e", "measured", false).await;
    for child in [&request_c, &request_d] {
        accept(&app, &a, child).await;
        app.call(
            Method::POST,
            &a.admin.access_token,
            &format!("/v1/requests/{request_a}/answer/attachments"),
            Some(&json!({"child_request_id": child})),
            201,
        )
        .await;
    }

    let summary = app
        .call(
            Method::GET,
            &large.admin.access_token,
            &format!("/v1/requirements/{r}/summary"),
            None,
            200,
        )
        .await;
    assert_eq!(
        summary["requests"],
        json!({"total": 2, "by_status": {"accepted": 1, "submitted": 1}, "overdue": 0, "completion_rate": "50.00"})
    );
    assert_eq!(
        summary["tier2"]["total"], 2,
        "tier-2 requests are always counted"
    );
    assert_eq!(summary["tier2"]["by_status"], json!({"accepted": 2}));
    let scope1 = &summary["metrics"][0];
    assert_eq!(scope1["metric"], "ghg.scope1");
    assert_eq!(scope1["canonical_unit"], "tCO2e");
    // 1.5 (A) + 0.5 (C, consented); D's 0.75 stays out.
    assert_eq!(
        scope1["accepted"],
        json!({"total": "2", "answers": 2, "by_tier": {"1": "1.5", "2": "0.5"},
            "by_obtained": {"calculated": "0.5", "measured": "1.5"}, "primary_share": "100.00"})
    );
    assert_eq!(
        scope1["submitted"],
        json!({"total": "2.25", "answers": 1, "by_tier": {"1": "2.25"}, "by_obtained": {"secondary": "2.25"}, "primary_share": "0.00"})
    );

    // What the large firm sees of A's tier-2 answers: both counted, values only with consent, no names.
    let attached = app
        .call(
            Method::GET,
            &large.admin.access_token,
            &format!("/v1/requests/{request_a}/answer/attachments"),
            None,
            200,
        )
        .await;
    let attached = attached.as_array().expect("list");
    assert_eq!(attached.len(), 2);
    let with_values: Vec<&Value> = attached
        .iter()
        .filter(|a| a.get("entries").is_some())
        .collect();
    assert_eq!(with_values.len(), 1);
    assert_eq!(with_values[0]["entries"][0]["canonical_value"], "0.5");
    assert!(attached.iter().all(|a| a.get("supplier_name").is_none()));
    let text = Value::from(attached.clone()).to_string();
    assert!(!text.contains("Busan") && !text.contains("0.75"), "{text}");
    // A sees both, with names.
    let own = app
        .call(
            Method::GET,
            &a.admin.access_token,
            &format!("/v1/requests/{request_a}/answer/attachments"),
            None,
            200,
        )
        .await;
    assert!(
        own.as_array()
            .expect("list")
            .iter()
            .all(|a| a.get("entries").is_some() && a.get("supplier_name").is_some())
    );
    // The other tier-1 and tier-2s cannot read the summary.
    for org in [&a, &b, &c] {
        let response = app
            .get_as(
                &org.admin.access_token,
                &format!("/v1/requirements/{r}/summary"),
            )
            .await;
        assert_eq!(response.status(), 404);
    }
}
