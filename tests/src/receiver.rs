//! A webhook receiver for tests: a real HTTP listener on 127.0.0.1 that
//! records every delivery, answers with scripted statuses, and lets a test
//! wait for the n-th delivery without sleeping. It also plays a customer's
//! PACT host, as PACT's conformance service does: `/3/events` records like
//! `/hooks`, and `/auth/token` gives a token to the client `test_client_id`
//! with the secret `test_client_secret`, answering only `access_token`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

/// A scripted status that never answers: the delivery is recorded and its
/// connection held open until the sender gives up or goes away.
pub const HOLD: u16 = 0;

/// One delivery as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers[name].to_str().expect("a text header")
    }

    /// Whether `secret` signed this delivery (Standard Webhooks' own check).
    pub fn signed_by(&self, secret: &str) -> bool {
        standardwebhooks::Webhook::new(secret)
            .expect("a whsec_ secret")
            .verify(self.body.as_bytes(), &self.headers)
            .is_ok()
    }
}

/// A webhook receiver: records deliveries and answers with scripted
/// statuses (204 once the script runs out; [`HOLD`] never answers).
pub struct Receiver {
    pub url: String,
    /// `http://127.0.0.1:<port>`, for a PACT host's base URL.
    pub base: String,
    got: Arc<Mutex<Vec<Received>>>,
    count: tokio::sync::watch::Receiver<usize>,
    handle: actix_web::dev::ServerHandle,
}

#[derive(Clone)]
struct ReceiverState {
    got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
    count: Arc<tokio::sync::watch::Sender<usize>>,
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<ReceiverState>,
) -> HttpResponse {
    let mut headers = HeaderMap::new();
    for (name, value) in req.headers() {
        headers.insert(
            HeaderName::from_bytes(name.as_str().as_bytes()).expect("a name"),
            HeaderValue::from_bytes(value.as_bytes()).expect("a value"),
        );
    }
    let status = state
        .script
        .lock()
        .expect("not poisoned")
        .pop_front()
        .unwrap_or(204);
    {
        let mut got = state.got.lock().expect("not poisoned");
        got.push(Received {
            path: req.path().to_owned(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        state.count.send_replace(got.len());
    }
    if status == HOLD {
        std::future::pending::<()>().await;
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("a status")).finish()
}

/// The clients the PACT host's token endpoint knows: the conformance
/// service's, and one whose id and secret need RFC 6749's form-encoding.
pub const PACT_CLIENTS: [(&str, &str); 2] = [
    ("test_client_id", "test_client_secret"),
    ("tier:link", "s3c:r%t+ key"),
];

/// The PACT host's token endpoint: HTTP Basic with a known client, its
/// id and secret form-decoded as RFC 6749 §2.3.1 says.
async fn token(req: HttpRequest) -> HttpResponse {
    use base64::Engine as _;
    let given = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
        .and_then(|v| String::from_utf8(v).ok())
        .unwrap_or_default();
    let decode = |part: &str| {
        form_urlencoded::parse(format!("x={part}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let known = given.split_once(':').is_some_and(|(id, secret)| {
        PACT_CLIENTS.contains(&(decode(id).as_str(), decode(secret).as_str()))
    });
    if known {
        HttpResponse::Ok().json(serde_json::json!({"access_token": "harness-token"}))
    } else {
        HttpResponse::Unauthorized().json(serde_json::json!({"error": "invalid_client"}))
    }
}

impl Receiver {
    pub async fn start(script: &[u16]) -> Self {
        let (sender, count) = tokio::sync::watch::channel(0);
        let state = ReceiverState {
            got: Arc::default(),
            script: Arc::new(Mutex::new(script.iter().copied().collect())),
            count: Arc::new(sender),
        };
        let got = state.got.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let url = format!("{base}/hooks");
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(state.clone()))
                .route("/hooks", web::post().to(receive))
                .route("/3/events", web::post().to(receive))
                .route("/auth/token", web::post().to(token))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listening")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url,
            base,
            got,
            count,
            handle,
        }
    }

    /// Waits (up to `within`) until `n` deliveries have arrived.
    pub async fn wait_for_within(&mut self, n: usize, within: Duration) -> Vec<Received> {
        tokio::time::timeout(within, self.count.wait_for(|got| *got >= n))
            .await
            .unwrap_or_else(|_| panic!("{n} deliveries did not arrive"))
            .expect("the receiver runs");
        self.received()
    }

    /// Waits (up to 20 s) until `n` deliveries have arrived.
    pub async fn wait_for(&mut self, n: usize) -> Vec<Received> {
        self.wait_for_within(n, Duration::from_secs(20)).await
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().expect("not poisoned").clone()
    }
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

/// Server settings for deliveries to this receiver: private addresses
/// allowed (it listens on 127.0.0.1), quick polling and retries.
pub fn local_deliveries(settings: &mut tierlink_api::config::Settings) {
    settings.webhooks.allow_private = true;
    settings.webhooks.poll_interval = Duration::from_millis(20);
    settings.webhooks.retry.first_retry = Duration::from_millis(10);
    settings.webhooks.retry.longest_wait = Duration::from_millis(50);
}
