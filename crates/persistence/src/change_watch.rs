//! Knowing cheaply whether the database changed: on SQLite, the version
//! the API's account cache keeps account states under.
//!
//! Two sources of change, two signals, one number ([`DataVersion`]):
//!
//! * Commits through this process's [`crate::Database::write`] bump the
//!   number as they return — exact and free.
//! * Commits by other processes (`tierlink admin`, `sqlite3`) are found with
//!   `PRAGMA data_version`, which SQLite answers with a new value on a
//!   connection once any *other* connection has committed. Asking costs two
//!   `fcntl` calls and a statement (about 15 % of a cached read), so the
//!   answer is reused for `recheck` (1 ms by default): a change written by
//!   another process is seen within that time, one written through this
//!   server at once. A `recheck` of zero asks on every request.
//!
//! PostgreSQL has no such cheap, exact signal across the replicas that share
//! it, so there is no watch there (accounts have their own:
//! [`crate::account_watch`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, TryLockError};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::BigInt;
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel::{QueryResult, RunQueryDsl};

use crate::connection::DbConnection;

/// A version of the database's contents: equal versions, equal contents.
pub type DataVersion = u64;

/// `PRAGMA data_version` as a diesel query with a static id, so each
/// connection prepares it once and keeps it in its statement cache.
#[derive(Debug, Clone, Copy, QueryId)]
struct DataVersionPragma;

impl QueryFragment<Sqlite> for DataVersionPragma {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql("PRAGMA data_version");
        Ok(())
    }
}

impl Query for DataVersionPragma {
    type SqlType = BigInt;
}

impl RunQueryDsl<SqliteConnection> for DataVersionPragma {}

/// The watch connection (always SQLite; kept as a [`DbConnection`] so the
/// ordinary store functions can write on it) and the last `data_version` it
/// returned.
struct Watcher {
    connection: DbConnection,
    last_seen: Option<i64>,
    /// False once the connection could not be set back to never waiting.
    usable: bool,
}

impl Watcher {
    fn sqlite(&mut self) -> Option<&mut SqliteConnection> {
        if !self.usable {
            return None;
        }
        match &mut self.connection {
            DbConnection::Sqlite(connection) => Some(connection),
            DbConnection::Postgres(_) => None,
        }
    }

    /// Asks SQLite for the data version and remembers it: whether it moved
    /// since the last question, or `None` if SQLite could not say.
    fn seen_changed(&mut self) -> Option<bool> {
        let seen = DataVersionPragma.get_result::<i64>(self.sqlite()?).ok()?;
        Some(self.last_seen.replace(seen) != Some(seen))
    }
}

/// The database's version number, moved by this process's commits and by
/// those another process is seen to have made.
pub struct ChangeWatch {
    watcher: Mutex<Watcher>,
    version: AtomicU64,
    recheck: Duration,
    started: Instant,
    /// Microseconds after `started` when other processes were last asked
    /// about; `u64::MAX` before the first time.
    checked_at: AtomicU64,
}

impl std::fmt::Debug for ChangeWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeWatch")
            .field("version", &self.version)
            .field("recheck", &self.recheck)
            .finish_non_exhaustive()
    }
}

impl ChangeWatch {
    /// Takes a connection set up like the pool's, but which never waits for
    /// a lock: the question is asked on the HTTP worker threads, and an
    /// answer that would need waiting is no answer (nothing is cached then).
    pub(crate) fn new(
        mut connection: SqliteConnection,
        recheck: Duration,
    ) -> Result<Self, diesel::result::Error> {
        connection.batch_execute("PRAGMA busy_timeout = 0;")?;
        let connection = DbConnection::Sqlite(connection);
        Ok(Self {
            watcher: Mutex::new(Watcher {
                connection,
                last_seen: None,
                usable: true,
            }),
            version: AtomicU64::new(0),
            recheck,
            started: Instant::now(),
            checked_at: AtomicU64::new(u64::MAX),
        })
    }

    /// Called by [`crate::Database::write`] once a transaction has ended
    /// (while this process's writers are still held off).
    ///
    /// The watch connection sees that commit as "another connection's", and
    /// would move the version a second time at its next question — a second
    /// wave of cache misses for every write. So SQLite is asked right now,
    /// *before* the version moves: whatever it reports (this commit, or
    /// another process's just before) is older than the new version, and
    /// everything read under the new version sees it; what another process
    /// commits after the question is still seen by the next one.
    pub(crate) fn committed(&self) {
        if let Ok(mut watcher) = self.watcher.lock() {
            watcher.seen_changed();
        }
        self.version.fetch_add(1, Ordering::SeqCst);
    }

    /// The current version, or `None` if SQLite could not say — or, with a
    /// recheck of zero, could not be asked without waiting (then the caller
    /// must neither trust nor keep anything cached).
    pub fn version(&self) -> Option<DataVersion> {
        let now = self.micros();
        if self.is_due(now) {
            // Never waits: this runs on the HTTP workers.
            match self.watcher.try_lock() {
                Ok(mut watcher) => {
                    if self.is_due(now) {
                        self.ask(&mut watcher, now)?;
                    }
                }
                // Exactness asked for, and the connection is busy (another
                // question, or a write on it): this request caches nothing.
                Err(TryLockError::WouldBlock) if self.recheck.is_zero() => return None,
                // Another thread asking right now is as good as asking.
                Err(TryLockError::WouldBlock) => {}
                // Something panicked while asking: trust nothing.
                Err(TryLockError::Poisoned(_)) => return None,
            }
        }
        Some(self.version.load(Ordering::SeqCst))
    }

    fn micros(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX - 1)
    }

    /// Whether the recheck time has passed between `since` and `now`.
    fn recheck_passed(&self, since: u64, now: u64) -> bool {
        u128::from(now.saturating_sub(since)) >= self.recheck.as_micros()
    }

    fn is_due(&self, now: u64) -> bool {
        let checked = self.checked_at.load(Ordering::SeqCst);
        checked == u64::MAX || self.recheck_passed(checked, now)
    }

    /// Asks SQLite whether another connection committed since the last time.
    fn ask(&self, watcher: &mut Watcher, now: u64) -> Option<()> {
        if watcher.seen_changed()? {
            self.version.fetch_add(1, Ordering::SeqCst);
        }
        self.checked_at.store(now, Ordering::SeqCst);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use diesel::RunQueryDsl;

    use crate::{Database, DatabaseUrl, PoolOptions};

    fn open(path: &std::path::Path, change_recheck: Duration) -> Database {
        let url =
            DatabaseUrl::parse(&format!("sqlite://{}", path.display())).expect("a SQLite URL");
        let options = PoolOptions {
            change_recheck,
            // A lock left held by mistake fails a test quickly.
            lock_timeout: Duration::from_millis(200),
            ..PoolOptions::default()
        };
        Database::open(&url, options).expect("the database opens")
    }

    /// A server's database holding one empty table `t`, in a directory of
    /// its own (deleted when the first value is dropped); the path is for
    /// opening it again, as another process would.
    fn fixture(change_recheck: Duration) -> (tempfile::TempDir, std::path::PathBuf, Database) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("tierlink.db");
        let server = open(&path, change_recheck);
        write(&server, "CREATE TABLE t (x INTEGER)");
        (dir, path, server)
    }

    fn write(db: &Database, sql: &str) {
        db.write(|conn| -> Result<_, crate::StoreError> {
            diesel::sql_query(sql).execute(conn)?;
            Ok(())
        })
        .expect("the write commits");
    }

    #[test]
    fn own_commits_move_the_version_at_once_however_long_the_recheck() {
        let (_dir, _, server) = fixture(Duration::from_secs(3600));
        let before = server.data_version().expect("SQLite knows its version");
        assert_eq!(server.data_version(), Some(before), "no commit, no change");

        write(&server, "INSERT INTO t (x) VALUES (1)");
        let after = server.data_version().expect("a version");
        assert_ne!(
            after, before,
            "a commit through this handle is seen at once"
        );

        server
            .read(|conn| -> Result<_, crate::StoreError> {
                diesel::sql_query("SELECT x FROM t").execute(conn)?;
                Ok(())
            })
            .expect("the read runs");
        assert_eq!(server.data_version(), Some(after), "reads change nothing");
    }

    #[test]
    fn another_processs_commits_move_the_version_when_rechecked() {
        let (_dir, path, server) = fixture(Duration::ZERO);
        let before = server.data_version().expect("a version");
        assert_eq!(server.data_version(), Some(before), "no commit, no change");

        // Another handle on the same file, as `tierlink admin` would be.
        let other_process = open(&path, Duration::ZERO);
        write(&other_process, "INSERT INTO t (x) VALUES (1)");
        let after = server.data_version().expect("a version");
        assert_ne!(after, before, "a commit by another handle is seen");
        assert_eq!(server.data_version(), Some(after));
    }
}
