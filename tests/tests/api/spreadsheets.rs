//! CSV template, all-or-nothing import and export of answers.

use reqwest::Method;
use serde_json::json;
use tierlink_tests::{Requirement, Scenario, TestApp, expect_problem, problem_fields};

/// Hanbit received Hyundai Steel's requirement of two required items and
/// an optional one.
async fn setup() -> (Scenario, String) {
    let s = TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .publish(
            "Hyundai Steel",
            Requirement::new("FY2026").items(json!([
                {"metric": "ghg.scope1"},
                {"metric": "energy.total"},
                {"metric": "energy.renewable_share", "required": false}
            ])),
        )
        .build()
        .await;
    let request = s.request("Hanbit").to_owned();
    (s, request)
}

async fn import(app: &TestApp, token: &str, request: &str, csv: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/v1/requests/{request}/answer/import")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn the_template_lists_each_item_in_both_languages() {
    let (app, request) = setup().await;
    let supplier = app.org("Hanbit");
    let response = app
        .get_as(
            &supplier.admin.access_token,
            &format!("/v1/requests/{request}/answer/template.csv"),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/csv")
    );
    let text = response.text().await.expect("text");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "item_code,label_en,label_ko,required,expected_unit,accepted_units,value,unit,obtained,method,comment"
    );
    assert_eq!(lines.len(), 4);
    assert!(
        lines[1].starts_with("ghg.scope1,") && lines[1].contains(",true,tCO2e,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1]
            .chars()
            .any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)),
        "a Korean label: {}",
        lines[1]
    );
}

#[tokio::test]
async fn a_file_with_one_bad_row_imports_nothing_and_names_each_line() {
    let (app, request) = setup().await;
    let token = app.org("Hanbit").token();
    let csv = "item_code,label_en,label_ko,required,expected_unit,accepted_units,value,unit,obtained,method,comment\n\
               ghg.scope1,Scope 1,,true,tCO2e,,12.5,tCO2e,measured,GHG Protocol,\n\
               energy.total,Energy,,true,MWh,,40,kgCO2e,,,\n\
               energy.renewable_share,Renewables,,false,,,,,,,\n\
               water.withdrawal,Water,,false,m3,,5,m3,,,\n";
    let problem = expect_problem(
        import(&app, token, &request, csv).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        problem_fields(&problem),
        ["lines[3].unit", "lines[5].item_code"]
    );
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("line 3:")),
        "{problem}"
    );
    let answer = app
        .call(
            Method::GET,
            token,
            &format!("/v1/requests/{request}/answer"),
            None,
            200,
        )
        .await;
    assert_eq!(answer["draft"], json!([]), "nothing applied");

    let good = "item_code,value,unit,obtained\nghg.scope1,12.5,tCO2e,measured\nenergy.total,40000,kWh,calculated\nenergy.renewable_share,,,\n";
    let response = import(&app, token, &request, good).await;
    assert_eq!(response.status(), 200);
    let answer = app
        .call(
            Method::GET,
            token,
            &format!("/v1/requests/{request}/answer"),
            None,
            200,
        )
        .await;
    let draft = answer["draft"].as_array().expect("draft");
    assert_eq!(draft.len(), 2);
    assert_eq!(draft[0]["metric"], "energy.total");
    assert_eq!(draft[0]["canonical_value"], "40");

    let plain = app
        .client
        .post(app.url(&format!("/v1/requests/{request}/answer/import")))
        .bearer_auth(token)
        .body(good)
        .send()
        .await
        .expect("sent");
    expect_problem(plain, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn a_submitted_revision_exports_as_csv_for_both_sides() {
    let (app, request) = setup().await;
    let (large, supplier) = (app.org("Hyundai Steel"), app.org("Hanbit"));
    app.answer(
        supplier,
        &request,
        &json!({"entries": [
            {"metric": "ghg.scope1", "value": "0.000123456789", "unit": "kgCO2e"},
            {"metric": "energy.total", "value": "3.6", "unit": "GJ", "comment": "one site, \"main\""}
        ], "submit": true}),
    )
    .await;
    for token in [&supplier.admin.access_token, &large.admin.access_token] {
        let response = app
            .get_as(token, &format!("/v1/requests/{request}/answer/export.csv"))
            .await;
        assert_eq!(response.status(), 200);
        let text = response.text().await.expect("text");
        assert!(
            text.contains("ghg.scope1,0.000123456789,kgCO2e,0.000000123456789,tCO2e,measured"),
            "{text}"
        );
        assert!(text.contains("energy.total,3.6,GJ,1,MWh"), "{text}");
        assert!(
            text.contains("\"one site, \"\"main\"\"\""),
            "CSV quoting: {text}"
        );
    }
    let stranger = app.signup("Stranger").await;
    expect_problem(
        app.get_as(
            &stranger.admin.access_token,
            &format!("/v1/requests/{request}/answer/export.csv"),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.get_as(
            &stranger.admin.access_token,
            &format!("/v1/requests/{request}/answer/template.csv"),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

/// Generated SDKs send a file's bytes as `application/octet-stream`: the
/// import takes them like `text/csv`.
#[tokio::test]
async fn the_import_takes_the_file_as_bytes_too() {
    let (app, request) = setup().await;
    let token = app.org("Hanbit").token();
    let response = app
        .client
        .post(app.url(&format!("/v1/requests/{request}/answer/import")))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body("item_code,value,unit\nghg.scope1,12.5,tCO2e\n")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.expect("json");
    assert_eq!(answer["draft"][0]["metric"], "ghg.scope1");
}
