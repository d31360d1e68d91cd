//! Deadline reminders: `request.due_soon` to the supplier as the due date
//! nears, `request.overdue` to both parties once it has passed, each sent
//! once however many scheduler rounds run, and none for what is answered.

use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};
use serde_json::{Value, json};
use tierlink_tests::{Requirement, Scenario, TestApp, TestOrg};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Every event of `types` in `org`'s feed once at least `n` have arrived
/// (long polling; panics after 20 s).
async fn wait_for_events(s: &Scenario, org: &TestOrg, types: &str, n: usize) -> Vec<Value> {
    let mut events = Vec::new();
    let mut cursor = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while events.len() < n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{n} {types} events did not arrive: {events:?}"
        );
        let after = if cursor.is_empty() {
            String::new()
        } else {
            format!("&after={cursor}")
        };
        let page: Value = s
            .get_as(
                org.token(),
                &format!("/v1/events?types={types}&wait=5{after}"),
            )
            .await
            .json()
            .await
            .expect("a feed page");
        events.extend(page["items"].as_array().expect("items").iter().cloned());
        cursor = page["next_cursor"].as_str().expect("a cursor").to_owned();
    }
    events
}

async fn events_of(s: &Scenario, org: &TestOrg, types: &str) -> Vec<Value> {
    let page: Value = s
        .get_as(org.token(), &format!("/v1/events?types={types}&limit=200"))
        .await
        .json()
        .await
        .expect("a feed page");
    page["items"].as_array().expect("items").clone()
}

/// The event matches the schema the OpenAPI document gives its type.
async fn conforms_to_its_webhook(s: &Scenario, event: &Value) {
    let document: Value = s
        .get("/api-docs/openapi.json")
        .await
        .json()
        .await
        .expect("the document");
    let kind = event["type"].as_str().expect("a type");
    let body =
        &document["webhooks"][kind]["post"]["requestBody"]["content"]["application/json"]["schema"];
    let schemas = document["components"]["schemas"]
        .as_object()
        .expect("schemas");
    let departures = tierlink_tests::schema_check::departures(event, body, schemas);
    assert!(departures.is_empty(), "{kind}: {departures:?}\n{event}");
}

fn quick_reminders(settings: &mut tierlink_api::config::Settings) {
    settings.reminders.poll_interval = Duration::from_millis(50);
}

#[tokio::test]
async fn a_request_due_tomorrow_reminds_its_supplier_once_then_overdue_tells_both() {
    let tomorrow = today() + Days::new(1);
    let s = TestApp::builder()
        .settings(quick_reminders)
        .org("Acme")
        .org("Kim")
        .supplier("Acme", "Kim")
        .publish(
            "Acme",
            Requirement::new("FY2026 carbon").due(&tomorrow.to_string()),
        )
        .build()
        .await;
    let [acme, kim] = s.orgs(["Acme", "Kim"]);
    let request = s.request("Kim").to_owned();

    let due_soon = wait_for_events(&s, kim, "request.due_soon", 1).await;
    let event = &due_soon[0];
    assert_eq!(event["resource"], json!({"type": "request", "id": request}));
    assert_eq!(event["actor"], "system");
    assert_eq!(event["data"]["reminder"]["due_date"], tomorrow.to_string());
    // 1, or 0 when the day turned between publishing and the round.
    let days_left = event["data"]["reminder"]["days_left"]
        .as_i64()
        .expect("days_left");
    assert!((0..=1).contains(&days_left), "{event}");
    assert_eq!(event["data"]["request"]["customer"]["name"], "Acme");
    conforms_to_its_webhook(&s, event).await;

    // The due date passes: both parties hear of it.
    let yesterday = today() - Days::new(1);
    s.execute_sql(&format!(
        "UPDATE requests SET due_date = '{yesterday}' WHERE id = '{request}'"
    ));
    for org in [kim, acme] {
        let overdue = wait_for_events(&s, org, "request.overdue", 1).await;
        assert_eq!(overdue.len(), 1, "{overdue:?}");
        conforms_to_its_webhook(&s, &overdue[0]).await;
        assert_eq!(overdue[0]["resource"]["id"], request.as_str());
        assert!(
            overdue[0]["data"]["reminder"]["days_left"]
                .as_i64()
                .is_some_and(|days| days < 0),
            "{}",
            overdue[0]
        );
    }
    // Many rounds ran meanwhile; each reminder went out once, and the
    // customer is not told the supplier was reminded before the deadline.
    assert_eq!(events_of(&s, kim, "request.due_soon").await.len(), 1);
    assert_eq!(events_of(&s, acme, "request.due_soon").await.len(), 0);
}

#[tokio::test]
async fn an_answered_request_is_not_reminded() {
    let s = TestApp::builder()
        .settings(quick_reminders)
        .org("Acme")
        .org("Kim")
        .org("Lee")
        .supplier("Acme", "Kim")
        .supplier("Acme", "Lee")
        .publish("Acme", Requirement::new("FY2026 carbon"))
        .build()
        .await;
    let [acme, kim, lee] = s.orgs(["Acme", "Kim", "Lee"]);
    let answer = json!({"submit": true, "entries": [
        {"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"}]});
    s.answer(kim, s.request("Kim"), &answer).await;

    // Both requests fall due; one round looks at both of them.
    let yesterday = today() - Days::new(1);
    s.execute_sql(&format!("UPDATE requests SET due_date = '{yesterday}'"));
    let overdue = wait_for_events(&s, lee, "request.overdue", 1).await;
    assert_eq!(overdue[0]["resource"]["id"], s.request("Lee"));
    let told_acme = wait_for_events(&s, acme, "request.overdue", 1).await;
    assert_eq!(told_acme.len(), 1, "{told_acme:?}");
    assert_eq!(told_acme[0]["resource"]["id"], s.request("Lee"));
    assert_eq!(events_of(&s, kim, "request.overdue").await.len(), 0);
}

#[tokio::test]
async fn a_due_date_moved_later_is_reminded_again() {
    let s = TestApp::builder()
        .settings(quick_reminders)
        .org("Acme")
        .org("Kim")
        .supplier("Acme", "Kim")
        .publish("Acme", Requirement::new("FY2026 carbon"))
        .build()
        .await;
    let kim = s.org("Kim");
    let request = s.request("Kim").to_owned();
    for (days_ago, reminded) in [(3, 1), (2, 2)] {
        let due = today() - Days::new(days_ago);
        s.execute_sql(&format!(
            "UPDATE requests SET due_date = '{due}' WHERE id = '{request}'"
        ));
        let overdue = wait_for_events(&s, kim, "request.overdue", reminded).await;
        assert_eq!(
            overdue.last().expect("an event")["data"]["reminder"]["due_date"],
            due.to_string()
        );
    }
}
