//! Building and running the server: open the database, apply migrations,
//! bind, and serve until SIGTERM/SIGINT (then finish in-flight requests).

use std::net::TcpListener;
use tierlink_domain::products::UrnIssuer;

use actix_http::HttpService;
use actix_http::error::DispatchError;
use actix_server::Server;
use actix_service::{IntoServiceFactory, ServiceFactoryExt, fn_service, map_config};
use actix_web::dev::AppConfig;
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, web};
use tierlink_persistence::{Database, DatabaseUrl, StartupError};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use std::sync::Arc;

use crate::account_cache::AccountCache;
use crate::auth::AuthState;
use crate::auth::hashing::{HashingThreads, QUEUED_PER_THREAD};
use crate::auth::keys::KeyRing;
use crate::auth::password::PasswordHasher;
use crate::auth::throttle::Throttle;
use crate::auth::tokens::TokenIssuer;
use crate::config::Settings;
use crate::connection::{self, GuardedStream};
use crate::extract::{BodyLimit, BulkBodyLimit};
use crate::fallback::{RouteTable, unmatched};
use crate::problem::{ApiError, backstop};
use crate::storage::EvidenceStore;
use crate::{middleware, openapi, routes};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(transparent)]
    Database(#[from] StartupError),
    #[error("set-up failed: {0}")]
    Auth(String),
    #[error(
        "another tierlink server already serves the SQLite database {path} \
         (it holds {path}.lock); SQLite is served by one process: run replicas on PostgreSQL"
    )]
    SqliteInUse { path: String },
    #[error("cannot lock the SQLite database {path}: {source}")]
    SqliteLock {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
}

/// A server ready to run.
pub struct Application {
    port: u16,
    server: Server,
    account_cache: AccountCache,
    /// On SQLite, the lock that keeps a second server off the file.
    _sqlite_lock: Option<std::fs::File>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens and migrates the database and binds the listener. Must be
    /// called inside an async runtime (actix or tokio).
    pub fn build(settings: &Settings) -> Result<Self, LaunchError> {
        let sqlite_lock = lock_sqlite(&settings.database_url)?;
        let db = Database::open(&settings.database_url, settings.pool_options())?;
        let applied = db.migrate()?;
        tracing::info!(database = %settings.database_url, engine = db.engine().as_str(), migrations_applied = applied.len(), "database ready");
        let listener = TcpListener::bind(&settings.bind).map_err(|source| LaunchError::Bind {
            address: settings.bind.clone(),
            source,
        })?;
        let port = listener.local_addr().map_err(|source| LaunchError::Bind {
            address: settings.bind.clone(),
            source,
        })?;
        let auth = auth_state(settings)?;
        tokio::spawn(purge_old_events(db.clone(), settings.event_retention));
        tokio::spawn(crate::delivery::run(db.clone(), settings.webhooks.clone()));
        tokio::spawn(crate::reminders::run(
            db.clone(),
            settings.reminders.clone(),
        ));
        let account_cache = AccountCache::new(settings.account_cache_entries);
        let server = serve(listener, db, auth, account_cache.clone(), settings)?;
        tracing::info!(address = %port, "listening; Swagger UI at /swagger-ui/");
        Ok(Self {
            port: port.port(),
            server,
            account_cache,
            _sqlite_lock: sqlite_lock,
        })
    }

    /// The cache of account states this server keeps (its hit counts).
    pub fn account_cache(&self) -> AccountCache {
        self.account_cache.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server (as SIGTERM would).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the process receives SIGTERM or SIGINT.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Self {
            server,
            _sqlite_lock: lock,
            ..
        } = self;
        let served = server.await;
        drop(lock);
        served
    }
}

/// On SQLite, an exclusive lock on `<database>.lock`, held while the
/// server runs: the background workers count on being the only writer
/// process (PostgreSQL replicas coordinate with row locks instead), so a
/// second server on the same file is refused at start. The operating
/// system releases the lock when the process ends, however it ends.
fn lock_sqlite(url: &DatabaseUrl) -> Result<Option<std::fs::File>, LaunchError> {
    let DatabaseUrl::Sqlite { path } = url else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let lock_path = format!("{shown}.lock");
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| LaunchError::SqliteLock {
            path: shown.clone(),
            source,
        })?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|source| LaunchError::SqliteLock {
            path: shown.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(LaunchError::SqliteInUse { path: shown }),
        Err(std::fs::TryLockError::Error(source)) => Err(LaunchError::SqliteLock {
            path: shown,
            source,
        }),
    }
}

/// Removes events older than the retention, at start and then hourly (any
/// replica may: deleting is the same whoever does it).
async fn purge_old_events(db: Database, retention: std::time::Duration) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        let cutoff = chrono::Utc::now()
            - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::days(30));
        let purged = crate::db::write(&db, move |tx| {
            Ok(tierlink_usecases::events::purge_before(tx, cutoff)?
                + tierlink_usecases::webhooks::purge_before(tx, cutoff)?)
        })
        .await;
        match purged {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "old events removed"),
            Err(error) => tracing::warn!(%error, "could not remove old events"),
        }
    }
}

/// Loads the signing keys and prepares password hashing and throttling.
pub fn auth_state(settings: &Settings) -> Result<AuthState, LaunchError> {
    let auth = &settings.auth;
    let keys = KeyRing::load(&auth.jwt_key, auth.jwt_previous_public_keys.as_deref())
        .map_err(LaunchError::Auth)?;
    tracing::info!(
        kid = keys.signing_kid(),
        "access tokens are signed with Ed25519"
    );
    Ok(AuthState {
        tokens: Arc::new(TokenIssuer::new(
            keys,
            auth.jwt_issuer.clone(),
            auth.jwt_audience.clone(),
            auth.access_token_ttl,
        )),
        passwords: Arc::new(PasswordHasher::new(auth.argon2).map_err(LaunchError::Auth)?),
        throttle: Arc::new(Throttle::new(auth.throttle)),
        hashing: Arc::new(
            HashingThreads::start(
                std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
                QUEUED_PER_THREAD,
            )
            .map_err(|error| LaunchError::Auth(format!("cannot start hashing threads: {error}")))?,
        ),
        refresh_ttl: chrono::Duration::from_std(auth.refresh_token_ttl)
            .unwrap_or(chrono::Duration::days(30)),
        open_signup: auth.open_signup,
    })
}

fn serve(
    listener: TcpListener,
    db: Database,
    auth: AuthState,
    account_cache: AccountCache,
    settings: &Settings,
) -> Result<Server, LaunchError> {
    let body_limit = BodyLimit(settings.max_body_bytes);
    let bulk_body_limit = BulkBodyLimit(settings.max_bulk_body_bytes);
    let account_cache = web::Data::new(account_cache);
    let db = web::Data::new(db);
    let auth = web::Data::new(auth);
    let evidence =
        web::Data::new(EvidenceStore::open(&settings.evidence_store).map_err(LaunchError::Auth)?);
    let upload_limit = web::Data::new(routes::evidence::UploadLimit(settings.max_upload_bytes));
    let webhook_settings = web::Data::new(settings.webhooks.clone());
    let urn_issuer = web::Data::new(UrnIssuer(settings.pact_urn_domain.clone()));
    let route_table = web::Data::new(RouteTable::from_openapi(&openapi::document()));
    let app = move || {
        let (app, document) = App::new()
            .into_utoipa_app()
            .openapi(openapi::header())
            .configure(routes::configure)
            .split_for_parts();
        app.app_data(db.clone())
            .app_data(account_cache.clone())
            .app_data(auth.clone())
            .app_data(evidence.clone())
            .app_data(upload_limit.clone())
            .app_data(route_table.clone())
            .app_data(webhook_settings.clone())
            .app_data(urn_issuer.clone())
            .app_data(body_limit)
            .app_data(bulk_body_limit)
            .app_data(web::PathConfig::default().error_handler(|error, _| {
                ApiError::InvalidParameter(
                    tierlink_domain::FieldError::new("path", "invalid_value", error.to_string())
                        .into(),
                )
                .into()
            }))
            .route(
                &format!("{}/{{status}}", connection::refused_path()),
                web::get().to(connection::refused),
            )
            .service(web::redirect("/swagger-ui", "/swagger-ui/").permanent())
            .service(
                SwaggerUi::new("/swagger-ui/{_:.*}")
                    .url("/api-docs/openapi.json", openapi::complete(document)),
            )
            .route(
                "/",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/swagger-ui/"))
                        .finish()
                }),
            )
            .default_service(web::to(unmatched))
            .wrap(ErrorHandlers::new().default_handler(backstop))
            .wrap(from_fn(middleware::request_id))
    };
    // actix-web's HttpServer, assembled by hand so that every connection
    // passes through the head guard first (connection.rs); the settings are
    // HttpServer's defaults.
    let address = settings.bind.clone();
    let local = listener.local_addr().map_err(|source| LaunchError::Bind {
        address: address.clone(),
        source,
    })?;
    let builder = Server::build();
    let shutdown = builder.graceful_shutdown_signal();
    let builder = builder
        .workers(settings.worker_count())
        .shutdown_timeout(settings.shutdown_timeout.as_secs())
        // Blocking work is database calls and argon2: more threads than
        // pooled connections would only wait, and each thread that has run
        // keeps its own allocator arena (memory): the workers share the
        // pool's size.
        .worker_max_blocking_threads(blocking_threads_per_worker(settings))
        .listen("tierlink", listener, move || {
            let shutdown = shutdown.clone();
            let service = app().into_factory().map_err(|error| error.error_response());
            let http = HttpService::build()
                .graceful_shutdown_signal(move || {
                    let shutdown = shutdown.clone();
                    async move { shutdown.notified().await }
                })
                .local_addr(local)
                // AppConfig's host is only the fallback for a request
                // without a Host header (HTTP/1.0).
                .h1(map_config(service, |_| AppConfig::default()));
            let guard_config = actix_http::ServiceConfig::default();
            fn_service(move |io: actix_web::rt::net::TcpStream| {
                let peer = io.peer_addr().ok();
                let guarded = GuardedStream::new(io, guard_config.clone());
                std::future::ready(Ok::<_, DispatchError>((guarded, peer)))
            })
            .and_then(http)
        })
        .map_err(|source| LaunchError::Bind { address, source })?;
    Ok(builder.run())
}

/// Each worker has its own blocking pool; together they get as many threads
/// as the database pool has connections (at least 2 each, so argon2 cannot
/// hold every thread of a worker).
fn blocking_threads_per_worker(settings: &Settings) -> usize {
    let pool = usize::try_from(settings.database_pool_size).unwrap_or(16);
    pool.div_ceil(settings.worker_count()).clamp(2, 64)
}
