//! `GET /v1/requirements/{id}/summary`: exact totals for a small chain with
//! mixed units, tier-2 values counted only with consent.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{Requirement, TestApp};

/// An answer of one Scope 1 value, submitted.
fn scope1(value: &str, unit: &str, obtained: &str, share: bool) -> Value {
    json!({"entries": [{"metric": "ghg.scope1", "value": value, "unit": unit, "obtained": obtained}],
        "submit": true, "share_upstream": share})
}

#[tokio::test]
async fn roll_up_totals_match_hand_computed_values_with_consent_on_and_off() {
    let app = TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .supplier("Hyundai Steel", "Seoul Bolts")
        .supplier("Hanbit", "Daehan Casting")
        .supplier("Hanbit", "Busan Forge")
        .publish(
            "Hyundai Steel",
            Requirement::new("FY2026 Scope 1").cascade_depth(2),
        )
        .build()
        .await;
    let r = &app.requirement().id;
    let [large, a, b, c, d] = app.orgs([
        "Hyundai Steel",
        "Hanbit",
        "Seoul Bolts",
        "Daehan Casting",
        "Busan Forge",
    ]);

    // Tier 1: A 1500 kgCO2e measured (accepted), B 2.25 tCO2e secondary (awaiting review).
    let request_a = app.request("Hanbit");
    let request_b = app.request("Seoul Bolts");
    app.answer(b, request_b, &scope1("2.25", "tCO2e", "secondary", false))
        .await;

    // A forwards to its suppliers, then answers for itself. Tier 2 under A:
    // C 500000 gCO2e calculated with consent; D 0.75 tCO2e measured without.
    app.forward(a, request_a, &json!({"suppliers": [c.id, d.id]}))
        .await;
    app.answer(a, request_a, &scope1("1500", "kgCO2e", "measured", false))
        .await;
    app.accept_revision(large, request_a, 1).await;
    let request_c = app.first_request(c).await;
    let request_d = app.first_request(d).await;
    app.answer(
        c,
        &request_c,
        &scope1("500000", "gCO2e", "calculated", true),
    )
    .await;
    app.answer(d, &request_d, &scope1("0.75", "tCO2e", "measured", false))
        .await;
    for child in [&request_c, &request_d] {
        app.accept_revision(a, child, 1).await;
        app.attach(a, request_a, child).await;
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
    for org in [a, b, c] {
        let response = app
            .get_as(
                &org.admin.access_token,
                &format!("/v1/requirements/{r}/summary"),
            )
            .await;
        assert_eq!(response.status(), 404);
    }
}
