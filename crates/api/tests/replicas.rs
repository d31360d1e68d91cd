//! Two `tierlink` processes on one database, as replicas run in
//! production: every webhook attempt is made by one of them, every
//! deadline reminder is sent by one of them, and a delivery a killed
//! process had claimed but not finished is sent again by another.
//!
//! The test server of the harness ([`TestApp`]) sets the scene over HTTP;
//! its own worker and scheduler wait an hour between rounds, so the
//! background work here is done by the real binaries it starts.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{Days, Utc};
use serde_json::{Value, json};
use tierlink_tests::receiver::{HOLD, Receiver};
use tierlink_tests::{Requirement, Scenario, TestApp};

/// A `tierlink serve` process on the scenario's database.
struct Replica {
    child: Child,
    _data: tempfile::TempDir,
}

impl Replica {
    /// Starts a replica and waits until it listens (its migrations done).
    fn start(s: &Scenario) -> Self {
        Self::try_start(s).unwrap_or_else(|refusal| panic!("the replica did not start: {refusal}"))
    }

    /// Starts a replica; what it printed on standard error if it exited
    /// instead of listening.
    fn try_start(s: &Scenario) -> Result<Self, String> {
        let data = tempfile::tempdir().expect("a data directory");
        let mut child = Command::new(env!("CARGO_BIN_EXE_tierlink"))
            .arg("serve")
            .env_clear()
            .env("TIERLINK_DATABASE_URL", s.db.url())
            .env("TIERLINK_BIND", "127.0.0.1:0")
            .env("TIERLINK_DATA_DIR", data.path())
            .env(
                "TIERLINK_EVIDENCE_STORE",
                format!("file://{}", data.path().display()),
            )
            .env("TIERLINK_WORKERS", "1")
            .env("TIERLINK_DATABASE_POOL_SIZE", "4")
            .env("TIERLINK_LOG_FORMAT", "json")
            .env("TIERLINK_LOG", "info")
            .env("TIERLINK_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("TIERLINK_WEBHOOK_POLL_MS", "20")
            .env("TIERLINK_WEBHOOK_TIMEOUT_SECS", "1")
            .env("TIERLINK_WEBHOOK_FIRST_RETRY_SECS", "1")
            .env("TIERLINK_REMINDER_POLL_SECS", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the tierlink binary starts");
        let stdout = child.stdout.take().expect("its output");
        let (listening, up) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut told = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !told && line.contains("listening") {
                    told = listening.send(()).is_ok();
                }
            }
        });
        if up.recv_timeout(Duration::from_secs(60)).is_err() {
            let _ = child.kill();
            let output = child.wait_with_output().expect("its output");
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        // Nothing reads its errors from here on: do not let them fill a pipe.
        drop(child.stderr.take());
        Ok(Self { child, _data: data })
    }

    /// Whether it is still running (it has not crashed).
    fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("its status").is_none()
    }

    /// Ends it the hard way (SIGKILL): no graceful shutdown, no cleanup.
    fn kill(mut self) {
        self.child.kill().expect("killed");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The harness's server, with its own background work idle.
async fn scene(suppliers: &[&str]) -> Scenario {
    let mut builder = TestApp::builder()
        .settings(|settings| {
            settings.webhooks.allow_private = true;
            settings.webhooks.poll_interval = Duration::from_secs(3600);
            settings.reminders.poll_interval = Duration::from_secs(3600);
        })
        .org("Acme");
    for supplier in suppliers {
        builder = builder.org(supplier).supplier("Acme", supplier);
    }
    builder.build().await
}

async fn register(s: &Scenario, org: &str, url: &str, types: &[&str]) -> Value {
    s.call(
        reqwest::Method::POST,
        s.org(org).token(),
        "/v1/webhooks",
        Some(&json!({"url": url, "event_types": types})),
        201,
    )
    .await
}

/// How many times each event id arrived.
fn arrivals(receiver: &Receiver) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for delivery in receiver.received() {
        *counts
            .entry(delivery.header("webhook-id").to_owned())
            .or_default() += 1;
    }
    counts
}

/// SQLite is served by one process (its background work counts on being
/// the only writer): a second server on the file is refused at start,
/// naming the reason, and the first goes on serving.
async fn sqlite_refuses_a_second_server(s: &Scenario) {
    let refusal = Replica::try_start(s)
        .err()
        .expect("a second server on one SQLite file is refused");
    assert!(
        refusal.contains("SQLite is served by one process"),
        "{refusal}"
    );
    assert_eq!(s.get("/readyz").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_deliver_each_event_once_and_send_each_reminder_once() {
    const REQUIREMENTS: usize = 12;
    let mut to_acme = Receiver::start(&[]).await;
    let mut to_kim = Receiver::start(&[]).await;
    let s = scene(&["Kim"]).await;
    if !s.db.is_postgres() {
        return sqlite_refuses_a_second_server(&s).await;
    }
    let acme_hook = register(&s, "Acme", &to_acme.url, &["requirement.published"]).await;
    let kim_hook = register(&s, "Kim", &to_kim.url, &["request.due_soon"]).await;
    let mut replicas = [Replica::start(&s), Replica::start(&s)];

    let tomorrow = (Utc::now().date_naive() + Days::new(1)).to_string();
    let mut requests = BTreeSet::new();
    for n in 0..REQUIREMENTS {
        let published = s
            .publish(
                "Acme",
                &Requirement::new(&format!("Carbon {n}")).due(&tomorrow),
            )
            .await;
        requests.insert(published.request("Kim").to_owned());
    }
    let published = to_acme
        .wait_for_within(REQUIREMENTS, Duration::from_secs(60))
        .await;
    let reminded = to_kim
        .wait_for_within(REQUIREMENTS, Duration::from_secs(60))
        .await;

    // A later event and a later reminder, each delivered after the first
    // ones: the replicas' rounds went on meanwhile.
    let last = s
        .publish("Acme", &Requirement::new("Carbon, last").due(&tomorrow))
        .await;
    requests.insert(last.request("Kim").to_owned());
    to_acme
        .wait_for_within(REQUIREMENTS + 1, Duration::from_secs(60))
        .await;
    to_kim
        .wait_for_within(REQUIREMENTS + 1, Duration::from_secs(60))
        .await;

    let acme_secret = acme_hook["secret"].as_str().expect("a secret");
    assert!(published.iter().all(|got| got.signed_by(acme_secret)));
    let kim_secret = kim_hook["secret"].as_str().expect("a secret");
    assert!(reminded.iter().all(|got| got.signed_by(kim_secret)));
    for receiver in [&to_acme, &to_kim] {
        let counts = arrivals(receiver);
        assert_eq!(counts.len(), REQUIREMENTS + 1, "{counts:?}");
        assert!(
            counts.values().all(|&n| n == 1),
            "an attempt twice: {counts:?}"
        );
    }
    // One reminder per request, in the feed as at the receiver.
    let feed = s
        .call(
            reqwest::Method::GET,
            s.org("Kim").token(),
            "/v1/events?types=request.due_soon&limit=200",
            None,
            200,
        )
        .await;
    let reminded: Vec<&str> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|event| event["resource"]["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(reminded.len(), requests.len(), "{feed}");
    assert_eq!(
        reminded
            .into_iter()
            .map(str::to_owned)
            .collect::<BTreeSet<_>>(),
        requests
    );
    for replica in &mut replicas {
        assert!(replica.is_running());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_a_killed_replica_had_claimed_is_sent_again() {
    // The first attempt is held unanswered: the replica dies mid-delivery.
    let mut receiver = Receiver::start(&[HOLD]).await;
    let s = scene(&["Kim"]).await;
    if !s.db.is_postgres() {
        return sqlite_refuses_a_second_server(&s).await;
    }
    let hook = register(&s, "Acme", &receiver.url, &["requirement.published"]).await;
    let first = Replica::start(&s);
    s.publish("Acme", &Requirement::new("FY2026 carbon")).await;
    let held = receiver.wait_for(1).await.remove(0);
    first.kill();

    // Another replica takes it over once the dead one's lease has run out
    // (the webhook timeout twice and 5 s), with the same id and body.
    let _second = Replica::start(&s);
    let again = receiver
        .wait_for_within(2, Duration::from_secs(60))
        .await
        .remove(1);
    assert_eq!(again.header("webhook-id"), held.header("webhook-id"));
    assert_eq!(again.body, held.body);
    assert!(again.signed_by(hook["secret"].as_str().expect("a secret")));

    let id = hook["id"].as_str().expect("an id");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let log = s
            .call(
                reqwest::Method::GET,
                s.org("Acme").token(),
                &format!("/v1/webhooks/{id}/deliveries"),
                None,
                200,
            )
            .await;
        let delivery = &log["items"][0];
        if delivery["status"] == "succeeded" {
            assert_eq!(log["items"].as_array().map(Vec::len), Some(1), "{log}");
            assert_eq!(delivery["response_status"], 204, "{log}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the redelivery was not recorded: {log}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
