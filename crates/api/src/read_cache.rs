//! The read cache: what authenticated reads found, kept for exactly as long
//! as the database has not changed.
//!
//! Nothing here expires by time. Every entry is tagged with a [`Snapshot`]
//! — the database's data version (see
//! [`tierlink_persistence::change_watch`]) and today's date, which due and
//! overdue flags depend on — taken *before* the read that filled it, and an
//! entry is served only while the current snapshot is the same. Any write
//! through this server changes the version and so retires every entry at
//! once: a disabled user, a revoked client or a changed request is seen on
//! the very next request, as without a cache. A write by another process
//! (`tierlink admin`, `sqlite3`) is seen within
//! `TIERLINK_READ_CACHE_RECHECK_MS` (1 ms; 0 makes that exact too).
//!
//! Two things are kept: the state of accounts (the per-request re-read of a
//! token's user or client) and rendered responses of the hottest reads,
//! keyed by the caller's organisation and the request's path and query
//! (the only inputs those reads take once authorised).
//!
//! Only SQLite can say cheaply and exactly that nothing at all changed; on
//! PostgreSQL (shared by several replicas) [`Database::data_version`] is
//! `None` and no response is kept. Accounts are kept on both engines, by
//! [`Database::accounts_version`]: on PostgreSQL the replicas hear of every
//! change to anyone's standing through `LISTEN`/`NOTIFY`
//! ([`tierlink_persistence::account_watch`]). `TIERLINK_READ_CACHE_BYTES=0`
//! turns the cache off.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use serde::Serialize;
use tierlink_domain::access::{Role, Scopes};
use tierlink_domain::ids::{ClientId, OrgId, UserId};
use tierlink_persistence::Database;
use tierlink_persistence::change_watch::DataVersion;

use crate::problem::ApiError;

/// The state of the database an entry was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    version: DataVersion,
    today: NaiveDate,
}

/// A user's or client's current standing, as the per-request check reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountState {
    /// A user: their role if the account is active.
    User(Option<Role>),
    /// An API client: the scopes it was granted, if not revoked.
    Client(Option<Scopes>),
}

/// Which account: users and clients have separate id spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountKey {
    User { org: OrgId, id: UserId },
    Client { org: OrgId, id: ClientId },
}

/// A response kept for reuse: everything but the per-request headers.
#[derive(Debug)]
struct Rendered {
    snapshot: Snapshot,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

impl Rendered {
    fn to_response(&self) -> HttpResponse {
        json_response(&self.headers, self.body.clone())
    }
}

/// A response's identity: who asked (the organisation) and what (path and
/// query exactly as sent, and for pages scheme and host, which their links
/// are built from).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResponseKey {
    org: OrgId,
    target: String,
}

impl ResponseKey {
    /// For a response made of the path and query alone.
    pub fn new(org: OrgId, req: &HttpRequest) -> Self {
        Self {
            org,
            target: path_and_query(req).to_owned(),
        }
    }

    /// For a response that also links to itself (a page with a `Link` to
    /// the next one): scheme and host as the client sees them count too.
    pub fn with_links(org: OrgId, req: &HttpRequest) -> Self {
        let info = req.connection_info();
        Self {
            org,
            target: format!("{}://{}{}", info.scheme(), info.host(), path_and_query(req)),
        }
    }
}

fn path_and_query(req: &HttpRequest) -> &str {
    req.uri()
        .path_and_query()
        .map_or_else(|| req.path(), |pq| pq.as_str())
}

#[derive(Debug, Clone)]
struct ByBytes;

impl Weighter<ResponseKey, Arc<Rendered>> for ByBytes {
    fn weight(&self, key: &ResponseKey, value: &Arc<Rendered>) -> u64 {
        (key.target.len() + value.body.len() + 128) as u64
    }
}

#[derive(Debug)]
struct Caches {
    accounts: Cache<AccountKey, (DataVersion, AccountState)>,
    responses: Cache<ResponseKey, Arc<Rendered>, ByBytes>,
}

/// Accounts and responses kept while the database is unchanged; shared by
/// all workers.
#[derive(Debug, Clone)]
pub struct ReadCache {
    caches: Option<Arc<Caches>>,
}

/// How many account states are kept (a few hundred bytes each).
const ACCOUNTS: usize = 10_000;

impl ReadCache {
    /// A cache holding up to `bytes` of responses; 0 turns it off.
    pub fn new(bytes: u64) -> Self {
        Self {
            caches: (bytes > 0).then(|| {
                Arc::new(Caches {
                    accounts: Cache::new(ACCOUNTS),
                    responses: Cache::with_weighter(
                        usize::try_from(bytes / 4096).unwrap_or(1024).max(16),
                        bytes,
                        ByBytes,
                    ),
                })
            }),
        }
    }

    /// Takes this request's snapshot of the database, before anything of it
    /// is read, and files it with the request; `None` when nothing may be
    /// cached (cache off, PostgreSQL, or SQLite could not answer at once).
    pub fn begin(&self, req: &HttpRequest, db: &Database) -> Option<Snapshot> {
        self.caches.as_ref()?;
        let snapshot = Snapshot {
            version: db.data_version()?,
            today: tierlink_domain::time::now().date_naive(),
        };
        req.extensions_mut().insert(snapshot);
        Some(snapshot)
    }

    /// The version of accounts' standing to read an account's state in,
    /// taken before it is read; `None` when nothing may be kept (cache off,
    /// or the database cannot tell: see [`Database::accounts_version`]).
    pub fn accounts_version(&self, db: &Database) -> Option<DataVersion> {
        self.caches.as_ref()?;
        db.accounts_version()
    }

    /// The account's state if it was read in this same accounts version.
    pub fn account(&self, version: DataVersion, key: &AccountKey) -> Option<AccountState> {
        let (read_in, state) = self.caches.as_ref()?.accounts.get(key)?;
        (read_in == version).then_some(state)
    }

    pub fn keep_account(&self, version: DataVersion, key: AccountKey, state: AccountState) {
        if let Some(caches) = &self.caches {
            caches.accounts.insert(key, (version, state));
        }
    }

    /// The response to this request, if one was rendered in the snapshot
    /// the request was authenticated in.
    pub fn response(&self, req: &HttpRequest, key: &ResponseKey) -> Option<HttpResponse> {
        let snapshot = snapshot_of(req)?;
        let rendered = self.caches.as_ref()?.responses.get(key)?;
        (rendered.snapshot == snapshot).then(|| rendered.to_response())
    }

    /// Renders `body` as a 200 JSON response with `headers`, keeping it for
    /// the next identical request of the same organisation when the request
    /// carries a snapshot.
    pub fn render(
        &self,
        req: &HttpRequest,
        key: ResponseKey,
        headers: Vec<(HeaderName, HeaderValue)>,
        body: &impl Serialize,
    ) -> Result<HttpResponse, ApiError> {
        let body = Bytes::from(serde_json::to_vec(body).map_err(ApiError::internal)?);
        let response = json_response(&headers, body.clone());
        if let (Some(caches), Some(snapshot)) = (&self.caches, snapshot_of(req)) {
            let rendered = Rendered {
                snapshot,
                headers,
                body,
            };
            caches.responses.insert(key, Arc::new(rendered));
        }
        Ok(response)
    }
}

fn snapshot_of(req: &HttpRequest) -> Option<Snapshot> {
    req.extensions().get::<Snapshot>().copied()
}

fn json_response(headers: &[(HeaderName, HeaderValue)], body: Bytes) -> HttpResponse {
    let mut response = HttpResponse::build(StatusCode::OK);
    response.content_type(HeaderValue::from_static("application/json"));
    for (name, value) in headers {
        response.insert_header((name.clone(), value.clone()));
    }
    response.body(body)
}

/// A header for [`ReadCache::render`]; a value that is not a valid header
/// is a bug of ours (500), never the client's.
pub fn header_of(name: HeaderName, value: String) -> Result<(HeaderName, HeaderValue), ApiError> {
    HeaderValue::try_from(value)
        .map(|value| (name, value))
        .map_err(ApiError::internal)
}
