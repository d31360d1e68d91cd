//! Requirements, requests and the cascade down the chain.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{Scenario, TestApp, TestOrg, expect_problem, problem_fields};

fn requirement(audience: Value, cascade_depth: u8) -> Value {
    json!({
        "title": "FY2026 supplier carbon data",
        "description": "For our CSRD report.",
        "period": {"start": "2026-01-01", "end": "2026-12-31"},
        "due_date": "2099-02-28",
        "items": [
            {"metric": "ghg.scope1"},
            {"metric": "ghg.scope2.market", "estimates_accepted": true},
            {"metric": "energy.total", "required": false, "guidance": "MWh, all sites"}
        ],
        "audience": audience,
        "cascade_depth": cascade_depth
    })
}

/// A large firm, two tier-1s and a tier-2 below the first.
async fn chain() -> Scenario {
    TestApp::builder()
        .supplier("Hyundai Steel", "Hanbit")
        .supplier("Hyundai Steel", "Seoul Bolts")
        .supplier("Hanbit", "Daehan Casting")
        .build()
        .await
}

/// The roles of the chain's organisations, by name.
const LARGE: &str = "Hyundai Steel";
const TIER1: &str = "Hanbit";
const OTHER_TIER1: &str = "Seoul Bolts";
const TIER2: &str = "Daehan Casting";

/// The large firm creates and publishes `body`; the published requirement.
async fn create_and_publish(c: &Scenario, body: &Value) -> Value {
    let token = c.org(LARGE).token();
    let created = c
        .call(Method::POST, token, "/v1/requirements", Some(body), 201)
        .await;
    let id = created["id"].as_str().expect("id");
    c.call(
        Method::POST,
        token,
        &format!("/v1/requirements/{id}/publish"),
        None,
        200,
    )
    .await
}

#[tokio::test]
async fn a_requirement_travels_from_the_large_firm_to_tier_2_and_progress_comes_back() {
    let c = chain().await;
    let [large, tier1, other_tier1, tier2] = c.orgs([LARGE, TIER1, OTHER_TIER1, TIER2]);
    let app = &c.app;
    let published =
        create_and_publish(&c, &requirement(json!({"all_active_suppliers": true}), 2)).await;
    assert_eq!(published["status"], "published");
    assert_eq!(
        published["allowed_actions"],
        json!(["amend", "close", "cancel"])
    );
    let requirement_id = published["id"].as_str().expect("id").to_owned();

    // Each tier-1 got one request; the tier-2 nothing yet.
    let received = app.requests_of(tier1).await;
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request["customer"]["name"], "Hyundai Steel");
    assert_eq!(request["tier"], 1);
    assert_eq!(request["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(request["forwardable"], true);
    assert_eq!(app.requests_of(other_tier1).await.len(), 1);
    assert!(app.requests_of(tier2).await.is_empty());

    // The tier-1 forwards Scope 1 only to its supplier.
    let request_id = request["id"].as_str().expect("id").to_owned();
    let forwarded = app
        .call(
            Method::POST,
            &tier1.admin.access_token,
            &format!("/v1/requests/{request_id}/forward"),
            Some(&json!({"suppliers": [tier2.id], "metrics": ["ghg.scope1"], "message": "Scope 1 for 2026, please"})),
            201,
        )
        .await;
    assert_eq!(forwarded.as_array().map(Vec::len), Some(1));

    // The tier-2 sees a request from the tier-1, with the forwarded item only.
    let at_tier2 = app.requests_of(tier2).await;
    assert_eq!(at_tier2.len(), 1);
    assert_eq!(at_tier2[0]["customer"]["name"], "Hanbit");
    assert_eq!(at_tier2[0]["tier"], 2);
    assert_eq!(at_tier2[0]["message"], "Scope 1 for 2026, please");
    assert_eq!(
        at_tier2[0]["items"],
        json!([{"metric": "ghg.scope1", "required": true, "estimates_accepted": false}])
    );
    assert_eq!(
        at_tier2[0]["forwardable"], false,
        "depth 2 is the end of the cascade"
    );
    assert!(
        !at_tier2[0].to_string().contains("Hyundai"),
        "the large firm stays out of sight: {}",
        at_tier2[0]
    );

    // The tier-2 declines; the large firm sees counts under the tier-1.
    let tier2_request = at_tier2[0]["id"].as_str().expect("id");
    app.call(
        Method::POST,
        &tier2.admin.access_token,
        &format!("/v1/requests/{tier2_request}/decline"),
        Some(&json!({"reason": "No longer produced"})),
        200,
    )
    .await;
    let progress = app
        .call(
            Method::GET,
            &large.admin.access_token,
            &format!("/v1/requirements/{requirement_id}/requests"),
            None,
            200,
        )
        .await;
    let rows = progress["items"].as_array().expect("items");
    assert_eq!(rows.len(), 2);
    let hanbit = rows
        .iter()
        .find(|r| r["supplier"]["name"] == "Hanbit")
        .expect("Hanbit's request");
    assert_eq!(
        hanbit["status"], "in_progress",
        "forwarding starts the work"
    );
    assert_eq!(
        hanbit["tier2"],
        json!({"total": 1, "by_status": {"declined": 1}})
    );
    let seoul = rows
        .iter()
        .find(|r| r["supplier"]["name"] == "Seoul Bolts")
        .expect("Seoul's request");
    assert_eq!(seoul["status"], "open");
    assert_eq!(seoul["tier2"]["total"], 0);
    assert!(
        !progress.to_string().contains("Daehan"),
        "tier-2 names are not shown"
    );
}

#[tokio::test]
async fn bad_requirements_are_refused_naming_each_field() {
    let c = chain().await;
    let [large, tier1] = c.orgs([LARGE, TIER1]);
    let token = &large.admin.access_token;
    let outsider = c.app.signup("Outsider").await;
    let mut body = requirement(json!({"suppliers": [tier1.id, outsider.id]}), 1);
    body["items"] = json!([{"metric": "ghg.scope1"}, {"metric": "ghg.scope99"}]);
    body["period"] = json!({"start": "2026-01-01", "end": "2025-12-31"});
    let problem = expect_problem(
        c.app
            .send_as(Method::POST, token, "/v1/requirements", Some(&body))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["period.end", "items[1].metric"]);

    let mut body = requirement(json!({"suppliers": [tier1.id]}), 1);
    body["due_date"] = json!("2025-12-01");
    let problem = expect_problem(
        c.app
            .send_as(Method::POST, token, "/v1/requirements", Some(&body))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["due_date"]);
    assert_eq!(problem["errors"][0]["code"], "before_period");

    body["period"] = json!({"start": "2020-01-01", "end": "2020-12-31"});
    body["due_date"] = json!("2021-02-01");
    let problem = expect_problem(
        c.app
            .send_as(Method::POST, token, "/v1/requirements", Some(&body))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "in_the_past");

    let body = requirement(json!({"suppliers": [tier1.id, outsider.id]}), 1);
    let problem = expect_problem(
        c.app
            .send_as(Method::POST, token, "/v1/requirements", Some(&body))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["audience.suppliers[1]"]);

    let body = requirement(json!({"suppliers": [tier1.id]}), 3);
    let problem = expect_problem(
        c.app
            .send_as(Method::POST, token, "/v1/requirements", Some(&body))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["cascade_depth"]);

    let list = c
        .app
        .call(Method::GET, token, "/v1/requirements", None, 200)
        .await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(0),
        "nothing was stored"
    );
}

#[tokio::test]
async fn the_lifecycle_is_enforced_and_drafts_need_if_match() {
    let c = chain().await;
    let [large, tier1, tier2] = c.orgs([LARGE, TIER1, TIER2]);
    let app = &c.app;
    let token = &large.admin.access_token;
    let body = requirement(json!({"suppliers": [tier1.id]}), 2);
    let response = app
        .send_as(Method::POST, token, "/v1/requirements", Some(&body))
        .await;
    let etag = response.headers()["etag"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let created: Value = response.json().await.expect("json");
    let id = created["id"].as_str().expect("id");
    let path = format!("/v1/requirements/{id}");
    assert_eq!(created["status"], "draft");

    // Edit a draft: If-Match required, and must be current.
    let mut edited = body.clone();
    edited["title"] = json!("FY2026 carbon data (v2)");
    expect_problem(
        app.send_as(Method::PUT, token, &path, Some(&edited)).await,
        428,
        "if_match_required",
    )
    .await;
    let stale = app
        .send_if_match(Method::PUT, token, &path, "\"999\"", &edited)
        .await;
    expect_problem(stale, 412, "stale_revision").await;
    let ok = app
        .send_if_match(Method::PUT, token, &path, &etag, &edited)
        .await;
    assert_eq!(ok.status(), 200);
    let new_etag = ok.headers()["etag"].to_str().expect("ascii").to_owned();
    assert_ne!(new_etag, etag);
    assert_eq!(app.etag(token, &path).await, new_etag);

    // Publish, then the draft rules no longer apply.
    app.call(Method::POST, token, &format!("{path}/publish"), None, 200)
        .await;
    let again = app
        .send_as(Method::POST, token, &format!("{path}/publish"), None)
        .await;
    let problem = expect_problem(again, 409, "illegal_transition").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("amend, close, cancel")),
        "{problem}"
    );
    let current = app.etag(token, &path).await;
    let edit = app
        .send_if_match(Method::PUT, token, &path, &current, &edited)
        .await;
    expect_problem(edit, 409, "illegal_transition").await;

    // Amend: a new version; the supplier sees what changed, and its
    // request's ETag moves, as does that of the request it forwarded
    // (writes that reuse a request read earlier, such as bulk answers,
    // rely on that).
    let request_id = app.requests_of(tier1).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.forward(
        tier1,
        &request_id,
        &json!({"suppliers": [tier2.id], "metrics": ["ghg.scope1", "ghg.scope2.market"]}),
    )
    .await;
    let forwarded_id = app.requests_of(tier2).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let etag_of =
        async |org: &TestOrg, id: &str| app.etag(org.token(), &format!("/v1/requests/{id}")).await;
    let request_etag = etag_of(tier1, &request_id).await;
    let forwarded_etag = etag_of(tier2, &forwarded_id).await;
    let mut amended = edited.clone();
    amended["due_date"] = json!("2099-03-31");
    amended["items"] = json!([{"metric": "ghg.scope1"}]);
    let response = app
        .send_if_match(
            Method::POST,
            token,
            &format!("{path}/amendments"),
            &current,
            &json!({"note": "Scope 2 moves to next year", "content": amended}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let amended: Value = response.json().await.expect("json");
    assert_eq!(amended["version"], 2);
    let received = app.requests_of(tier1).await;
    let request = app
        .call(
            Method::GET,
            &tier1.admin.access_token,
            &format!("/v1/requests/{}", received[0]["id"].as_str().expect("id")),
            None,
            200,
        )
        .await;
    assert_eq!(request["requirement_version"], 2);
    assert_ne!(etag_of(tier1, &request_id).await, request_etag);
    let forwarded = app
        .call(
            Method::GET,
            &tier2.admin.access_token,
            &format!("/v1/requests/{forwarded_id}"),
            None,
            200,
        )
        .await;
    assert_eq!(
        forwarded["items"],
        json!([{"metric": "ghg.scope1", "required": true, "estimates_accepted": false}]),
        "the item the amendment dropped is gone from the forwarded request too"
    );
    assert_ne!(etag_of(tier2, &forwarded_id).await, forwarded_etag);
    assert_eq!(request["due_date"], "2099-03-31");
    assert_eq!(request["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        request["amendments"][0]["changes"],
        json!(["due_date", "items"])
    );
    assert_eq!(
        request["amendments"][0]["note"],
        "Scope 2 moves to next year"
    );

    let mut period_change = amended_body(&edited);
    period_change["content"]["period"] = json!({"start": "2026-01-01", "end": "2026-06-30"});
    let etag = app.etag(token, &path).await;
    let response = app
        .send_if_match(
            Method::POST,
            token,
            &format!("{path}/amendments"),
            &etag,
            &period_change,
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), ["period"]);

    // Close: pending requests close with it; closed is final.
    app.call(Method::POST, token, &format!("{path}/close"), None, 200)
        .await;
    assert_eq!(app.requests_of(tier1).await[0]["status"], "closed");
    expect_problem(
        app.send_as(Method::POST, token, &format!("{path}/cancel"), None)
            .await,
        409,
        "illegal_transition",
    )
    .await;
    let versions = app
        .call(Method::GET, token, &format!("{path}/versions"), None, 200)
        .await;
    assert_eq!(versions.as_array().map(Vec::len), Some(1));
}

fn amended_body(content: &Value) -> Value {
    json!({"note": "", "content": content})
}

#[tokio::test]
async fn a_viewer_cannot_write_requirements_and_a_client_needs_the_scope() {
    let c = chain().await;
    let large = c.org(LARGE);
    let viewer = c
        .app
        .add_user(&large.admin, "viewer@hyundaisteel.example", "viewer")
        .await;
    let body = requirement(json!({"all_active_suppliers": true}), 1);
    expect_problem(
        c.app
            .send_as(
                Method::POST,
                &viewer.access_token,
                "/v1/requirements",
                Some(&body),
            )
            .await,
        403,
        "forbidden",
    )
    .await;
    c.app
        .call(
            Method::GET,
            &viewer.access_token,
            "/v1/requirements",
            None,
            200,
        )
        .await;

    let reader = c.app.add_client(&large.admin, &["requirements:read"]).await;
    expect_problem(
        c.app
            .send_as(
                Method::POST,
                &reader.access_token,
                "/v1/requirements",
                Some(&body),
            )
            .await,
        403,
        "forbidden",
    )
    .await;
    let responder = c.app.add_client(&large.admin, &["responses:read"]).await;
    expect_problem(
        c.app
            .get_as(&responder.access_token, "/v1/requirements")
            .await,
        403,
        "forbidden",
    )
    .await;
    let writer = c
        .app
        .add_client(&large.admin, &["requirements:write"])
        .await;
    c.app
        .call(
            Method::POST,
            &writer.access_token,
            "/v1/requirements",
            Some(&body),
            201,
        )
        .await;

    let created = c
        .app
        .call(
            Method::POST,
            &large.admin.access_token,
            "/v1/requirements",
            Some(&body),
            201,
        )
        .await;
    let publish = format!(
        "/v1/requirements/{}/publish",
        created["id"].as_str().expect("id")
    );
    expect_problem(
        c.app
            .send_as(Method::POST, &viewer.access_token, &publish, None)
            .await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn idempotent_retries_create_nothing_twice() {
    let c = chain().await;
    let [large, tier1, other_tier1, tier2] = c.orgs([LARGE, TIER1, OTHER_TIER1, TIER2]);
    let app = &c.app;
    let token = &large.admin.access_token;
    let body = requirement(json!({"all_active_suppliers": true}), 2);
    let send = |key: &'static str, body: Value| {
        let request = app
            .client
            .post(app.url("/v1/requirements"))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(&body);
        async move { request.send().await.expect("sent") }
    };
    let first = send("erp-batch-0001", body.clone()).await;
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let first: Value = first.json().await.expect("json");
    let retry = send("erp-batch-0001", body.clone()).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(
        retry.headers()["location"].to_str().expect("ascii"),
        location
    );
    let retry: Value = retry.json().await.expect("json");
    assert_eq!(retry, first);

    let mut other = body.clone();
    other["title"] = json!("Something else");
    let problem = expect_problem(
        send("erp-batch-0001", other).await,
        409,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["Idempotency-Key"]);

    let list = app
        .call(Method::GET, token, "/v1/requirements", None, 200)
        .await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(1),
        "one requirement despite three calls"
    );

    // Forwarding with a key is idempotent too.
    let id = first["id"].as_str().expect("id");
    for attempt in 0..2 {
        let response = app
            .client
            .post(app.url(&format!("/v1/requirements/{id}/publish")))
            .bearer_auth(token)
            .header("idempotency-key", "publish-1")
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200, "publish attempt {attempt}");
        assert_eq!(
            response.headers().contains_key("idempotent-replayed"),
            attempt == 1
        );
    }
    assert_eq!(
        app.requests_of(other_tier1).await.len(),
        1,
        "one request per supplier despite the retry"
    );
    let request_id = app.requests_of(tier1).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for _ in 0..2 {
        let response = app
            .client
            .post(app.url(&format!("/v1/requests/{request_id}/forward")))
            .bearer_auth(&tier1.admin.access_token)
            .header("idempotency-key", "fwd-1")
            .json(&json!({"suppliers": [tier2.id]}))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 201);
    }
    assert_eq!(app.requests_of(tier2).await.len(), 1);
}

#[tokio::test]
async fn forwarding_is_limited_to_own_suppliers_items_and_the_cascade_depth() {
    let c = chain().await;
    let [tier1, other_tier1, tier2] = c.orgs([TIER1, OTHER_TIER1, TIER2]);
    let app = &c.app;
    create_and_publish(&c, &requirement(json!({"suppliers": [tier1.id]}), 1)).await;
    let request_id = app.requests_of(tier1).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let forward = format!("/v1/requests/{request_id}/forward");
    let token = &tier1.admin.access_token;

    let response = app
        .send_as(
            Method::POST,
            token,
            &forward,
            Some(&json!({"suppliers": [tier2.id]})),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "beyond_cascade_depth");

    create_and_publish(&c, &requirement(json!({"suppliers": [tier1.id]}), 2)).await;
    let request_id = app.requests_of(tier1).await[1]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let forward = format!("/v1/requests/{request_id}/forward");
    let response = app
        .send_as(
            Method::POST,
            token,
            &forward,
            Some(&json!({"suppliers": [other_tier1.id]})),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), ["suppliers[0]"]);
    let response = app
        .send_as(
            Method::POST,
            token,
            &forward,
            Some(&json!({"suppliers": [tier2.id], "metrics": ["water.withdrawal"]})),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), ["metrics[0]"]);
    app.call(
        Method::POST,
        token,
        &forward,
        Some(&json!({"suppliers": [tier2.id]})),
        201,
    )
    .await;
    let again = app
        .send_as(
            Method::POST,
            token,
            &forward,
            Some(&json!({"suppliers": [tier2.id]})),
        )
        .await;
    expect_problem(again, 409, "duplicate").await;

    // The tier-2 cannot forward further.
    let tier2_request = app.requests_of(tier2).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let response = app
        .send_as(
            Method::POST,
            &tier2.admin.access_token,
            &format!("/v1/requests/{tier2_request}/forward"),
            Some(&json!({"suppliers": [tier1.id]})),
        )
        .await;
    expect_problem(response, 422, "validation_failed").await;
}

#[tokio::test]
async fn suppliers_filter_their_requests_and_see_overdue_ones() {
    let c = chain().await;
    let [large, tier1, tier2] = c.orgs([LARGE, TIER1, TIER2]);
    let app = &c.app;
    let first = create_and_publish(&c, &requirement(json!({"suppliers": [tier1.id]}), 1)).await;
    create_and_publish(&c, &requirement(json!({"suppliers": [tier1.id]}), 1)).await;
    app.execute_sql(&format!(
        "UPDATE requests SET due_date = '2020-01-31' WHERE requirement_id = '{}'",
        first["id"].as_str().expect("id")
    ));
    let token = &tier1.admin.access_token;

    let overdue = app
        .call(Method::GET, token, "/v1/requests?overdue=true", None, 200)
        .await;
    assert_eq!(overdue["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(overdue["items"][0]["overdue"], true);
    let on_time = app
        .call(Method::GET, token, "/v1/requests?overdue=false", None, 200)
        .await;
    assert_eq!(on_time["items"][0]["overdue"], false);

    let by_customer = app
        .call(
            Method::GET,
            token,
            &format!("/v1/requests?customer={}", large.id),
            None,
            200,
        )
        .await;
    assert_eq!(by_customer["items"].as_array().map(Vec::len), Some(2));
    let nobody = app
        .call(
            Method::GET,
            token,
            &format!("/v1/requests?customer={}", tier2.id),
            None,
            200,
        )
        .await;
    assert_eq!(nobody["items"].as_array().map(Vec::len), Some(0));
    let due = app
        .call(
            Method::GET,
            token,
            "/v1/requests?due_before=2021-01-01",
            None,
            200,
        )
        .await;
    assert_eq!(due["items"].as_array().map(Vec::len), Some(1));

    let id = overdue["items"][0]["id"].as_str().expect("id");
    let empty_reason = app
        .send_as(
            Method::POST,
            token,
            &format!("/v1/requests/{id}/decline"),
            Some(&json!({"reason": " "})),
        )
        .await;
    let problem = expect_problem(empty_reason, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), ["reason"]);
    app.call(
        Method::POST,
        token,
        &format!("/v1/requests/{id}/decline"),
        Some(&json!({"reason": "Plant closed"})),
        200,
    )
    .await;
    let declined = app
        .call(
            Method::GET,
            token,
            "/v1/requests?status=declined",
            None,
            200,
        )
        .await;
    assert_eq!(declined["items"][0]["decline_reason"], "Plant closed");
    assert_eq!(declined["items"][0]["overdue"], false);
    let again = app
        .send_as(
            Method::POST,
            token,
            &format!("/v1/requests/{id}/decline"),
            Some(&json!({"reason": "Again"})),
        )
        .await;
    expect_problem(again, 409, "illegal_transition").await;
    let problem = expect_problem(
        app.get_as(token, "/v1/requests?status=lost").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["status"]);
}
