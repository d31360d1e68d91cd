//! `/v1/metrics`: the catalogue and custom metrics.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{TestApp, expect_problem, problem_fields};

fn codes(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["code"].as_str().expect("code").to_owned())
        .collect()
}

#[tokio::test]
async fn the_catalogue_has_the_standard_metrics_in_two_languages() {
    let app = TestApp::spawn().await;
    let token = app.signup("Hyundai Steel").await.admin.access_token;
    let all = app
        .call(Method::GET, &token, "/v1/metrics?limit=200", None, 200)
        .await;
    let all_codes = codes(&all);
    for code in [
        "ghg.scope1",
        "ghg.scope2.location",
        "ghg.scope2.market",
        "ghg.scope3.cat1",
        "ghg.scope3.total",
        "energy.total",
        "energy.renewable_share",
        "water.withdrawal",
        "waste.generated",
        "pcf.per_declared_unit",
        "cbam.cn_code",
        "cbam.installation_id",
        "cbam.production_route",
        "cbam.see_direct",
        "cbam.see_indirect",
        "cbam.electricity_per_tonne",
        "cbam.electricity_emission_factor",
        "cbam.electricity_ef_source",
        "cbam.carbon_price_paid",
        "target.ghg_reduction",
    ] {
        assert!(
            all_codes.iter().any(|c| c == code),
            "{code} is in the catalogue"
        );
    }
    let scope1 = app
        .call(Method::GET, &token, "/v1/metrics/ghg.scope1", None, 200)
        .await;
    assert_eq!(scope1["kind"], "quantity");
    assert_eq!(scope1["canonical_unit"], "tCO2e");
    assert!(scope1["label_ko"].as_str().is_some_and(|l| !l.is_empty()));
    assert!(scope1["catalogue_version"].is_string());
    expect_problem(
        app.get_as(&token, "/v1/metrics/ghg.scope9").await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn metrics_filter_by_framework_and_search_both_languages() {
    let app = TestApp::spawn().await;
    let token = app.signup("Hyundai Steel").await.admin.access_token;
    let cbam = app
        .call(
            Method::GET,
            &token,
            "/v1/metrics?framework=cbam&limit=200",
            None,
            200,
        )
        .await;
    let cbam_codes = codes(&cbam);
    assert!(!cbam_codes.is_empty());
    for item in cbam["items"].as_array().expect("items") {
        assert!(
            item["frameworks"]
                .as_array()
                .expect("frameworks")
                .iter()
                .any(|f| f["framework"] == "cbam"),
            "{item}"
        );
    }
    assert!(!cbam_codes.iter().any(|c| c == "energy.renewable_share"));

    let english = app
        .call(Method::GET, &token, "/v1/metrics?q=Scope%201", None, 200)
        .await;
    assert!(codes(&english).iter().any(|c| c == "ghg.scope1"));
    let korean = app
        .call(
            Method::GET,
            &token,
            "/v1/metrics?q=%EB%B0%B0%EC%B6%9C",
            None,
            200,
        )
        .await; // 배출
    assert!(
        codes(&korean).iter().any(|c| c.starts_with("ghg.")),
        "{korean}"
    );

    let problem = expect_problem(
        app.get_as(&token, "/v1/metrics?framework=gri").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["framework"]);

    // Pages follow the code order.
    let first = app
        .call(Method::GET, &token, "/v1/metrics?limit=5", None, 200)
        .await;
    let second = app
        .call(
            Method::GET,
            &token,
            &format!(
                "/v1/metrics?limit=5&cursor={}",
                first["next_cursor"].as_str().expect("a cursor")
            ),
            None,
            200,
        )
        .await;
    assert!(codes(&first).last() < codes(&second).first());
}

#[tokio::test]
async fn an_organisation_defines_custom_metrics_for_its_own_use() {
    let app = TestApp::spawn().await;
    let org = app.signup("Hyundai Steel").await;
    let other = app.signup("Other").await;
    let body = json!({"code": "custom.paint_voc", "label_en": "VOC content of paint", "label_ko": "도료 VOC 함량",
        "kind": "quantity", "dimension": "mass"});
    let created = app
        .call(
            Method::POST,
            &org.admin.access_token,
            "/v1/metrics",
            Some(&body),
            201,
        )
        .await;
    assert_eq!(created["custom"], true);
    assert_eq!(created["canonical_unit"], "t");
    expect_problem(
        app.send_as(
            Method::POST,
            &org.admin.access_token,
            "/v1/metrics",
            Some(&body),
        )
        .await,
        409,
        "duplicate",
    )
    .await;

    let mine = app
        .call(
            Method::GET,
            &org.admin.access_token,
            "/v1/metrics?q=voc",
            None,
            200,
        )
        .await;
    assert_eq!(codes(&mine), ["custom.paint_voc"]);
    let theirs = app
        .call(
            Method::GET,
            &other.admin.access_token,
            "/v1/metrics?q=voc",
            None,
            200,
        )
        .await;
    assert!(codes(&theirs).is_empty(), "custom metrics are private");
    expect_problem(
        app.get_as(&other.admin.access_token, "/v1/metrics/custom.paint_voc")
            .await,
        404,
        "not_found",
    )
    .await;

    let bad = json!({"code": "paint", "label_en": "", "label_ko": "x", "kind": "quantity"});
    let problem = expect_problem(
        app.send_as(
            Method::POST,
            &org.admin.access_token,
            "/v1/metrics",
            Some(&bad),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["code", "label_en", "dimension"]);
}
