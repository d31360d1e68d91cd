//! `GET /v1/events`: each organisation's change feed. Every change a use
//! case makes is recorded with it, for the organisations that may know,
//! and read back in commit order without gaps or repeats.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{Requirement, Scenario, TestApp, TestOrg, expect_problem, race};

async fn feed(s: &Scenario, org: &TestOrg, query: &str) -> Value {
    s.call(
        Method::GET,
        org.token(),
        &format!("/v1/events{query}"),
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
        .map(|event| event["type"].as_str().expect("type").to_owned())
        .collect()
}

async fn two_firms() -> Scenario {
    TestApp::builder()
        .org("Acme")
        .org("Kim")
        .supplier("Acme", "Kim")
        .publish("Acme", Requirement::new("FY2026 carbon"))
        .build()
        .await
}

#[tokio::test]
async fn each_side_of_an_answer_hears_of_what_the_other_did() {
    let s = two_firms().await;
    let [acme, kim] = s.orgs(["Acme", "Kim"]);
    let request = s.request("Kim").to_owned();

    let received = feed(&s, kim, "").await;
    assert_eq!(types(&received), ["request.received"]);
    let event = &received["items"][0];
    assert_eq!(event["resource"], json!({"type": "request", "id": request}));
    assert_eq!(event["data"]["request"]["customer"]["name"], "Acme");
    assert_eq!(event["data"]["items"], json!(["ghg.scope1"]));

    let answer = json!({"submit": true, "entries": [
        {"metric": "ghg.scope1", "value": "12.5", "unit": "tCO2e", "obtained": "measured"}]});
    s.answer(kim, &request, &answer).await;
    let acme_feed = feed(&s, acme, "?types=answer.submitted").await;
    assert_eq!(types(&acme_feed), ["answer.submitted"]);
    let submitted = &acme_feed["items"][0];
    assert_eq!(submitted["data"]["revision"]["number"], 1);
    assert!(
        submitted["actor"]
            .as_str()
            .is_some_and(|a| a.starts_with("user:")),
        "{submitted}"
    );
    assert_eq!(
        submitted["data"].get("entries"),
        None,
        "values are not copied into events"
    );

    // Kim goes on from where it was: only what is new.
    let after = received["next_cursor"].as_str().expect("a cursor");
    s.accept_revision(acme, &request, 1).await;
    let next = feed(&s, kim, &format!("?after={after}")).await;
    assert_eq!(types(&next), ["answer.accepted"]);
    let again = feed(
        &s,
        kim,
        &format!("?after={}", next["next_cursor"].as_str().expect("a cursor")),
    )
    .await;
    assert_eq!(types(&again), Vec::<String>::new());
    assert_eq!(again["next_cursor"], next["next_cursor"]);
}

#[tokio::test]
async fn an_organisation_sees_only_the_events_addressed_to_it() {
    let s = TestApp::builder()
        .org("Acme")
        .org("Kim")
        .org("Stranger")
        .supplier("Acme", "Kim")
        .publish("Acme", Requirement::new("FY2026 carbon"))
        .build()
        .await;
    let [acme, stranger] = s.orgs(["Acme", "Stranger"]);
    assert_eq!(types(&feed(&s, stranger, "").await), Vec::<String>::new());
    let acme_types = types(&feed(&s, acme, "").await);
    assert_eq!(acme_types, ["invitation.accepted", "requirement.published"]);
    assert!(!acme_types.contains(&"request.received".to_owned()));
}

#[tokio::test]
async fn a_bad_cursor_type_limit_or_wait_is_a_400_naming_it() {
    let s = two_firms().await;
    let kim = s.org("Kim");
    for (query, field) in [
        ("?after=nope", "after"),
        ("?after=1.%00", "after"),
        ("?types=answer.deleted", "types"),
        ("?limit=0", "limit"),
        ("?wait=31", "wait"),
    ] {
        let response = s
            .send_as(
                Method::GET,
                kim.token(),
                &format!("/v1/events{query}"),
                None,
            )
            .await;
        let problem = expect_problem(response, 400, "invalid_parameter").await;
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }
}

#[tokio::test]
async fn a_waiting_reader_gets_the_event_that_commits_while_it_waits() {
    let s = two_firms().await;
    let [acme, kim] = s.orgs(["Acme", "Kim"]);
    let cursor = feed(&s, acme, "").await["next_cursor"]
        .as_str()
        .expect("a cursor")
        .to_owned();
    let waiting = s
        .client
        .get(s.url(&format!("/v1/events?after={cursor}&wait=20")))
        .bearer_auth(acme.token())
        .send();
    let request = s.request("Kim").to_owned();
    let answer = json!({"submit": true, "entries": [
        {"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"}]});
    let (response, _) = tokio::join!(waiting, s.answer(kim, &request, &answer));
    let page: Value = response.expect("an answer").json().await.expect("json");
    assert_eq!(types(&page), ["answer.submitted"]);
}

/// Writers race while a reader pages through the feed: every event that
/// committed is read exactly once. On PostgreSQL transactions commit out
/// of the order they numbered their events in; the feed must not move past
/// one that has yet to commit.
#[tokio::test]
async fn the_feed_has_every_committed_event_once_while_writers_race() {
    const SUPPLIERS: usize = 12;
    let names: Vec<String> = (0..SUPPLIERS).map(|i| format!("Supplier {i}")).collect();
    let mut builder = TestApp::builder()
        .settings(|settings| settings.database_pool_size = 16)
        .org("Acme");
    for name in &names {
        builder = builder.org(name).supplier("Acme", name);
    }
    let s = builder
        .publish("Acme", Requirement::new("FY2026 carbon"))
        .build()
        .await;
    let acme = s.org("Acme");
    let start = feed(&s, acme, "").await["next_cursor"]
        .as_str()
        .expect("a cursor")
        .to_owned();

    let answer = json!({"submit": true, "entries": [
        {"metric": "ghg.scope1", "value": "1", "unit": "tCO2e"}]});
    let submits: Vec<_> = names
        .iter()
        .map(|name| {
            s.client
                .put(s.url(&format!("/v1/requests/{}/answer", s.request(name))))
                .bearer_auth(s.org(name).token())
                .json(&answer)
        })
        .collect();
    let reader = async {
        let mut seen = Vec::new();
        let mut cursor = start.clone();
        while seen.len() < SUPPLIERS {
            let page = feed(&s, acme, &format!("?after={cursor}&limit=3&wait=5")).await;
            for event in page["items"].as_array().expect("items") {
                seen.push(event["id"].as_str().expect("id").to_owned());
            }
            cursor = page["next_cursor"].as_str().expect("a cursor").to_owned();
        }
        seen
    };
    let (replies, seen) = tokio::join!(race(submits), reader);
    assert!(
        replies.iter().all(|reply| reply.status == 200),
        "{replies:?}"
    );
    let distinct: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), seen.len(), "no event twice: {seen:?}");
    assert_eq!(seen.len(), SUPPLIERS);
    let everything = feed(&s, acme, &format!("?after={start}&limit=200")).await;
    let all: BTreeSet<String> = everything["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|event| event["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(all, distinct.into_iter().cloned().collect());
}

/// The outbox numbers events in commit order (PostgreSQL; SQLite commits
/// one writer at a time). A transaction that records an event and stays
/// open must not let a later one number and commit its event first: a
/// reader that saw the later event would page past the earlier one when it
/// commits, and never see it.
#[test]
fn events_are_numbered_in_commit_order() {
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use tierlink_domain::events::{EventCursor, EventType, NewEvent};
    use tierlink_domain::ids::OrgId;
    use tierlink_persistence::{Database, DatabaseUrl, PoolOptions, StoreError, events};
    use tierlink_tests::{TEST_DATABASE_URL, TestDatabase};

    let Ok(admin_url) = std::env::var(TEST_DATABASE_URL) else {
        eprintln!("skipped: concurrent commits need PostgreSQL (set {TEST_DATABASE_URL})");
        return;
    };
    let test_db = TestDatabase::create_postgres(&admin_url);
    let url = DatabaseUrl::parse(&test_db.url()).expect("a URL");
    let db = Database::open(&url, PoolOptions::default()).expect("opens");
    db.migrate().expect("migrates");
    let org = OrgId::generate();
    let event = move |n: u32| NewEvent {
        kind: EventType::RequestReceived,
        resource_id: format!("event {n}"),
        actor: "system".to_owned(),
        audience: org,
        payload: json!({}),
    };
    let seen = |after: EventCursor| {
        db.read(|conn| events::feed(conn, org, after, &[], 100))
            .expect("the feed")
    };

    // The first writer records its event and waits, still open.
    let (recorded, first_recorded) = mpsc::channel();
    let (release, first_released) = mpsc::channel::<()>();
    let first_db = db.clone();
    let first = std::thread::spawn(move || {
        first_db.write(|tx| -> Result<(), StoreError> {
            events::record(tx, &[event(1)])?;
            recorded.send(()).expect("the test listens");
            first_released.recv().expect("the test releases");
            Ok(())
        })
    });
    first_recorded.recv().expect("the first event is recorded");
    // The second writer starts: it must wait for the first to commit.
    let second_db = db.clone();
    let second = std::thread::spawn(move || second_db.write(|tx| events::record(tx, &[event(2)])));
    // Until the second writer either waits for a lock or has committed.
    let deadline = Instant::now() + Duration::from_secs(30);
    let name = test_db.name().expect("a PostgreSQL database").to_owned();
    loop {
        if second.is_finished() || lock_waiters(&admin_url, &name) > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the second writer neither waited nor committed"
        );
        std::thread::yield_now();
    }
    let early = seen(EventCursor::START);
    let cursor = early.last().map_or(EventCursor::START, |e| e.cursor);
    release.send(()).expect("the first writer listens");
    first.join().expect("no panic").expect("the first commits");
    second
        .join()
        .expect("no panic")
        .expect("the second commits");
    let mut all: Vec<String> = early.iter().map(|e| e.resource_id.clone()).collect();
    all.extend(seen(cursor).into_iter().map(|e| e.resource_id));
    assert_eq!(
        all,
        ["event 1", "event 2"],
        "every event, once, in commit order"
    );
}

/// How many sessions of database `name` wait for a lock.
fn lock_waiters(admin_url: &str, name: &str) -> i64 {
    use diesel::{Connection, RunQueryDsl, pg::PgConnection};
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut admin = PgConnection::establish(admin_url).expect("connect as administrator");
    diesel::sql_query(
        "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
    )
    .bind::<diesel::sql_types::Text, _>(name)
    .get_result::<Count>(&mut admin)
    .expect("pg_stat_activity")
    .n
}

/// Every event a chain of three firms produces matches the schema the
/// OpenAPI document gives its type under `webhooks` (and in the feed), no
/// field missing and none undocumented.
#[tokio::test]
async fn every_event_matches_the_schema_of_its_type() {
    let s = TestApp::builder()
        .org("Acme")
        .org("Kim")
        .org("Lee")
        .supplier("Acme", "Kim")
        .supplier("Kim", "Lee")
        .publish("Acme", Requirement::new("FY2026 carbon").cascade_depth(2))
        .build()
        .await;
    let [acme, kim, lee] = s.orgs(["Acme", "Kim", "Lee"]);
    let request = s.request("Kim").to_owned();
    let path = format!("/v1/requirements/{}", s.requirement().id);
    let etag = s.etag(acme.token(), &path).await;
    let mut content = s.body(&Requirement::new("FY2026 carbon").cascade_depth(2));
    content["due_date"] = json!("2099-02-28");
    let amended = s
        .send_if_match(
            Method::POST,
            acme.token(),
            &format!("{path}/amendments"),
            &etag,
            &json!({"note": "A month more", "content": content}),
        )
        .await;
    assert_eq!(amended.status(), 200);
    s.forward(kim, &request, &json!({"suppliers": [lee.id]}))
        .await;
    let child = s.first_request(lee).await;
    s.call(
        Method::POST,
        lee.token(),
        &format!("/v1/requests/{child}/decline"),
        Some(&json!({"reason": "We buy no energy"})),
        200,
    )
    .await;
    let answer = json!({"submit": true, "entries": [
        {"metric": "ghg.scope1", "value": "12.5", "unit": "tCO2e"}]});
    s.answer(kim, &request, &answer).await;
    s.call(
        Method::POST,
        acme.token(),
        &format!("/v1/requests/{request}/answer/revisions/1/request-changes"),
        Some(&json!({"comment": "Which sites?"})),
        200,
    )
    .await;
    s.answer(kim, &request, &answer).await;
    s.accept_revision(acme, &request, 2).await;
    s.call(
        Method::POST,
        acme.token(),
        &format!("{path}/close"),
        None,
        200,
    )
    .await;
    s.call(
        Method::DELETE,
        acme.token(),
        &format!("/v1/suppliers/{}", kim.id),
        None,
        200,
    )
    .await;

    let document: Value = s
        .get("/api-docs/openapi.json")
        .await
        .json()
        .await
        .expect("the document");
    let schemas = document["components"]["schemas"]
        .as_object()
        .expect("schemas");
    let mut seen = BTreeSet::new();
    for org in [acme, kim, lee] {
        for event in feed(&s, org, "?limit=200").await["items"]
            .as_array()
            .expect("items")
        {
            let kind = event["type"].as_str().expect("a type");
            let body = &document["webhooks"][kind]["post"]["requestBody"]["content"]["application/json"]
                ["schema"];
            assert!(body.is_object(), "no webhook documented for {kind}");
            let departures = tierlink_tests::schema_check::departures(event, body, schemas);
            assert!(departures.is_empty(), "{kind}: {departures:?}\n{event}");
            seen.insert(kind.to_owned());
        }
    }
    let expected: BTreeSet<String> = [
        "invitation.accepted",
        "requirement.published",
        "request.received",
        "request.forwarded",
        "request.declined",
        "answer.submitted",
        "answer.changes_requested",
        "answer.accepted",
        "request.amended",
        "requirement.closed",
        "link.ended",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(seen, expected);
}
