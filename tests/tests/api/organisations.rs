//! `/v1/organisations`: create, get, list.

use serde_json::{Value, json};
use tierlink_tests::{TestApp, expect_problem, problem_fields};

fn hanbit() -> Value {
    json!({
        "name": "Hanbit Precision",
        "country": "kr",
        "identifiers": [
            {"scheme": "kr_brn", "value": "124-81-00998"},
            {"scheme": "lei", "value": "hwupkr0mpou8fgxbt394"},
            {"scheme": "custom", "issuer": "acme-vendor-code", "value": "V-0042"}
        ]
    })
}

#[tokio::test]
async fn an_organisation_is_created_and_read_back() {
    let app = TestApp::spawn().await;
    let response = app.post_json("/v1/organisations", &hanbit()).await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let created: Value = response.json().await.expect("json");
    assert_eq!(created["name"], "Hanbit Precision");
    assert_eq!(created["country"], "KR");
    assert_eq!(
        created["identifiers"],
        json!([
            {"scheme": "kr_brn", "value": "1248100998"},
            {"scheme": "lei", "value": "HWUPKR0MPOU8FGXBT394"},
            {"scheme": "custom", "issuer": "acme-vendor-code", "value": "V-0042"}
        ])
    );
    let created_at = created["created_at"].as_str().expect("a timestamp");
    assert!(created_at.ends_with('Z'), "UTC with a zone: {created_at}");
    assert_eq!(
        location,
        format!("/v1/organisations/{}", created["id"].as_str().expect("id"))
    );

    let fetched = app.get(&location).await;
    assert_eq!(fetched.status(), 200);
    let fetched: Value = fetched.json().await.expect("json");
    assert_eq!(fetched, created);
}

#[tokio::test]
async fn invalid_fields_are_all_listed() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json(
            "/v1/organisations",
            &json!({
                "name": "  ",
                "country": "XX",
                "identifiers": [
                    {"scheme": "kr_brn", "value": "124-81-00997"},
                    {"scheme": "lei", "value": "HWUPKR0MPOU8FGXBT395"},
                    {"scheme": "custom", "value": "V-1"}
                ]
            }),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(
        problem_fields(&problem),
        [
            "name",
            "country",
            "identifiers[0].value",
            "identifiers[1].value",
            "identifiers[2].issuer"
        ]
    );
}

#[tokio::test]
async fn an_unknown_scheme_is_422_naming_it() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json("/v1/organisations", &json!({"name": "A", "country": "KR", "identifiers": [{"scheme": "duns", "value": "1"}]}))
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), ["identifiers[0].scheme"]);
}

#[tokio::test]
async fn unknown_fields_are_refused() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json(
            "/v1/organisations",
            &json!({"name": "A", "country": "KR", "colour": "red"}),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("colour")),
        "{problem}"
    );
}

#[tokio::test]
async fn a_duplicate_identifier_is_409_and_stores_nothing() {
    let app = TestApp::spawn().await;
    app.create_organisation(&hanbit()).await;
    let response = app
        .post_json(
            "/v1/organisations",
            &json!({
                "name": "Someone Else",
                "country": "KR",
                "identifiers": [
                    {"scheme": "kr_brn", "value": "220-81-62517"},
                    {"scheme": "kr_brn", "value": "1248100998"}
                ]
            }),
        )
        .await;
    let problem = expect_problem(response, 409, "duplicate").await;
    assert_eq!(problem_fields(&problem), ["identifiers[1].value"]);

    let list: Value = app
        .get("/v1/organisations")
        .await
        .json()
        .await
        .expect("json");
    let names: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["Hanbit Precision"],
        "the failed request left nothing behind"
    );
    // The other identifier of the failed request is still free.
    app.create_organisation(&json!({"name": "Naver", "country": "KR", "identifiers": [{"scheme": "kr_brn", "value": "2208162517"}]}))
        .await;
}

#[tokio::test]
async fn a_missing_organisation_is_404() {
    let app = TestApp::spawn().await;
    let problem = expect_problem(
        app.get("/v1/organisations/019abf4e-3c1d-7a52-9e3f-5c1b2a3d4e5f")
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(problem["detail"], "no such organisation");
}

#[tokio::test]
async fn lists_are_paginated_with_a_cursor_and_a_link_header() {
    let app = TestApp::spawn().await;
    let mut expected = Vec::new();
    for n in 0..5 {
        let org = app
            .create_organisation(&json!({"name": format!("Supplier {n}"), "country": "KR"}))
            .await;
        expected.push(org["id"].as_str().expect("id").to_owned());
    }

    let mut seen = Vec::new();
    let mut next = Some(app.url("/v1/organisations?limit=2"));
    let mut pages = 0;
    while let Some(url) = next.take() {
        let response = app.client.get(&url).send().await.expect("sent");
        assert_eq!(response.status(), 200);
        let link = response
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let page: Value = response.json().await.expect("json");
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|o| o["id"].as_str().expect("id").to_owned()),
        );
        assert_eq!(
            page["next_cursor"].is_string(),
            link.is_some(),
            "body and header agree"
        );
        if let Some(link) = link {
            assert!(link.ends_with("; rel=\"next\""), "{link}");
            assert!(link.contains("limit=2"), "keeps the limit: {link}");
            next = Some(
                link.trim_start_matches('<')
                    .split('>')
                    .next()
                    .expect("a URL")
                    .to_owned(),
            );
        }
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected, "every organisation once, oldest first");
}
