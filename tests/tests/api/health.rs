//! `/healthz`, `/readyz` and the request id.

use std::time::{Duration, Instant};

use tierlink_tests::{TestApp, expect_problem};

#[tokio::test]
async fn liveness_answers_ok() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readiness_answers_ready_when_the_database_answers() {
    let app = TestApp::spawn().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn readiness_is_503_while_the_database_is_unreachable_and_recovers_without_restart() {
    let app = TestApp::spawn().await;
    let Some(name) = app.db.name().map(str::to_owned) else {
        eprintln!(
            "skipped: taking the database offline needs PostgreSQL (set TIERLINK_TEST_DATABASE_URL)"
        );
        return;
    };
    assert_eq!(app.get("/readyz").await.status(), 200);

    app.db.admin_execute(&format!(
        "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"
    ));
    app.db.admin_execute(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ));
    let problem = expect_problem(app.get("/readyz").await, 503, "service_unavailable").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| !d.contains("postgres")),
        "no internals: {problem}"
    );

    app.db
        .admin_execute(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = app.get("/readyz").await.status();
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "readiness did not recover: still {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Takes the test database offline (PostgreSQL): no new connection is
/// allowed and the open ones are closed. `false` on SQLite.
fn take_offline(app: &TestApp) -> bool {
    let Some(name) = app.db.name() else {
        return false;
    };
    app.db.admin_execute(&format!(
        "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"
    ));
    app.db.admin_execute(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ));
    true
}

#[tokio::test]
async fn during_an_outage_every_request_gets_its_503_within_the_database_timeout() {
    let timeout = Duration::from_secs(1);
    let app = TestApp::spawn_with(|settings| settings.database_timeout = timeout).await;
    let org = app.signup("Acme").await;
    if !take_offline(&app) {
        eprintln!("skipped: taking the database offline needs PostgreSQL");
        return;
    }
    // Many more requests than the pool has threads: they queue for them.
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..48 {
        let call = app
            .client
            .get(format!("{}/v1/requests", app.address))
            .bearer_auth(&org.admin.access_token)
            .send();
        calls.spawn(call);
    }
    let responses = calls.join_all().await;
    let slowest = started.elapsed();
    for response in responses {
        let response = response.expect("an answer, not a dropped connection");
        assert_eq!(response.status(), 503);
        assert!(response.headers().contains_key("retry-after"));
    }
    // The bound is the configured timeout; the slack covers scheduling on
    // a loaded test machine, far below the many seconds a queue would add.
    assert!(
        slowest < timeout + Duration::from_secs(3),
        "the slowest 503 took {slowest:?}"
    );
    let probe = Instant::now();
    assert_eq!(app.get("/readyz").await.status(), 503);
    assert!(
        probe.elapsed() < Duration::from_secs(5),
        "readyz took {:?}",
        probe.elapsed()
    );
}

#[tokio::test]
async fn a_request_id_is_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let echoed = app
        .client
        .get(app.url("/healthz"))
        .header("X-Request-Id", "erp-batch-42")
        .send()
        .await
        .expect("sent");
    assert_eq!(echoed.headers()["x-request-id"], "erp-batch-42");

    let generated = app.get("/healthz").await;
    let id = generated.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "generated id {id}");

    let unsafe_id = app
        .client
        .get(app.url("/v1/nowhere"))
        .header("X-Request-Id", "has spaces and \"quotes\"")
        .send()
        .await
        .expect("sent");
    let replaced = unsafe_id.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        uuid::Uuid::parse_str(&replaced).is_ok(),
        "unsafe id replaced, got {replaced}"
    );
}
