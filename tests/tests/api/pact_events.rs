//! PACT Action Events (`POST /3/events`) and `/v1/pact-hosts`, through the
//! conformance service's cases: a request fulfilled (TC12, 13) and one
//! rejected (TC14) by asynchronous events to the customer's PACT host (a
//! local receiver playing the conformance service), a published event
//! (TC15) and a malformed one (TC40), a bad token (TC16), and every other
//! way an event can be wrong.

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::pact::{PactChain, pact_schema_errors};
use tierlink_tests::receiver::{Receiver, local_deliveries};
use tierlink_tests::{Scenario, TestApp, expect_problem};

const CREATED: &str = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3";
const PUBLISHED: &str = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3";

fn event(kind: &str, id: &str, source: &str, data: Value) -> Value {
    json!({"specversion": "1.0", "id": id, "source": source,
        "time": "2026-12-06T09:00:00.000Z", "type": kind, "data": data})
}

/// POSTs a CloudEvent; status and body text.
async fn send_event(app: &TestApp, token: &str, body: &str) -> (u16, String) {
    let response = app
        .client
        .post(app.url("/3/events"))
        .bearer_auth(token)
        .header(
            "content-type",
            "application/cloudevents+json; charset=UTF-8",
        )
        .body(body.to_owned())
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

async fn register_host(app: &TestApp, token: &str, receiver: &Receiver) -> Value {
    app.call(
        Method::POST,
        token,
        "/v1/pact-hosts",
        Some(
            &json!({"base_url": receiver.base, "client_id": "test_client_id",
            "client_secret": "test_client_secret"}),
        ),
        201,
    )
    .await
}

/// Hyundai buys steel from Kim (part `HMC-STEEL`, no footprint yet), from
/// `others` too, and answers go to its PACT host `receiver`. The scenario,
/// Kim's product id and the part's PACT product id.
async fn kim_sells_steel(receiver: &Receiver, others: &[&str]) -> (Scenario, String, String) {
    let mut builder = TestApp::builder()
        .settings(local_deliveries)
        .supplier("Hyundai", "Kim");
    for other in others {
        builder = builder.supplier("Hyundai", other);
    }
    let s = builder.build().await;
    let (hyundai, kim) = (s.org("Hyundai"), s.org("Kim"));
    let steel =
        tierlink_tests::pact::add_product(&s, kim.token(), "STEEL", "41231", &hyundai.id).await;
    register_host(&s, hyundai.token(), receiver).await;
    let part = format!("urn:pact:tierlink.local:buyer-id:{}:HMC-STEEL", hyundai.id);
    (s, steel, part)
}

#[tokio::test]
async fn tc12_13_a_request_is_fulfilled_at_the_customers_pact_host() {
    let mut receiver = Receiver::start(&[]).await;
    let chain = PactChain::build().await;
    let app = &chain.scenario;
    let client = chain.pact_client("Hyundai").await;
    register_host(app, app.org("Hyundai").token(), &receiver).await;
    let list = app
        .call(
            Method::GET,
            &client.access_token,
            "/3/footprints",
            None,
            200,
        )
        .await;
    let product_ids = list["data"][0]["productIds"].clone();
    let request = event(
        CREATED,
        "run-1/13",
        &receiver.base,
        json!({"productId": product_ids, "comment": "Please send PCF data for this year."}),
    );
    let (status, body) = send_event(app, &client.access_token, &request.to_string()).await;
    assert_eq!((status, body.as_str()), (200, ""));
    let got = receiver.wait_for(1).await;
    let answer = &got[0];
    assert_eq!(answer.path, "/3/events");
    assert_eq!(answer.header("authorization"), "Bearer harness-token");
    assert!(
        answer
            .header("content-type")
            .starts_with("application/cloudevents+json")
    );
    let answer = answer.json();
    assert_eq!(
        pact_schema_errors("PactRequestFulfilledEvent", &answer),
        Vec::<String>::new()
    );
    assert_eq!(
        answer["type"],
        "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
    );
    assert_eq!(answer["data"]["requestEventId"], "run-1/13");
    let pfs = answer["data"]["pfs"].as_array().expect("pfs");
    assert_eq!(pfs.len(), 1, "only the footprint of the products asked for");
    assert_eq!(pfs[0], list["data"][0]);
    for id in pfs[0]["productIds"].as_array().expect("productIds") {
        assert!(product_ids.as_array().expect("ids").contains(id));
    }
    // The host's delivery log shows it; an answer can be sent again.
    let hyundai = app.org("Hyundai");
    let hosts = app
        .call(Method::GET, hyundai.token(), "/v1/pact-hosts", None, 200)
        .await;
    let host = hosts["items"][0]["id"].as_str().expect("a host").to_owned();
    let log = app
        .wait_until(
            "Hyundai",
            &format!("/v1/pact-hosts/{host}/deliveries"),
            |log| log["items"][0]["status"] == "succeeded",
        )
        .await;
    assert_eq!(
        log["items"][0]["event_type"],
        "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
    );
    let delivery = log["items"][0]["id"].as_str().expect("a delivery");
    let path = format!("/v1/pact-hosts/{host}/deliveries/{delivery}/redeliver");
    app.call(Method::POST, hyundai.token(), &path, None, 202)
        .await;
    let again = receiver.wait_for(2).await;
    assert_eq!(again[1].body, again[0].body, "the same event, id and all");
    // Not through the webhook routes, and not for anyone else.
    expect_problem(
        app.get_as(hyundai.token(), &format!("/v1/webhooks/{host}/deliveries"))
            .await,
        404,
        "not_found",
    )
    .await;
    let stranger = app.signup("Daehan").await;
    expect_problem(
        app.get_as(
            stranger.token(),
            &format!("/v1/pact-hosts/{host}/deliveries"),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.send_as(Method::POST, stranger.token(), &path, None)
            .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn the_hosts_token_is_asked_for_with_form_encoded_credentials() {
    let mut receiver = Receiver::start(&[]).await;
    let chain = PactChain::build().await;
    let app = &chain.scenario;
    let client = chain.pact_client("Hyundai").await;
    let (id, secret) = tierlink_tests::receiver::PACT_CLIENTS[1];
    app.call(
        Method::POST,
        app.org("Hyundai").token(),
        "/v1/pact-hosts",
        Some(&json!({"base_url": receiver.base, "client_id": id, "client_secret": secret})),
        201,
    )
    .await;
    let request = event(
        CREATED,
        "enc-1",
        &receiver.base,
        json!({"status": "Active"}),
    );
    send_event(app, &client.access_token, &request.to_string()).await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].header("authorization"), "Bearer harness-token");
}

#[tokio::test]
async fn tc14_a_request_nothing_meets_is_rejected_at_the_host() {
    let mut receiver = Receiver::start(&[]).await;
    let chain = PactChain::build().await;
    let app = &chain.scenario;
    let client = chain.pact_client("Hyundai").await;
    register_host(app, app.org("Hyundai").token(), &receiver).await;
    let request = event(
        CREATED,
        "run-1/14.B",
        &receiver.base,
        json!({"productId": ["urn:pact:null"]}),
    );
    let (status, _) = send_event(app, &client.access_token, &request.to_string()).await;
    assert_eq!(status, 200);
    let answer = receiver.wait_for(1).await[0].json();
    assert_eq!(
        pact_schema_errors("PactRequestRejectedEvent", &answer),
        Vec::<String>::new()
    );
    assert_eq!(answer["data"]["requestEventId"], "run-1/14.B");
    assert_eq!(answer["data"]["error"]["code"], "NotFound");
    assert!(answer["data"]["error"]["message"].is_string());
}

#[tokio::test]
async fn an_answer_the_host_refuses_is_sent_again_with_its_id() {
    let mut receiver = Receiver::start(&[503]).await;
    let chain = PactChain::build().await;
    let app = &chain.scenario;
    let client = chain.pact_client("Hyundai").await;
    register_host(app, app.org("Hyundai").token(), &receiver).await;
    let request = event(
        CREATED,
        "retry",
        &receiver.base,
        json!({"status": "Active"}),
    );
    send_event(app, &client.access_token, &request.to_string()).await;
    let got = receiver.wait_for(2).await;
    assert_eq!(got[0].body, got[1].body, "the same event, again");
    assert_eq!(
        got[1].json()["data"]["pfs"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn tc15_16_40_published_events_and_bad_tokens() {
    let chain = PactChain::build().await;
    let app = &chain.scenario;
    let client = chain.pact_client("Hyundai").await;
    let source = "https://conformance.example";
    let published = event(
        PUBLISHED,
        "p1",
        source,
        json!({"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}),
    );
    let (status, body) = send_event(app, &client.access_token, &published.to_string()).await;
    assert_eq!((status, body.as_str()), (200, ""));
    let malformed = event(
        PUBLISHED,
        "p2",
        source,
        json!({"pfIds": ["urn:gtin:4712345060507"]}),
    );
    let (status, body) = send_event(app, &client.access_token, &malformed.to_string()).await;
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["code"], "BadRequest");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("pfIds[0]")),
        "{body}"
    );
    let (status, body) =
        send_event(app, "very-invalid-access-token-x", &published.to_string()).await;
    assert_eq!(status, 401);
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json")["code"],
        "BadRequest"
    );
}

#[tokio::test]
async fn malformed_events_are_bad_requests_naming_what_is_wrong() {
    let chain = PactChain::build().await;
    let app = &chain.scenario;
    let client = chain.pact_client("Hyundai").await;
    let source = "https://pact.unknown.example";
    let good = event(CREATED, "e1", source, json!({"productId": ["urn:x:y"]}));
    let without = |field: &str| {
        let mut event = good.clone();
        event.as_object_mut().expect("object").remove(field);
        event.to_string()
    };
    let mut wrong_version = good.clone();
    wrong_version["specversion"] = json!("0.3");
    let mut unknown_type = good.clone();
    unknown_type["type"] = json!("org.wbcsd.pact.ProductFootprint.Unknown.3");
    let mut bad_date = good.clone();
    bad_date["data"]["validOn"] = json!("tomorrow");
    let mut bad_list = good.clone();
    bad_list["data"]["productId"] = json!([1, 2]);
    for (body, named) in [
        ("not json".to_owned(), "JSON"),
        ("[]".to_owned(), "object"),
        (without("id"), "`id`"),
        (without("source"), "`source`"),
        (without("time"), "`time`"),
        (without("data"), "`data`"),
        (wrong_version.to_string(), "specversion"),
        (unknown_type.to_string(), "not a PACT v3 event type"),
        (bad_date.to_string(), "data.validOn"),
        (bad_list.to_string(), "data.productId"),
        (good.to_string(), "no PACT host is registered"),
    ] {
        let (status, text) = send_event(app, &client.access_token, &body).await;
        assert_eq!(status, 400, "{body}: {text}");
        let error: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(error["code"], "BadRequest");
        assert!(
            error["message"].as_str().is_some_and(|m| m.contains(named)),
            "{named}: {error}"
        );
    }
    let response = app
        .client
        .post(app.url("/3/events"))
        .bearer_auth(&client.access_token)
        .header("content-type", "text/plain")
        .body(good.to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 400);
    // A client without footprint:read may not send events.
    let reader = app
        .add_client(&app.org("Hyundai").admin, &["footprint:list"])
        .await;
    let (status, text) = send_event(app, &reader.access_token, &good.to_string()).await;
    assert_eq!(status, 403);
    assert!(text.contains("AccessDenied"));
}

#[tokio::test]
async fn pact_hosts_are_the_organisations_own_and_keep_their_secret() {
    let mut receiver = Receiver::start(&[]).await;
    let chain = PactChain::build().await;
    let app = &chain.scenario;
    let hyundai = app.org("Hyundai");
    let host = register_host(app, hyundai.token(), &receiver).await;
    assert_eq!(host["events_url"], format!("{}/3/events", receiver.base));
    assert_eq!(host["token_url"], format!("{}/auth/token", receiver.base));
    assert!(host.get("client_secret").is_none(), "{host}");
    // Registering the same host again replaces it.
    let again = register_host(app, hyundai.token(), &receiver).await;
    assert_eq!(again["id"], host["id"]);
    let listed = app
        .call(Method::GET, hyundai.token(), "/v1/pact-hosts", None, 200)
        .await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    assert!(!listed.to_string().contains("test_client_secret"));
    let hooks = app
        .call(Method::GET, hyundai.token(), "/v1/webhooks", None, 200)
        .await;
    assert_eq!(hooks["items"], json!([]), "a PACT host is not a webhook");
    // Another organisation neither sees nor removes it, and a request it
    // sends from the same source finds no host of its own.
    let stranger = app.signup("Daehan").await;
    let theirs = app
        .call(Method::GET, stranger.token(), "/v1/pact-hosts", None, 200)
        .await;
    assert_eq!(theirs["items"], json!([]));
    let id = host["id"].as_str().expect("an id");
    expect_problem(
        app.send_as(
            Method::DELETE,
            stranger.token(),
            &format!("/v1/pact-hosts/{id}"),
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let their_client = app
        .add_client(&stranger.admin, &["footprint:list", "footprint:read"])
        .await;
    let request = event(CREATED, "s1", &receiver.base, json!({}));
    let (status, _) = send_event(app, &their_client.access_token, &request.to_string()).await;
    assert_eq!(status, 400);
    // Registered by them too, their request finds none of Hyundai's footprints.
    register_host(app, stranger.token(), &receiver).await;
    let (status, _) = send_event(app, &their_client.access_token, &request.to_string()).await;
    assert_eq!(status, 200);
    let answer = receiver.wait_for(1).await[0].json();
    assert_eq!(answer["data"]["error"]["code"], "NotFound");
    // Bad input names its field; editors may not manage hosts.
    let problem = expect_problem(
        app.send_as(
            Method::POST,
            hyundai.token(),
            "/v1/pact-hosts",
            Some(&json!({"base_url": "ftp://x", "client_id": "", "client_secret": "s"})),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(tierlink_tests::problem_fields(&problem), ["base_url"]);
    let editor = app
        .add_user(&hyundai.admin, "editor@hyundai.example", "editor")
        .await;
    expect_problem(
        app.send_as(Method::GET, &editor.access_token, "/v1/pact-hosts", None)
            .await,
        403,
        "forbidden",
    )
    .await;
    app.call(
        Method::DELETE,
        hyundai.token(),
        &format!("/v1/pact-hosts/{id}"),
        None,
        204,
    )
    .await;
}

#[tokio::test]
async fn a_request_for_a_product_without_a_footprint_reaches_the_suppliers_inbox() {
    let mut receiver = Receiver::start(&[]).await;
    let (s, steel, part) = kim_sells_steel(&receiver, &["Lee"]).await;
    let (hyundai, kim) = (s.org("Hyundai"), s.org("Kim"));
    // Asking suppliers publishes a requirement: the client may write them.
    let client = s
        .add_client(
            &hyundai.admin,
            &["footprint:list", "footprint:read", "requirements:write"],
        )
        .await;
    let request = event(
        CREATED,
        "sdx-42",
        &receiver.base,
        json!({"productId": [part.to_uppercase()], "comment": "FY2025 footprint, please"}),
    );
    let (status, _) = send_event(&s, &client.access_token, &request.to_string()).await;
    assert_eq!(status, 200);
    // Kim, and only Kim, has a request for footprints in its inbox.
    let inbox = s
        .call(Method::GET, kim.token(), "/v1/requests", None, 200)
        .await;
    let items = inbox["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{inbox}");
    assert_eq!(items[0]["title"], "PACT request sdx-42");
    let lee = s
        .call(Method::GET, s.org("Lee").token(), "/v1/requests", None, 200)
        .await;
    assert_eq!(lee["items"], json!([]), "Lee sells no product named");
    assert!(
        receiver.received().is_empty(),
        "no answer before the supplier's"
    );
    let id = items[0]["id"].as_str().expect("an id");
    tierlink_tests::pact::save_footprint(
        &s,
        kim.token(),
        id,
        &steel,
        &json!({"pcf": tierlink_tests::pact::pcf("2.2", ("geographyCountry", "KR"))}),
    )
    .await;
    s.call(
        Method::POST,
        kim.token(),
        &format!("/v1/requests/{id}/answer/submit"),
        None,
        201,
    )
    .await;
    let answer = receiver.wait_for(1).await[0].json();
    assert_eq!(
        answer["type"],
        "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
    );
    assert_eq!(answer["data"]["requestEventId"], "sdx-42");
    let pf = &answer["data"]["pfs"][0];
    assert!(
        pf["productIds"]
            .as_array()
            .expect("ids")
            .contains(&json!(part))
    );
    assert_eq!(pf["pcf"]["fossilGhgEmissions"], "2.2");
    // A second submission does not answer the same request twice.
    s.call(
        Method::POST,
        hyundai.token(),
        &format!("/v1/requests/{id}/answer/revisions/1/request-changes"),
        Some(&json!({"comment": "again"})),
        200,
    )
    .await;
    tierlink_tests::pact::save_footprint(
        &s,
        kim.token(),
        id,
        &steel,
        &json!({"pcf": tierlink_tests::pact::pcf("2.3", ("geographyCountry", "KR"))}),
    )
    .await;
    s.call(
        Method::POST,
        kim.token(),
        &format!("/v1/requests/{id}/answer/submit"),
        None,
        201,
    )
    .await;
    // A product nobody sells: rejected at once.
    let other = event(
        CREATED,
        "sdx-43",
        &receiver.base,
        json!({"productId": ["urn:gtin:4712345060507"]}),
    );
    send_event(&s, &client.access_token, &other.to_string()).await;
    let got = receiver.wait_for(2).await;
    assert_eq!(got.len(), 2, "one answer per request");
    assert_eq!(got[1].json()["data"]["requestEventId"], "sdx-43");
    assert_eq!(got[1].json()["data"]["error"]["code"], "NotFound");
}

#[tokio::test]
async fn a_retried_event_is_answered_once_and_read_only_callers_ask_no_supplier() {
    let mut receiver = Receiver::start(&[]).await;
    let (s, _, part) = kim_sells_steel(&receiver, &[]).await;
    let (hyundai, kim) = (s.org("Hyundai"), s.org("Kim"));
    // A client that may read footprints but not write requirements.
    let reader = s
        .add_client(&hyundai.admin, &["footprint:list", "footprint:read"])
        .await;
    // The source as the caller spells it: upper-case host, default port.
    let source = receiver.base.replace("http://", "HTTP://");
    let request = event(CREATED, "r-1", &source, json!({"productId": [part]})).to_string();
    for _ in 0..2 {
        let (status, _) = send_event(&s, &reader.access_token, &request).await;
        assert_eq!(status, 200);
    }
    let answer = receiver.wait_for(1).await[0].json();
    assert_eq!(answer["data"]["error"]["code"], "AccessDenied", "{answer}");
    let inbox = s
        .call(Method::GET, kim.token(), "/v1/requests", None, 200)
        .await;
    assert_eq!(inbox["items"], json!([]), "no requirement was published");
    // With requirements:write the same ask reaches Kim, once however often sent.
    let writer = s
        .add_client(
            &hyundai.admin,
            &["footprint:list", "footprint:read", "requirements:write"],
        )
        .await;
    let request = event(CREATED, "r-2", &receiver.base, json!({"productId": [part]})).to_string();
    for _ in 0..2 {
        let (status, _) = send_event(&s, &writer.access_token, &request).await;
        assert_eq!(status, 200);
    }
    let inbox = s
        .call(Method::GET, kim.token(), "/v1/requests", None, 200)
        .await;
    assert_eq!(inbox["items"].as_array().map(Vec::len), Some(1), "{inbox}");
    // Bulk answers save a footprint request's draft but do not submit it.
    let id = inbox["items"][0]["id"].as_str().expect("an id");
    let problem = expect_problem(
        s.send_as(
            Method::POST,
            kim.token(),
            "/v1/answers/bulk",
            Some(&json!({"answers": [{"request_id": id, "entries": [], "submit": true}]})),
        )
        .await,
        409,
        "submit_footprints_alone",
    )
    .await;
    assert_eq!(
        problem["errors"][0]["field"], "answers[0].submit",
        "{problem}"
    );
    assert_eq!(receiver.received().len(), 1, "one answer in all");
}

#[tokio::test]
async fn a_request_its_supplier_declines_is_rejected_at_the_host() {
    let mut receiver = Receiver::start(&[]).await;
    let (s, _, part) = kim_sells_steel(&receiver, &[]).await;
    let (hyundai, kim) = (s.org("Hyundai"), s.org("Kim"));
    let client = s
        .add_client(
            &hyundai.admin,
            &["footprint:list", "footprint:read", "requirements:write"],
        )
        .await;
    let request = event(CREATED, "d-1", &receiver.base, json!({"productId": [part]}));
    send_event(&s, &client.access_token, &request.to_string()).await;
    let id = s.first_request(kim).await;
    s.call(
        Method::POST,
        kim.token(),
        &format!("/v1/requests/{id}/decline"),
        Some(&json!({"reason": "We no longer make this grade"})),
        200,
    )
    .await;
    let answer = receiver.wait_for(1).await[0].json();
    assert_eq!(
        answer["type"],
        "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
    );
    assert_eq!(answer["data"]["requestEventId"], "d-1");
    assert_eq!(answer["data"]["error"]["code"], "NotFound");
}
