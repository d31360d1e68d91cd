//! Idempotent retries and races: replies read whole, requests retried
//! while the database is busy, and many copies of one request fired at
//! once.

use std::sync::Arc;

use serde_json::Value;

use crate::{expect_problem, problem_fields};

/// The status of a reused `Idempotency-Key` (the same key with another
/// body, or on another endpoint). The README and the OpenAPI document
/// promise 409 `idempotency_key_reused`, and requirements answer that
/// today; the IETF Idempotency-Key draft would say 422.
pub const KEY_REUSED_STATUS: u16 = 409;

/// How often a request that keeps meeting `database_busy` is sent before
/// the test gives up.
const MAX_ATTEMPTS: usize = 50;

/// A response read whole: what replays and races compare.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    /// The `Idempotent-Replayed` header.
    pub replayed: Option<String>,
    pub retry_after: Option<String>,
    pub text: String,
}

impl Reply {
    pub async fn read(response: reqwest::Response) -> Self {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|value| value.to_str().expect("an ASCII header").to_owned())
        };
        let status = response.status().as_u16();
        let location = header("location");
        let replayed = header("idempotent-replayed");
        let retry_after = header("retry-after");
        let text = response.text().await.expect("a body");
        Self {
            status,
            location,
            replayed,
            retry_after,
            text,
        }
    }

    /// The body as JSON (`Null` when empty).
    pub fn json(&self) -> Value {
        if self.text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&self.text)
                .unwrap_or_else(|e| panic!("a JSON body ({e}): {}", self.text))
        }
    }

    /// The problem `code`, for an error.
    pub fn code(&self) -> Option<String> {
        self.json()["code"].as_str().map(str::to_owned)
    }

    /// A 503 `database_busy` with `Retry-After`: the client sends the
    /// same request again.
    pub fn is_busy(&self) -> bool {
        self.status == 503 && self.code().as_deref() == Some("database_busy")
    }
}

/// Sends `request` until the answer is not `database_busy`, the way a
/// client that honours `Retry-After` would (without the wait: the test
/// has no one to be polite to). Each busy answer must carry `Retry-After`.
pub async fn send_settled(request: reqwest::RequestBuilder) -> Reply {
    for _ in 0..MAX_ATTEMPTS {
        let attempt = request
            .try_clone()
            .expect("a request that can be sent again");
        let reply = Reply::read(attempt.send().await.expect("the request is sent")).await;
        if !reply.is_busy() {
            return reply;
        }
        assert!(
            reply.retry_after.is_some(),
            "database_busy without Retry-After: {reply:?}"
        );
    }
    panic!("still database_busy after {MAX_ATTEMPTS} attempts");
}

/// Sends the `requests` all at once, each on a connection of its own:
/// every task waits at one barrier, so none starts before all are ready.
/// Busy answers are retried ([`send_settled`]); the replies in the order of
/// `requests`.
pub async fn race(requests: Vec<reqwest::RequestBuilder>) -> Vec<Reply> {
    let barrier = Arc::new(tokio::sync::Barrier::new(requests.len()));
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                send_settled(request).await
            })
        })
        .collect();
    let mut replies = Vec::with_capacity(tasks.len());
    for task in tasks {
        replies.push(task.await.expect("a racing request"));
    }
    replies
}

/// `replay` is `first` again: the same status, body and `Location`, marked
/// `Idempotent-Replayed: true` (and `first` is not).
pub fn expect_replay(first: &Reply, replay: &Reply) {
    assert_eq!(
        first.replayed, None,
        "a first answer is no replay: {first:?}"
    );
    assert_eq!(
        replay.status, first.status,
        "a replay has the first status: {replay:?}"
    );
    assert_eq!(
        replay.replayed.as_deref(),
        Some("true"),
        "Idempotent-Replayed: {replay:?}"
    );
    assert_eq!(replay.location, first.location, "the first Location");
    assert_eq!(replay.json(), first.json(), "the first body");
}

/// The problem for an `Idempotency-Key` used before for another request.
pub async fn expect_key_reused(response: reqwest::Response) {
    let problem = expect_problem(response, KEY_REUSED_STATUS, "idempotency_key_reused").await;
    assert_eq!(problem_fields(&problem), ["Idempotency-Key"], "{problem}");
}
