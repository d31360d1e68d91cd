//! The read cache: on SQLite, account states and the responses of
//! `GET /v1/requests` and `GET /v1/requests/{id}` are kept while the
//! database is unchanged; on PostgreSQL, account states while no account
//! changed (notified by PostgreSQL to every replica). These tests read
//! twice (so the second read can be a cached one), change something, and
//! check the very next read sees it — whether the change came through the
//! API or from outside the server (for which the server is told to ask
//! SQLite on every request and not to keep accounts on PostgreSQL: by
//! default it sees such a change within a millisecond on SQLite and within
//! `TIERLINK_ACCOUNT_WATCH_MS` on PostgreSQL, which the last test shows).

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tierlink_tests::{Requirement, ScenarioBuilder, TestApp, TestOrg, expect_problem};

/// Hanbit received Hyundai Steel's "Steel 2026" requirement.
struct Setup {
    app: TestApp,
    large: TestOrg,
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
        s.read_cache_recheck = Duration::ZERO;
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
        large: s.org("Hyundai Steel").clone(),
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
async fn a_change_through_the_api_shows_on_the_next_read() {
    let s = setup().await;
    let (before, etag_before) = s.read_twice(&s.request_path()).await;
    assert_eq!(before["status"], "open");
    let (list_before, _) = s.read_twice("/v1/requests?status=open").await;
    assert_eq!(list_before["items"].as_array().map(Vec::len), Some(1));

    s.app
        .call(
            Method::POST,
            &s.supplier.admin.access_token,
            &format!("/v1/requests/{}/decline", s.request),
            Some(&json!({"reason": "We do not make steel."})),
            200,
        )
        .await;

    let (after, etag_after) = s.read(&s.supplier, &s.request_path(), 200).await;
    assert_eq!(after["status"], "declined");
    assert_ne!(etag_after, etag_before, "the ETag follows the change");
    let (list_after, _) = s.read(&s.supplier, "/v1/requests?status=open", 200).await;
    assert_eq!(list_after["items"], json!([]), "no open request is left");
}

#[tokio::test]
async fn a_change_made_outside_the_server_shows_on_the_next_read() {
    let s = setup_rechecking_always().await;
    s.read_twice(&s.request_path()).await;
    s.read_twice("/v1/requests").await;

    // Another process writing the same database (as `tierlink admin` would).
    s.app.execute_sql(&format!(
        "UPDATE requests SET title = 'Renamed outside' WHERE id = '{}'",
        s.request
    ));

    let (read, _) = s.read(&s.supplier, &s.request_path(), 200).await;
    assert_eq!(read["title"], "Renamed outside");
    let (list, _) = s.read(&s.supplier, "/v1/requests", 200).await;
    assert_eq!(list["items"][0]["title"], "Renamed outside");
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

#[tokio::test]
async fn a_read_kept_for_one_organisation_is_never_served_to_another() {
    let s = setup().await;
    let (supplier_view, _) = s.read_twice(&s.request_path()).await;
    s.read_twice("/v1/requests").await;

    // The same paths, asked by an organisation with no part in the request.
    let stranger = s.app.signup("Daehan Parts").await;
    let response = s
        .app
        .get_as(&stranger.admin.access_token, &s.request_path())
        .await;
    expect_problem(response, 404, "not_found").await;
    let (list, _) = s.read(&stranger, "/v1/requests", 200).await;
    assert_eq!(list["items"], json!([]));

    // The requester may read it, and gets the same request.
    let (requester_view, _) = s.read(&s.large, &s.request_path(), 200).await;
    assert_eq!(requester_view["id"], supplier_view["id"]);
}
