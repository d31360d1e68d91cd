//! The account cache: each token's account standing is kept between
//! requests, on SQLite while the database is unchanged, on PostgreSQL while
//! nobody's standing changed (notified by PostgreSQL to every replica).
//! These tests see a repeated call answered from the cache, then change an
//! account from outside the server and check it is refused: on the very
//! next request when the server is told to ask SQLite on every request and
//! not to keep accounts on PostgreSQL, and by default soon (within a
//! millisecond on SQLite, `TIERLINK_ACCOUNT_WATCH_MS` on PostgreSQL). A
//! change through the API applies at once (`tokens.rs`).

use std::time::Duration;

use serde_json::Value;
use tierlink_tests::{Requirement, ScenarioBuilder, TestApp, TestOrg, expect_problem};

/// Hanbit received Hyundai Steel's "Steel 2026" requirement.
struct Setup {
    app: TestApp,
    supplier: TestOrg,
    request: String,
}

async fn setup() -> Setup {
    setup_with(TestApp::builder()).await
}

/// A server that asks SQLite on every request whether another process
/// wrote (by default it trusts an answer for a millisecond), and on
/// PostgreSQL reads accounts on every request.
async fn setup_rechecking_always() -> Setup {
    setup_with(TestApp::builder().settings(|s| {
        s.account_cache_recheck = Duration::ZERO;
        s.account_watch_poll = Duration::ZERO;
    }))
    .await
}

async fn setup_with(builder: ScenarioBuilder) -> Setup {
    let s = builder
        .supplier("Hyundai Steel", "Hanbit")
        .publish("Hyundai Steel", Requirement::new("Steel 2026"))
        .build()
        .await;
    Setup {
        supplier: s.org("Hanbit").clone(),
        request: s.request("Hanbit").to_owned(),
        app: s.app,
    }
}

impl Setup {
    /// Reads `path` as the supplier twice; both reads must agree.
    async fn read_twice(&self, path: &str) -> (Value, Option<String>) {
        let first = self.read(&self.supplier, path, 200).await;
        let second = self.read(&self.supplier, path, 200).await;
        assert_eq!(first, second, "two reads with no change between agree");
        second
    }

    async fn read(&self, org: &TestOrg, path: &str, status: u16) -> (Value, Option<String>) {
        let response = self.app.get_as(&org.admin.access_token, path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        let etag = response
            .headers()
            .get("etag")
            .map(|v| v.to_str().expect("ASCII").to_owned());
        (response.json().await.expect("a JSON body"), etag)
    }

    fn request_path(&self) -> String {
        format!("/v1/requests/{}", self.request)
    }
}

#[tokio::test]
async fn a_repeated_call_takes_the_account_from_the_cache() {
    let s = setup().await;
    let before = s.app.account_cache_stats();
    // The first call of each server reads the account; the calls after it
    // find it kept (a background write on SQLite, such as the delivery
    // worker's claim, may retire it now and then: hence several calls).
    for _ in 0..6 {
        s.read(&s.supplier, &s.request_path(), 200).await;
    }
    let after = s.app.account_cache_stats();
    assert!(
        after.hits > before.hits,
        "some calls were answered from the cache: {before:?} then {after:?}"
    );
}

#[tokio::test]
async fn with_the_cache_off_every_call_reads_the_account() {
    let s = setup_with(TestApp::builder().settings(|s| s.account_cache_entries = 0)).await;
    for _ in 0..3 {
        s.read(&s.supplier, &s.request_path(), 200).await;
    }
    let stats = s.app.account_cache_stats();
    assert_eq!(
        (stats.hits, stats.misses),
        (0, 0),
        "nothing is kept or counted"
    );
}

#[tokio::test]
async fn an_account_disabled_outside_the_server_is_refused_on_its_next_request() {
    let s = setup_rechecking_always().await;
    s.read_twice(&s.request_path()).await;

    s.app.execute_sql(&format!(
        "UPDATE users SET disabled_at = CURRENT_TIMESTAMP WHERE id = '{}'",
        s.supplier.admin.id
    ));

    let response = s
        .app
        .get_as(&s.supplier.admin.access_token, &s.request_path())
        .await;
    expect_problem(response, 401, "unauthorized").await;
}

#[tokio::test]
async fn an_account_disabled_by_another_process_is_refused_soon_with_the_default_settings() {
    let s = setup().await;
    s.read_twice(&s.request_path()).await;

    s.app.execute_sql(&format!(
        "UPDATE users SET disabled_at = CURRENT_TIMESTAMP WHERE id = '{}'",
        s.supplier.admin.id
    ));

    // Within the recheck time on SQLite, the watch's poll on PostgreSQL.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let response = s
            .app
            .get_as(&s.supplier.admin.access_token, &s.request_path())
            .await;
        if response.status() == 401 {
            expect_problem(response, 401, "unauthorized").await;
            break;
        }
        assert_eq!(response.status(), 200, "until refused, the read succeeds");
        assert!(tokio::time::Instant::now() < deadline, "never refused");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The two hot reads (a request, the incoming list) check the account in
/// the same trip as the read when the cache does not know it, and at once
/// when it does: both ways refuse an inactive account (401) and a caller
/// without `requirements:read` (403).
async fn hot_reads_check_the_caller(s: &Setup) {
    let paths = [s.request_path(), "/v1/requests".to_owned()];
    let erp = s
        .app
        .add_client(&s.supplier.admin, &["requirements:read"])
        .await;
    let unscoped = s
        .app
        .add_client(&s.supplier.admin, &["responses:read"])
        .await;
    // Three rounds: with the cache on, the first reads the account in the
    // read's own trip and the next find it kept.
    for _ in 0..3 {
        for path in &paths {
            for token in [&s.supplier.admin.access_token, &erp.access_token] {
                let response = s.app.get_as(token, path).await;
                assert_eq!(response.status(), 200, "GET {path}");
            }
            let response = s.app.get_as(&unscoped.access_token, path).await;
            expect_problem(response, 403, "forbidden").await;
        }
    }

    s.app.execute_sql(&format!(
        "UPDATE users SET disabled_at = CURRENT_TIMESTAMP WHERE id = '{}'",
        s.supplier.admin.id
    ));
    s.app.execute_sql(&format!(
        "UPDATE api_clients SET revoked_at = CURRENT_TIMESTAMP WHERE id = '{}'",
        erp.id
    ));
    for path in &paths {
        for token in [&s.supplier.admin.access_token, &erp.access_token] {
            s.app.await_account_change(token, path, 401).await;
            let response = s.app.get_as(token, path).await;
            expect_problem(response, 401, "unauthorized").await;
        }
    }
}

#[tokio::test]
async fn hot_reads_check_the_caller_with_the_cache_on() {
    hot_reads_check_the_caller(&setup_rechecking_always().await).await;
}

#[tokio::test]
async fn hot_reads_check_the_caller_with_the_cache_off() {
    let s = setup_with(TestApp::builder().settings(|s| s.account_cache_entries = 0)).await;
    hot_reads_check_the_caller(&s).await;
    let stats = s.app.account_cache_stats();
    assert_eq!((stats.hits, stats.misses), (0, 0), "nothing was kept");
}
