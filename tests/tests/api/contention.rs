//! Writes that meet a lock another transaction holds (another process on
//! SQLite, another replica or an operator's session on PostgreSQL): the
//! request waits the configured lock timeout, then answers a retryable 503
//! `database_busy`, having written nothing; sent again once the lock is
//! gone, it succeeds.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tierlink_tests::{TestApp, expect_problem};

/// A server that gives up on a lock after 200 ms, so tests wait little.
async fn spawn_with_short_lock_timeout() -> TestApp {
    TestApp::spawn_with(|settings| {
        settings.database_lock_timeout = Duration::from_millis(200);
    })
    .await
}

#[tokio::test]
async fn a_write_kept_waiting_past_the_lock_timeout_is_a_retryable_503_that_wrote_nothing() {
    let app = spawn_with_short_lock_timeout().await;
    let buyer = app.signup("Busy Motors").await;
    let token = &buyer.admin.access_token;
    let invite = json!({"email": "supplier@busy.example"});

    let lock = app.hold_write_lock("invitations");
    let response = app
        .send_as(Method::POST, token, "/v1/invitations", Some(&invite))
        .await;
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let problem = expect_problem(response, 503, "database_busy").await;
    assert_eq!(
        retry_after.as_deref(),
        Some("1"),
        "clients are told when to retry"
    );
    let text = problem.to_string();
    for internal in ["locked", "lock timeout", "SQL", "diesel"] {
        assert!(!text.contains(internal), "no internals in {text}");
    }

    // Reads are not held up by the lock, and nothing of the failed write is there.
    let listed = app
        .call(Method::GET, token, "/v1/invitations", None, 200)
        .await;
    assert_eq!(listed["items"], json!([]), "the failed write left nothing");

    drop(lock);
    let created = app
        .call(Method::POST, token, "/v1/invitations", Some(&invite), 201)
        .await;
    assert_eq!(
        created["status"], "pending",
        "the same request succeeds once the lock is gone"
    );
}

/// Logins write on the read cache's own SQLite connection
/// (`Database::write_outside_cache`): kept waiting, they fail the same way,
/// and leave that connection fit for the next one.
#[tokio::test]
async fn a_login_kept_waiting_is_a_retryable_503_and_the_next_one_works() {
    let app = spawn_with_short_lock_timeout().await;
    let buyer = app.signup("Busy Logins").await;
    let credentials = json!({"email": buyer.admin.email, "password": buyer.admin.password});

    let lock = app.hold_write_lock("refresh_tokens");
    let response = app.post_json("/v1/auth/login", &credentials).await;
    expect_problem(response, 503, "database_busy").await;
    drop(lock);

    let user = app.login(&buyer.admin.email, &buyer.admin.password).await;
    let me = app
        .call(Method::GET, &user.access_token, "/v1/me", None, 200)
        .await;
    assert_eq!(me["user_id"], buyer.admin.id.as_str());
    assert_eq!(me["role"], "admin");
    let listed = app
        .call(Method::GET, &user.access_token, "/v1/requests", None, 200)
        .await;
    assert_eq!(listed["items"], json!([]));
}
