//! `GET /v1/audit-events`: the audit trail, for admins. Built from the
//! event records: who did what, for which organisation, and the request id
//! of the call that did it; filtered, paginated, and never carrying a
//! secret.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{Requirement, Scenario, TestApp, TestOrg, expect_problem};

async fn trail(s: &Scenario, org: &TestOrg, query: &str) -> Value {
    s.call(
        Method::GET,
        org.token(),
        &format!("/v1/audit-events{query}"),
        None,
        200,
    )
    .await
}

fn types(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|record| record["event"]["type"].as_str().expect("type").to_owned())
        .collect()
}

async fn answered() -> Scenario {
    TestApp::builder()
        .org("Acme")
        .org("Kim")
        .org("Stranger")
        .supplier("Acme", "Kim")
        .publish("Acme", Requirement::new("FY2026 carbon"))
        .build()
        .await
}

/// Kim's answer, sent with the ERP's own request id.
async fn submit(s: &Scenario, request_id: &str) {
    let kim = s.org("Kim");
    let response = s
        .client
        .put(s.url(&format!("/v1/requests/{}/answer", s.request("Kim"))))
        .bearer_auth(kim.token())
        .header("X-Request-Id", request_id)
        .json(&json!({"submit": true, "entries": [
            {"metric": "ghg.scope1", "value": "12.5", "unit": "tCO2e"}]}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], request_id);
}

#[tokio::test]
async fn each_change_names_its_actor_organisation_and_the_call_that_made_it() {
    let s = answered().await;
    let [acme, kim] = s.orgs(["Acme", "Kim"]);
    submit(&s, "erp-batch-42").await;

    // The customer's admin: the submission was addressed to Acme, made by Kim.
    let page = trail(&s, acme, "?types=answer.submitted").await;
    assert_eq!(types(&page), ["answer.submitted"]);
    let record = &page["items"][0];
    assert_eq!(record["request_id"], "erp-batch-42");
    assert_eq!(record["audience"], acme.id.as_str());
    assert_eq!(record["actor_organisation"], kim.id.as_str());
    assert_eq!(record["event"]["actor"], format!("user:{}", kim.admin.id));
    assert_eq!(
        record["event"]["resource"],
        json!({"type": "request", "id": s.request("Kim")})
    );

    // The supplier's admin sees what its own people did, though it was
    // addressed to the customer, and what the customer did to it.
    let kims = trail(&s, kim, "").await;
    let kim_types = types(&kims);
    assert!(kim_types.contains(&"answer.submitted".to_owned()), "{kims}");
    assert!(kim_types.contains(&"request.received".to_owned()), "{kims}");
    let received = kims["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|record| record["event"]["type"] == "request.received")
        .expect("request.received");
    assert_eq!(received["actor_organisation"], acme.id.as_str());
    assert!(
        received["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{received}"
    );

    // Newest first.
    let all = trail(&s, acme, "").await;
    assert_eq!(
        types(&all).first().map(String::as_str),
        Some("answer.submitted")
    );
}

#[tokio::test]
async fn filters_narrow_the_trail_and_pages_neither_skip_nor_repeat() {
    let s = answered().await;
    let [acme, kim] = s.orgs(["Acme", "Kim"]);
    submit(&s, "erp-1").await;
    s.accept_revision(acme, s.request("Kim"), 1).await;

    let everything = trail(&s, acme, "?limit=200").await;
    let all: Vec<String> = everything["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|record| record["event"]["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(all.len() >= 4, "{everything}");

    let mut paged = Vec::new();
    let mut query = "?limit=1".to_owned();
    loop {
        let page = trail(&s, acme, &query).await;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 1);
        paged.extend(
            items
                .iter()
                .map(|record| record["event"]["id"].as_str().expect("id").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged, all);

    let about_request = trail(
        &s,
        acme,
        &format!("?resource_type=request&resource_id={}", s.request("Kim")),
    )
    .await;
    let request_types: BTreeSet<String> = types(&about_request).into_iter().collect();
    assert!(
        request_types.contains("answer.submitted"),
        "{about_request}"
    );
    assert!(
        !request_types.contains("requirement.published"),
        "{about_request}"
    );

    let by_kim = trail(&s, acme, &format!("?actor=user:{}", kim.admin.id)).await;
    // Kim's admin accepted Acme's invitation, then submitted.
    assert_eq!(types(&by_kim), ["answer.submitted", "invitation.accepted"]);
    let by_acme = trail(&s, acme, &format!("?actor=user:{}", acme.admin.id)).await;
    assert!(!types(&by_acme).contains(&"answer.submitted".to_owned()));
    assert!(types(&by_acme).contains(&"answer.accepted".to_owned()));

    let later = trail(&s, acme, "?since=2999-01-01T00:00:00Z").await;
    assert_eq!(types(&later), Vec::<String>::new());
    let earlier = trail(&s, acme, "?until=2000-01-01T00:00:00Z").await;
    assert_eq!(types(&earlier), Vec::<String>::new());
    let between = trail(
        &s,
        acme,
        "?since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z&limit=200",
    )
    .await;
    assert_eq!(between["items"].as_array().map(Vec::len), Some(all.len()));
}

#[tokio::test]
async fn another_organisation_sees_nothing_and_only_admins_read_it() {
    let s = answered().await;
    let [acme, stranger] = s.orgs(["Acme", "Stranger"]);
    submit(&s, "erp-2").await;

    let strangers = trail(&s, stranger, "?limit=200").await;
    assert_eq!(types(&strangers), Vec::<String>::new());
    let probe = trail(
        &s,
        stranger,
        &format!("?resource_type=request&resource_id={}", s.request("Kim")),
    )
    .await;
    assert_eq!(types(&probe), Vec::<String>::new());

    let editor = s
        .add_user(&acme.admin, "editor@acme.example", "editor")
        .await;
    let response = s
        .send_as(Method::GET, &editor.access_token, "/v1/audit-events", None)
        .await;
    expect_problem(response, 403, "forbidden").await;
    let client = s
        .add_client(&acme.admin, &["requirements:read", "responses:read"])
        .await;
    let response = s
        .send_as(Method::GET, &client.access_token, "/v1/audit-events", None)
        .await;
    expect_problem(response, 403, "forbidden").await;
    let response = s.get("/v1/audit-events").await;
    expect_problem(response, 401, "unauthorized").await;

    // Read-only: nothing writes to it through the API.
    for method in [Method::POST, Method::DELETE, Method::PATCH] {
        let response = s
            .send_as(method.clone(), acme.token(), "/v1/audit-events", None)
            .await;
        assert_eq!(response.status(), 405, "{method}");
    }
}

#[tokio::test]
async fn no_secret_reaches_the_trail() {
    let s = answered().await;
    let acme = s.org("Acme");
    let hook = s
        .call(
            Method::POST,
            acme.token(),
            "/v1/webhooks",
            Some(&json!({"url": "https://erp.acme.example/hooks"})),
            201,
        )
        .await;
    let secret = hook["secret"].as_str().expect("a secret").to_owned();
    let rotated = s
        .call(
            Method::POST,
            acme.token(),
            &format!(
                "/v1/webhooks/{}/rotate-secret",
                hook["id"].as_str().expect("id")
            ),
            None,
            200,
        )
        .await;
    let client = s.add_client(&acme.admin, &["requirements:read"]).await;
    submit(&s, "erp-3").await;
    let text = trail(&s, acme, "?limit=200").await.to_string();
    assert!(!text.contains("whsec_"), "{text}");
    assert!(!text.contains(&secret));
    assert!(!text.contains(rotated["secret"].as_str().expect("a secret")));
    assert!(!text.contains(&client.secret), "{text}");
    assert!(!text.contains(tierlink_tests::PASSWORD), "{text}");
}

#[tokio::test]
async fn a_bad_filter_is_a_400_naming_it() {
    let s = answered().await;
    let acme = s.org("Acme");
    for (query, field) in [
        ("?resource_type=invoice", "resource_type"),
        ("?resource_id=nope", "resource_id"),
        ("?actor=bob", "actor"),
        ("?actor=user:nope", "actor"),
        ("?types=answer.deleted", "types"),
        ("?since=yesterday", "since"),
        ("?until=2026-13-01", "until"),
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?cursor=zzz", "cursor"),
        ("?colour=red", "colour"),
    ] {
        let response = s
            .send_as(
                Method::GET,
                acme.token(),
                &format!("/v1/audit-events{query}"),
                None,
            )
            .await;
        let problem = expect_problem(response, 400, "invalid_parameter").await;
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
    }
}
