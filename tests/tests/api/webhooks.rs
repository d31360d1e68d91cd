//! `/v1/webhooks`: signed deliveries of events to a real HTTP receiver on
//! 127.0.0.1, retries, disabling, the delivery log, redelivery, pings,
//! secret rotation, request-forgery guards and tenancy.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_api::config::Settings;
use tierlink_tests::receiver::{Receiver, local_deliveries};
use tierlink_tests::{Requirement, Scenario, TestApp, expect_problem};

async fn acme_and_kim(customise: impl FnOnce(&mut Settings) + 'static) -> Scenario {
    TestApp::builder()
        .settings(move |settings| {
            local_deliveries(settings);
            customise(settings);
        })
        .org("Acme")
        .org("Kim")
        .supplier("Acme", "Kim")
        .build()
        .await
}

async fn register(s: &Scenario, org: &str, body: Value) -> Value {
    s.call(
        Method::POST,
        s.org(org).token(),
        "/v1/webhooks",
        Some(&body),
        201,
    )
    .await
}

#[tokio::test]
async fn events_are_delivered_signed_and_match_the_feed() {
    let mut receiver = Receiver::start(&[]).await;
    let s = acme_and_kim(|_| {}).await;
    let hook = register(
        &s,
        "Kim",
        json!({"url": receiver.url, "event_types": ["request.received"]}),
    )
    .await;
    let secret = hook["secret"].as_str().expect("a secret");
    assert!(secret.starts_with("whsec_"), "{hook}");
    assert_eq!(hook["event_types"], json!(["request.received"]));

    s.publish("Acme", &Requirement::new("FY2026 carbon")).await;
    let got = receiver.wait_for(1).await;
    let delivery = &got[0];
    assert!(delivery.signed_by(secret), "{:?}", delivery.headers);
    assert!(!delivery.signed_by("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    let body = delivery.json();
    assert_eq!(body["type"], "request.received");
    assert_eq!(delivery.header("webhook-id"), body["id"]);
    assert_eq!(delivery.header("content-type"), "application/json");

    // The same event, with the same id and shape, is in Kim's feed.
    let feed = s
        .call(Method::GET, s.org("Kim").token(), "/v1/events", None, 200)
        .await;
    assert_eq!(feed["items"][0], body);

    // Acme registered nothing; Kim subscribed to one type only: answering
    // (answer.submitted goes to Acme) sends Kim nothing more.
    let request = s.app.first_request(s.org("Kim")).await;
    let answer = json!({"submit": true, "entries": [
        {"metric": "ghg.scope1", "value": "12.5", "unit": "tCO2e", "obtained": "measured"}]});
    s.answer(s.org("Kim"), &request, &answer).await;
    let log = s
        .call(
            Method::GET,
            s.org("Kim").token(),
            &format!(
                "/v1/webhooks/{}/deliveries",
                hook["id"].as_str().expect("a string")
            ),
            None,
            200,
        )
        .await;
    let items = log["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{log}");
    assert_eq!(items[0]["status"], "succeeded");
    assert_eq!(items[0]["response_status"], 204);
    assert_eq!(items[0]["attempts"], 1);
    assert_eq!(items[0]["event_id"], body["id"]);
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_until_it_answers() {
    let mut receiver = Receiver::start(&[500, 503]).await;
    let s = acme_and_kim(|_| {}).await;
    let hook = register(&s, "Kim", json!({"url": receiver.url})).await;
    let id = hook["id"].as_str().expect("a string");
    s.call(
        Method::POST,
        s.org("Kim").token(),
        &format!("/v1/webhooks/{id}/ping"),
        None,
        202,
    )
    .await;
    let got = receiver.wait_for(3).await;
    let ids: Vec<&str> = got.iter().map(|d| d.header("webhook-id")).collect();
    assert!(ids.iter().all(|same| *same == ids[0]), "{ids:?}");
    assert_eq!(got[0].json()["type"], "webhook.ping");

    // The attempt is recorded after the receiver answered: wait for it.
    let log = s
        .wait_until("Kim", &format!("/v1/webhooks/{id}/deliveries"), |log| {
            log["items"][0]["status"] == "succeeded"
        })
        .await;
    assert_eq!(log["items"][0]["attempts"], 3, "{log}");
    let endpoint = s
        .call(
            Method::GET,
            s.org("Kim").token(),
            &format!("/v1/webhooks/{id}"),
            None,
            200,
        )
        .await;
    assert_eq!(endpoint["enabled"], true);
    assert!(endpoint.get("failing_since").is_none(), "{endpoint}");
}

#[tokio::test]
async fn an_endpoint_failing_for_the_whole_retry_period_is_disabled() {
    let mut receiver = Receiver::start(&[500; 100]).await;
    let s = acme_and_kim(|settings| {
        settings.webhooks.retry.give_up_after = Duration::from_millis(200);
    })
    .await;
    let hook = register(&s, "Kim", json!({"url": receiver.url})).await;
    let id = hook["id"].as_str().expect("a string");
    s.call(
        Method::POST,
        s.org("Kim").token(),
        &format!("/v1/webhooks/{id}/ping"),
        None,
        202,
    )
    .await;
    receiver.wait_for(2).await;
    let endpoint = s
        .wait_until("Kim", &format!("/v1/webhooks/{id}"), |endpoint| {
            endpoint["enabled"] == false
        })
        .await;
    let reason = endpoint["disabled_reason"].as_str().expect("a reason");
    assert!(reason.contains("HTTP 500"), "{reason}");
    let log = s
        .call(
            Method::GET,
            s.org("Kim").token(),
            &format!("/v1/webhooks/{id}/deliveries?status=failed"),
            None,
            200,
        )
        .await;
    assert_eq!(log["items"][0]["response_status"], 500, "{log}");
    assert_eq!(log["items"][0]["failure"], "HTTP 500");

    // Nothing goes to a disabled endpoint; switching it on clears the reason.
    let enabled = s
        .call(
            Method::PATCH,
            s.org("Kim").token(),
            &format!("/v1/webhooks/{id}"),
            Some(&json!({"enabled": true})),
            200,
        )
        .await;
    assert!(enabled.get("disabled_reason").is_none(), "{enabled}");
}

#[tokio::test]
async fn rotation_signs_with_both_secrets_and_redelivery_keeps_the_id() {
    let mut receiver = Receiver::start(&[]).await;
    let s = acme_and_kim(|_| {}).await;
    let kim = s.org("Kim").token();
    let hook = register(&s, "Kim", json!({"url": receiver.url})).await;
    let id = hook["id"].as_str().expect("a string");
    let old = hook["secret"].as_str().expect("a string");
    let rotated = s
        .call(
            Method::POST,
            kim,
            &format!("/v1/webhooks/{id}/rotate-secret"),
            None,
            200,
        )
        .await;
    let new = rotated["secret"].as_str().expect("a string");
    assert_ne!(old, new);
    assert!(
        rotated["previous_secret_expires_at"].is_string(),
        "{rotated}"
    );
    let ping = s
        .call(
            Method::POST,
            kim,
            &format!("/v1/webhooks/{id}/ping"),
            None,
            202,
        )
        .await;
    let first = receiver.wait_for(1).await.remove(0);
    assert!(first.signed_by(new) && first.signed_by(old));
    assert_eq!(first.header("webhook-signature").split(' ').count(), 2);

    let again = s
        .call(
            Method::POST,
            kim,
            &format!(
                "/v1/webhooks/{id}/deliveries/{}/redeliver",
                ping["id"].as_str().expect("a string")
            ),
            None,
            202,
        )
        .await;
    assert_ne!(again["id"], ping["id"]);
    let second = receiver.wait_for(2).await.remove(1);
    assert_eq!(second.header("webhook-id"), first.header("webhook-id"));
    assert_eq!(second.body, first.body);
    // The secret is never shown again.
    let shown = s
        .call(Method::GET, kim, &format!("/v1/webhooks/{id}"), None, 200)
        .await;
    assert!(shown.get("secret").is_none(), "{shown}");
}

#[tokio::test]
async fn private_and_plain_http_urls_are_refused_by_default() {
    let s = TestApp::builder().org("Kim").build().await;
    let kim = s.org("Kim").token();
    for url in [
        "http://erp.example.com/hooks",
        "https://127.0.0.1/hooks",
        "https://[::1]/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/hooks",
        "https://user:pw@erp.example.com/hooks",
        "erp.example.com/hooks",
    ] {
        let response = s
            .send_as(
                Method::POST,
                kim,
                "/v1/webhooks",
                Some(&json!({"url": url})),
            )
            .await;
        let problem = expect_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
    }
    let response = s
        .send_as(
            Method::POST,
            kim,
            "/v1/webhooks",
            Some(
                &json!({"url": "https://erp.example.com/hooks", "event_types": ["answer.deleted"]}),
            ),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "event_types");
}

#[tokio::test]
async fn a_name_resolving_to_a_private_address_is_not_called() {
    let receiver = Receiver::start(&[]).await;
    let s = TestApp::builder()
        .settings(|settings| {
            local_deliveries(settings);
            settings.webhooks.allow_private = false;
            settings.webhooks.retry.give_up_after = Duration::ZERO;
        })
        .org("Kim")
        .build()
        .await;
    let kim = s.org("Kim").token();
    // `localhost` passes the URL check (a name) but resolves to loopback.
    let port = receiver.url.rsplit(':').next().expect("a port").to_owned();
    let hook = register(
        &s,
        "Kim",
        json!({"url": format!("https://localhost:{port}")}),
    )
    .await;
    let id = hook["id"].as_str().expect("a string");
    s.call(
        Method::POST,
        kim,
        &format!("/v1/webhooks/{id}/ping"),
        None,
        202,
    )
    .await;
    let log = s
        .wait_until("Kim", &format!("/v1/webhooks/{id}/deliveries"), |log| {
            log["items"][0]["status"] == "failed"
        })
        .await;
    let error = log["items"][0]["failure"].as_str().unwrap_or_default();
    assert!(error.contains("no public address"), "{log}");
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn only_admins_manage_webhooks() {
    let s = TestApp::builder().org("Kim").build().await;
    let editor = s
        .add_user(&s.org("Kim").admin, "editor@kim.example", "editor")
        .await;
    let response = s
        .send_as(
            Method::POST,
            &editor.access_token,
            "/v1/webhooks",
            Some(&json!({"url": "https://erp.example.com/hooks"})),
        )
        .await;
    expect_problem(response, 403, "forbidden").await;
    let response = s.get_as(&editor.access_token, "/v1/webhooks").await;
    expect_problem(response, 403, "forbidden").await;
}

/// An endpoint that does not answer holds up only its own delivery: the
/// worker goes on delivering other events meanwhile.
#[tokio::test]
async fn a_slow_endpoint_does_not_hold_up_the_others() {
    let mut slow = Receiver::start(&[tierlink_tests::receiver::HOLD]).await;
    let mut quick = Receiver::start(&[]).await;
    let s = acme_and_kim(|settings| settings.webhooks.timeout = Duration::from_secs(120)).await;
    register(
        &s,
        "Acme",
        json!({"url": slow.url, "event_types": ["requirement.published"]}),
    )
    .await;
    s.publish("Acme", &Requirement::new("FY2026 carbon")).await;
    slow.wait_for(1).await;

    // The slow endpoint still holds its delivery; Kim's arrives anyway.
    register(
        &s,
        "Kim",
        json!({"url": quick.url, "event_types": ["request.received"]}),
    )
    .await;
    s.publish("Acme", &Requirement::new("FY2027 carbon")).await;
    let got = quick.wait_for(1).await;
    assert_eq!(got[0].json()["type"], "request.received");
    // The slow endpoint's next event went out too, its first still held.
    let held = slow.wait_for(2).await;
    assert_eq!(
        held[1].json()["data"]["requirement"]["title"],
        "FY2027 carbon"
    );
}
