//! The account cache: each token's account standing (a user's role and
//! whether it is disabled, a client's scopes and whether it is revoked),
//! kept between requests for as long as nobody's standing changed.
//!
//! Every request re-checks its token's account, so a disabled user or a
//! revoked client is refused at once. This cache saves that read: an entry
//! is filed under the version of everyone's standing
//! ([`Database::accounts_version`]) taken *before* the account was read,
//! and served only while the version is the same. The version is taken by
//! [`AccountCache::begin`], and only the [`Lookup`] it returns can read or
//! file entries, so no state can be filed under a version taken after it
//! was read.
//!
//! - SQLite: the version is the database's data version; any commit moves
//!   it (through this server at once, by another process within
//!   `TIERLINK_ACCOUNT_CACHE_RECHECK_MS`).
//! - PostgreSQL: triggers notify every replica of a change of standing
//!   ([`tierlink_persistence::account_watch`]); the replica that made it
//!   moves its version at once, the others within
//!   `TIERLINK_ACCOUNT_WATCH_MS`.
//!
//! `TIERLINK_ACCOUNT_CACHE_ENTRIES=0` turns the cache off. [`AccountCache::stats`]
//! counts hits and misses (the tests observe hits with it).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_cache::sync::Cache;
use tierlink_domain::access::{Role, Scopes};
use tierlink_domain::ids::{ClientId, OrgId, UserId};
use tierlink_persistence::Database;
use tierlink_persistence::change_watch::DataVersion;

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

/// How often the cache answered, since the server started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Requests whose account state came from the cache.
    pub hits: u64,
    /// Requests that read it from the database (the cache on).
    pub misses: u64,
}

#[derive(Debug)]
struct Inner {
    accounts: Cache<AccountKey, (DataVersion, AccountState)>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Account states kept while nobody's standing changed; shared by all
/// workers.
#[derive(Debug, Clone)]
pub struct AccountCache {
    inner: Option<Arc<Inner>>,
}

impl AccountCache {
    /// A cache of up to `entries` accounts (a few hundred bytes each); 0
    /// turns it off.
    pub fn new(entries: usize) -> Self {
        Self {
            inner: (entries > 0).then(|| {
                Arc::new(Inner {
                    accounts: Cache::new(entries),
                    hits: AtomicU64::new(0),
                    misses: AtomicU64::new(0),
                })
            }),
        }
    }

    /// Takes the version of everyone's standing, before the account is
    /// read; `None` when nothing may be kept (cache off, or the database
    /// cannot vouch for a version now).
    pub fn begin(&self, db: &Database) -> Option<Lookup> {
        let inner = self.inner.clone()?;
        let version = db.accounts_version()?;
        Some(Lookup { inner, version })
    }

    pub fn stats(&self) -> CacheStats {
        self.inner
            .as_ref()
            .map_or_else(CacheStats::default, |inner| CacheStats {
                hits: inner.hits.load(Ordering::Relaxed),
                misses: inner.misses.load(Ordering::Relaxed),
            })
    }
}

/// One request's look into the cache, at the version taken before anything
/// was read.
#[derive(Debug)]
pub struct Lookup {
    inner: Arc<Inner>,
    version: DataVersion,
}

impl Lookup {
    /// The account's state if it was read in this same version.
    pub fn get(&self, key: &AccountKey) -> Option<AccountState> {
        let found = self
            .inner
            .accounts
            .get(key)
            .and_then(|(read_in, state)| (read_in == self.version).then_some(state));
        let counter = if found.is_some() {
            &self.inner.hits
        } else {
            &self.inner.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Files the state read after this lookup began.
    pub fn keep(self, key: AccountKey, state: AccountState) {
        self.inner.accounts.insert(key, (self.version, state));
    }
}
