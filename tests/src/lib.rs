//! The end-to-end test harness: [`TestApp`] starts the real server on a
//! random port with a database of its own, and talks to it over HTTP.
//!
//! The database is SQLite in a temporary directory by default. When
//! `TIERLINK_TEST_DATABASE_URL` names a PostgreSQL server
//! (`postgres://postgres@127.0.0.1:5432/postgres`), each test gets a new
//! database there, dropped when the test ends, so tests run in parallel.
//!
//! `TIERLINK_TEST_REPLICAS=2` runs each test against two servers on the
//! test's database, with HAProxy (Debian's `haproxy`, see [`replicas`])
//! alternating between them request by request: what a deployment of
//! several replicas does. The two are separate `Application`s in this
//! process, sharing nothing but the database, as two processes would.
//! (PostgreSQL only: one SQLite file is served by one process.)
//!
//! Scenario files start from [`TestApp::builder`] (organisations, supplier
//! links, published requirements: see [`ScenarioBuilder`]) and act with the
//! steps in `acts.rs` (answer, forward, accept, upload, ...); `replay.rs`
//! holds what idempotency and race tests compare.

use std::time::Duration;

use diesel::{Connection, RunQueryDsl, pg::PgConnection};
use serde_json::{Value, json};
use tierlink_api::auth::keys::{KeyRing, KeySource};
use tierlink_api::auth::throttle::ThrottleSettings;
use tierlink_api::auth::tokens::{Claims, TokenIssuer};
use tierlink_api::config::{LogFormat, Settings};
use tierlink_api::{Application, telemetry};
use tierlink_persistence::DatabaseUrl;

mod acts;
pub mod pact;
pub mod receiver;
mod replay;
pub mod replicas;
mod scenario;
pub mod schema_check;

pub use acts::PDF;
pub use replay::{KEY_REUSED_STATUS, Reply, expect_key_reused, expect_replay, race, send_settled};
pub use scenario::{Published, Requirement, Scenario, ScenarioBuilder};

pub const TEST_DATABASE_URL: &str = "TIERLINK_TEST_DATABASE_URL";

/// A database that exists for one test.
#[derive(Debug)]
pub enum TestDatabase {
    Sqlite { dir: tempfile::TempDir },
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A new, empty database on the engine the environment selects.
    pub fn create() -> Self {
        match std::env::var(TEST_DATABASE_URL) {
            Ok(admin_url) if !admin_url.trim().is_empty() => {
                Self::create_postgres(admin_url.trim())
            }
            _ => Self::Sqlite {
                dir: tempfile::tempdir().expect("a temporary directory"),
            },
        }
    }

    /// A new PostgreSQL database on the server `admin_url` points at.
    pub fn create_postgres(admin_url: &str) -> Self {
        let name = format!("tierlink_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin =
            PgConnection::establish(admin_url).expect("connect to the PostgreSQL test server");
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .expect("create a test database");
        Self::Postgres {
            admin_url: admin_url.to_owned(),
            name,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }

    pub fn url(&self) -> String {
        match self {
            Self::Sqlite { dir } => {
                format!("sqlite://{}", dir.path().join("tierlink.db").display())
            }
            Self::Postgres { admin_url, name } => with_database_name(admin_url, name),
        }
    }

    /// Runs SQL as the server's administrator (PostgreSQL only), e.g. to
    /// take the test database offline.
    pub fn admin_execute(&self, sql: &str) {
        if let Self::Postgres { admin_url, .. } = self {
            let mut admin = PgConnection::establish(admin_url).expect("connect as administrator");
            diesel::sql_query(sql)
                .execute(&mut admin)
                .expect("administrative SQL");
        }
    }

    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Postgres { name, .. } => Some(name),
            Self::Sqlite { .. } => None,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Self::Postgres { admin_url, name } = self
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

/// `postgres://u@h:5432/postgres?x=y` with the database replaced by `name`.
pub fn with_database_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{name}?{query}"),
        None => format!("{host_part}/{name}"),
    }
}

/// The real server, running for one test.
#[derive(Debug)]
pub struct TestApp {
    pub address: String,
    /// Each server's own address (one, or each replica's behind the proxy).
    pub servers: Vec<String>,
    pub client: reqwest::Client,
    pub db: TestDatabase,
    pub settings: Settings,
    /// Where this server keeps evidence files.
    pub files: tempfile::TempDir,
    private_key_pem: String,
    handles: Vec<actix_web::dev::ServerHandle>,
    account_caches: Vec<tierlink_api::account_cache::AccountCache>,
    /// HAProxy in front of the replicas (`TIERLINK_TEST_REPLICAS=2`).
    proxy: Option<replicas::Proxy>,
}

/// An organisation made through sign-up, with its first admin logged in.
#[derive(Debug, Clone)]
pub struct TestOrg {
    pub id: String,
    /// The name it signed up with.
    pub name: String,
    pub admin: TestUser,
}

impl TestOrg {
    /// Its admin's access token.
    pub fn token(&self) -> &str {
        &self.admin.access_token
    }
}

/// A logged-in person.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: String,
}

/// A machine client with a token.
#[derive(Debug, Clone)]
pub struct TestClient {
    pub id: String,
    pub secret: String,
    pub access_token: String,
}

/// A lock held by a transaction on a connection of the test's own; rolled
/// back (and so released) when dropped. See [`TestApp::hold_write_lock`].
pub struct HeldLock(LockHolder);

enum LockHolder {
    Sqlite(diesel::sqlite::SqliteConnection),
    Postgres(PgConnection),
}

impl std::fmt::Debug for HeldLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HeldLock")
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        use diesel::connection::SimpleConnection as _;
        let _ = match &mut self.0 {
            LockHolder::Sqlite(connection) => connection.batch_execute("ROLLBACK"),
            LockHolder::Postgres(connection) => connection.batch_execute("ROLLBACK"),
        };
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// Starts a server with default settings on a fresh database.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server after `customise` has adjusted its settings (with
    /// `TIERLINK_TEST_REPLICAS`, that many behind a proxy).
    pub async fn spawn_with(customise: impl FnOnce(&mut Settings)) -> Self {
        Self::spawn_servers(replicas::count(), customise).await
    }

    /// [`TestApp::spawn_with`], always one server: for tests of what each
    /// process keeps for itself (the sign-in throttles).
    pub async fn spawn_one_with(customise: impl FnOnce(&mut Settings)) -> Self {
        Self::spawn_servers(1, customise).await
    }

    async fn spawn_servers(count: usize, customise: impl FnOnce(&mut Settings)) -> Self {
        if std::env::var_os("TEST_LOG").is_some() {
            telemetry::init("debug", LogFormat::Human);
        }
        let db = TestDatabase::create();
        let private_key_pem = KeyRing::generate_pem().expect("a signing key");
        let mut settings = Settings {
            bind: "127.0.0.1:0".to_owned(),
            database_url: DatabaseUrl::parse(&db.url()).expect("a valid test database URL"),
            database_pool_size: 4,
            database_timeout: Duration::from_secs(5),
            workers: Some(1),
            shutdown_timeout: Duration::from_secs(1),
            ..Settings::default()
        };
        settings.auth.jwt_key = KeySource::Pem(private_key_pem.clone());
        let files = tempfile::tempdir().expect("a directory for evidence files");
        settings.evidence_store = format!("file://{}", files.path().display());
        // Every test client is 127.0.0.1: the allowances are far above
        // what any test sends, except in tests of the throttle itself.
        settings.auth.throttle = ThrottleSettings {
            per_account_per_minute: 1_000,
            per_address_per_minute: 1_000,
            failures_per_account_per_hour: 1_000,
            signups_per_address_per_hour: 100_000,
            new_users_per_organisation_per_hour: 100_000,
        };
        customise(&mut settings);
        let mut ports = Vec::new();
        let mut handles = Vec::new();
        let mut account_caches = Vec::new();
        // One SQLite file is served by one process (the server locks it).
        let replicas = match settings.database_url.engine() {
            tierlink_persistence::Engine::Postgres => count,
            tierlink_persistence::Engine::Sqlite => 1,
        };
        for _ in 0..replicas {
            let app = Application::build(&settings).expect("the application starts");
            ports.push(app.port());
            handles.push(app.handle());
            account_caches.push(app.account_cache());
            tokio::spawn(app.run_until_stopped());
        }
        let proxy = (ports.len() > 1).then(|| replicas::Proxy::start(&ports));
        let address = format!(
            "http://127.0.0.1:{}",
            proxy.as_ref().map_or(ports[0], replicas::Proxy::port)
        );
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Self {
            address,
            servers: ports
                .iter()
                .map(|port| format!("http://127.0.0.1:{port}"))
                .collect(),
            client,
            db,
            settings,
            files,
            private_key_pem,
            handles,
            account_caches,
            proxy,
        }
    }

    /// A token issuer holding the server's own signing key, for forging
    /// tokens with chosen claims.
    pub fn token_issuer(&self) -> TokenIssuer {
        let keys = KeyRing::from_pem(&self.private_key_pem, "").expect("the server's key");
        TokenIssuer::new(
            keys,
            self.settings.auth.jwt_issuer.clone(),
            self.settings.auth.jwt_audience.clone(),
            self.settings.auth.access_token_ttl,
        )
    }

    /// Signs `claims` with the server's key.
    pub fn sign(&self, claims: &Claims) -> String {
        self.token_issuer().sign(claims).expect("signed")
    }

    /// Signs up an organisation named `name` with admin `admin@<slug>.example`.
    pub async fn signup(&self, name: &str) -> TestOrg {
        let slug: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        let email = format!("admin@{slug}.example");
        let response = self
            .post_json(
                "/v1/signup",
                &json!({
                    "organisation": {"name": name, "country": "KR"},
                    "admin": {"email": email, "display_name": format!("{name} admin"), "password": PASSWORD}
                }),
            )
            .await;
        assert_eq!(response.status(), 201, "sign-up of {name}");
        let body: Value = response.json().await.expect("a sign-up body");
        let admin = self.login(&email, PASSWORD).await;
        TestOrg {
            id: body["organisation"]["id"]
                .as_str()
                .expect("an id")
                .to_owned(),
            name: name.to_owned(),
            admin: TestUser {
                id: body["admin"]["id"].as_str().expect("an id").to_owned(),
                ..admin
            },
        }
    }

    /// Logs in, asserting success.
    pub async fn login(&self, email: &str, password: &str) -> TestUser {
        let response = self
            .post_json(
                "/v1/auth/login",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(response.status(), 200, "login of {email}");
        let body: Value = response.json().await.expect("a token body");
        TestUser {
            id: String::new(),
            email: email.to_owned(),
            password: password.to_owned(),
            access_token: body["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
            refresh_token: body["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .to_owned(),
        }
    }

    /// Adds a user with `role` to the admin's organisation and logs them in.
    pub async fn add_user(&self, admin: &TestUser, email: &str, role: &str) -> TestUser {
        let response = self
            .send_as(
                reqwest::Method::POST,
                &admin.access_token,
                "/v1/users",
                Some(&json!({"email": email, "display_name": email, "role": role, "password": PASSWORD})),
            )
            .await;
        assert_eq!(response.status(), 201, "adding {email}");
        let body: Value = response.json().await.expect("a user body");
        TestUser {
            id: body["id"].as_str().expect("an id").to_owned(),
            ..self.login(email, PASSWORD).await
        }
    }

    /// Creates a machine client with `scopes` and gets it a token.
    pub async fn add_client(&self, admin: &TestUser, scopes: &[&str]) -> TestClient {
        let response = self
            .send_as(
                reqwest::Method::POST,
                &admin.access_token,
                "/v1/api-clients",
                Some(&json!({"name": "ERP", "scopes": scopes})),
            )
            .await;
        assert_eq!(response.status(), 201, "creating a client");
        let body: Value = response.json().await.expect("a client body");
        let id = body["client_id"].as_str().expect("client_id").to_owned();
        let secret = body["client_secret"]
            .as_str()
            .expect("client_secret")
            .to_owned();
        let token = self.client_token(&id, &secret).await;
        assert_eq!(token.status(), 200, "client token");
        let token: Value = token.json().await.expect("a token body");
        TestClient {
            id,
            secret,
            access_token: token["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
        }
    }

    /// `grant_type=client_credentials` with HTTP Basic.
    pub async fn client_token(&self, id: &str, secret: &str) -> reqwest::Response {
        self.client
            .post(self.url("/v1/auth/token"))
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("the request is sent")
    }

    /// Sends a request with a bearer token and an optional JSON body.
    pub async fn send_as(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<&Value>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("the request is sent")
    }

    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.send_as(reqwest::Method::GET, token, path, None).await
    }

    /// The account caches' hits and misses so far, over every server.
    pub fn account_cache_stats(&self) -> tierlink_api::account_cache::CacheStats {
        self.account_caches.iter().map(|cache| cache.stats()).fold(
            tierlink_api::account_cache::CacheStats::default(),
            |sum, stats| tierlink_api::account_cache::CacheStats {
                hits: sum.hits + stats.hits,
                misses: sum.misses + stats.misses,
            },
        )
    }

    /// After a change of someone's standing (disabled, another role, a
    /// revoked client), returns once every server applies it. One server
    /// applies it at once, so this returns at once and the test checks the
    /// next answer strictly. Replicas hear of it from PostgreSQL within their
    /// account watch's poll: this sends `GET path` as `token` until
    /// `expected` comes back from each replica in turn (round-robin), for
    /// at most the watch's bound, and panics past it.
    pub async fn await_account_change(&self, token: &str, path: &str, expected: u16) {
        if self.servers.len() == 1 {
            return;
        }
        let deadline = std::time::Instant::now()
            + tierlink_persistence::account_watch::SILENT_AFTER
            + Duration::from_secs(2);
        let mut agreeing = 0;
        while agreeing < self.servers.len() {
            let status = self.get_as(token, path).await.status();
            agreeing = if status == expected { agreeing + 1 } else { 0 };
            assert!(
                std::time::Instant::now() < deadline,
                "the replicas did not all answer {expected} to {path} (last: {status})"
            );
        }
    }

    /// Sends and expects `status`, returning the JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<&Value>,
        status: u16,
    ) -> Value {
        let response = self.send_as(method.clone(), token, path, body).await;
        let actual = response.status().as_u16();
        let text = response.text().await.expect("a body");
        assert_eq!(actual, status, "{method} {path}: {text}");
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("a JSON body")
        }
    }

    /// The id of the first request in `org`'s list of incoming requests
    /// (the newest; the only one in most tests).
    pub async fn first_request(&self, org: &TestOrg) -> String {
        let page = self
            .call(
                reqwest::Method::GET,
                &org.admin.access_token,
                "/v1/requests",
                None,
                200,
            )
            .await;
        page["items"][0]["id"]
            .as_str()
            .expect("a request")
            .to_owned()
    }

    /// Creates and publishes a requirement of `owner`'s; returns its id.
    pub async fn publish_requirement(&self, owner: &TestOrg, body: &Value) -> String {
        let token = &owner.admin.access_token;
        let created = self
            .call(
                reqwest::Method::POST,
                token,
                "/v1/requirements",
                Some(body),
                201,
            )
            .await;
        let id = created["id"].as_str().expect("an id").to_owned();
        self.call(
            reqwest::Method::POST,
            token,
            &format!("/v1/requirements/{id}/publish"),
            None,
            200,
        )
        .await;
        id
    }

    /// Makes `supplier` a supplier of `buyer`: an invitation accepted.
    pub async fn link(&self, buyer: &TestOrg, supplier: &TestOrg) {
        let invitation = self.invite(buyer, &supplier.admin.email).await;
        let code = invitation["code"].as_str().expect("a code");
        self.call(
            reqwest::Method::POST,
            &supplier.admin.access_token,
            "/v1/invitations/accept",
            Some(&json!({"code": code})),
            201,
        )
        .await;
    }

    /// Runs SQL on the test database directly (both engines), to arrange
    /// states the API cannot reach quickly (an expired invitation, a past due date).
    pub fn execute_sql(&self, sql: &str) {
        let options = tierlink_persistence::PoolOptions {
            account_watch_poll: Duration::ZERO,
            ..tierlink_persistence::PoolOptions::default()
        };
        let database = tierlink_persistence::Database::open(&self.settings.database_url, options)
            .expect("the test database opens");
        database
            .write(|conn| -> Result<_, tierlink_persistence::StoreError> {
                diesel::sql_query(sql).execute(conn)?;
                Ok(())
            })
            .expect("the SQL runs");
    }

    /// Opens a connection of its own (as another process or replica would)
    /// and holds a lock that keeps every other writer of `table` waiting
    /// until the returned guard is dropped: SQLite's write lock (any table),
    /// or an `EXCLUSIVE` lock on `table` on PostgreSQL (reads still pass).
    pub fn hold_write_lock(&self, table: &str) -> HeldLock {
        let connection = match &self.settings.database_url {
            DatabaseUrl::Sqlite { path } => {
                let mut connection =
                    diesel::sqlite::SqliteConnection::establish(&path.to_string_lossy())
                        .expect("a second SQLite connection");
                diesel::connection::SimpleConnection::batch_execute(
                    &mut connection,
                    "BEGIN IMMEDIATE",
                )
                .expect("SQLite's write lock");
                LockHolder::Sqlite(connection)
            }
            DatabaseUrl::Postgres { url } => {
                let mut connection =
                    PgConnection::establish(url).expect("a second PostgreSQL connection");
                diesel::connection::SimpleConnection::batch_execute(
                    &mut connection,
                    &format!("BEGIN; LOCK TABLE {table} IN EXCLUSIVE MODE"),
                )
                .expect("the table lock");
                LockHolder::Postgres(connection)
            }
        };
        HeldLock(connection)
    }

    /// An HTTP client whose connections come from `address` (any of
    /// 127.0.0.0/8 reaches the server), for tests that need several
    /// source addresses.
    pub fn client_from(&self, address: [u8; 4]) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .local_address(std::net::IpAddr::from(address))
            .build()
            .expect("an HTTP client")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the request is sent")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("the request is sent")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command now; the workers wind down on their own.
        for handle in &self.handles {
            drop(handle.stop(false));
        }
        drop(self.proxy.take());
    }
}

/// Reads a problem+json response, checking its status, content type and
/// code, and returns the body for further checks.
pub async fn expect_problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(
        response.status().as_u16(),
        status,
        "status of {}",
        response.url()
    );
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json", "content type");
    let body: Value = response.json().await.expect("a JSON problem body");
    assert_eq!(body["code"], code, "problem code in {body}");
    assert_eq!(body["status"], status, "problem status in {body}");
    assert!(body["title"].is_string(), "problem title in {body}");
    assert_eq!(body["type"], format!("urn:tierlink:problem:{code}"));
    body
}

/// The `field`s listed in a validation problem.
pub fn problem_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
