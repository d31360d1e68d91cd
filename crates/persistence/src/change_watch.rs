//! Knowing cheaply whether the database changed: the basis of the API's
//! read cache.
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
//! * Transactions that change nothing a cached read depends on (sign-in
//!   sessions: refresh tokens) run on the watch's own connection through
//!   [`crate::Database::write_outside_cache`]. SQLite leaves a connection's
//!   `data_version` alone for its own commits, so such a write keeps the
//!   cache (a login no longer sends every reader back to the database), and
//!   another process's commit before, during or after it still moves the
//!   number.
//!
//! PostgreSQL has no such cheap, exact signal across the replicas that share
//! it, so there is no watch there and nothing is cached.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, TryLockError};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::connection::TransactionManager;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::BigInt;
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel::{Connection, QueryResult, RunQueryDsl};

use crate::connection::DbConnection;
use crate::error::StoreError;

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
    /// How long a write on the watch's connection waits for a lock.
    busy_timeout_ms: u32,
    started: Instant,
    /// Microseconds after `started` when other processes were last asked
    /// about; `u64::MAX` before the first time.
    checked_at: AtomicU64,
    /// Microseconds after `started` when a write on the watch's connection
    /// began; `u64::MAX` when none is under way.
    writing_since: AtomicU64,
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
    /// `busy_timeout_ms` is how long a write on it (`write_unwatched`) may
    /// wait for another process's lock, as the pool's connections do.
    pub(crate) fn new(
        mut connection: SqliteConnection,
        recheck: Duration,
        busy_timeout_ms: u32,
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
            busy_timeout_ms,
            started: Instant::now(),
            checked_at: AtomicU64::new(u64::MAX),
            writing_since: AtomicU64::new(u64::MAX),
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

    /// Runs `f` in a transaction on the watch's own connection, so its commit
    /// leaves the version as it was (see the module documentation), while
    /// SQLite still reports other processes' commits: one made before this
    /// transaction began is noticed when it begins, one made later by the
    /// next question. The caller holds this process's SQLite writer lock.
    ///
    /// `Err(f)` gives `f` back when the watch cannot be used (a writer on it
    /// panicked, or it could not be set back to never waiting): the caller
    /// then writes the ordinary way.
    pub(crate) fn write_unwatched<T, E, F>(&self, f: F) -> Result<Result<T, E>, F>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<StoreError> + From<diesel::result::Error>,
    {
        let mut watcher = match self.watcher.lock() {
            Ok(watcher) if watcher.usable => watcher,
            _ => return Err(f),
        };
        let connection = &mut watcher.connection;
        // The watch never waits on the HTTP workers' behalf; a writer may.
        if let Err(error) =
            connection.batch_execute(&format!("PRAGMA busy_timeout = {};", self.busy_timeout_ms))
        {
            return Ok(Err(StoreError::from(error).into()));
        }
        self.writing_since.store(self.micros(), Ordering::SeqCst);
        // diesel does not roll back a transaction whose closure panics, and
        // this connection is never discarded like a pooled one: a panic must
        // not leave it holding SQLite's write lock (or an old snapshot).
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| connection.transaction(f)));
        self.writing_since.store(u64::MAX, Ordering::SeqCst);
        let broken = match &outcome {
            Err(_) => true,
            Ok(_) => <<DbConnection as Connection>::TransactionManager as TransactionManager<
                DbConnection,
            >>::is_broken_transaction_manager(connection),
        };
        if broken {
            // Ending the transaction by hand leaves the connection with
            // diesel's idea of it out of step, so it is never used again.
            let _ = connection.batch_execute("ROLLBACK");
            watcher.usable = false;
        } else if connection
            .batch_execute("PRAGMA busy_timeout = 0;")
            .is_err()
        {
            // A watch that might wait would stall the HTTP workers.
            watcher.usable = false;
        }
        // An unusable watch answers no more questions: nothing is cached
        // from then on, and writes go through the pool.
        drop(watcher);
        match outcome {
            Ok(result) => Ok(result),
            Err(panic) => std::panic::resume_unwind(panic),
        }
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
                // A write on the watch's connection has held it for longer
                // than the recheck time (waiting for another process's lock,
                // say): other processes' commits could go unseen for longer
                // than promised, so nothing is trusted until it ends.
                Err(TryLockError::WouldBlock) if self.writing_too_long(now) => return None,
                // Another thread asking right now is as good as asking, and
                // so is a write on the watch's connection that began within
                // the recheck time.
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

    fn writing_too_long(&self, now: u64) -> bool {
        let since = self.writing_since.load(Ordering::SeqCst);
        since != u64::MAX && self.recheck_passed(since, now)
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

    fn write_outside_cache(db: &Database, sql: &str) {
        db.write_outside_cache(|conn| -> Result<_, crate::StoreError> {
            diesel::sql_query(sql).execute(conn)?;
            Ok(())
        })
        .expect("the write commits");
    }

    fn count(db: &Database) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        db.read(|conn| -> Result<_, crate::StoreError> {
            Ok(diesel::sql_query("SELECT COUNT(*) AS n FROM t").get_result::<Count>(conn)?)
        })
        .expect("the count")
        .n
    }

    #[test]
    fn writes_outside_the_cache_commit_but_keep_the_version() {
        let (_dir, _, server) = fixture(Duration::ZERO);
        let before = server.data_version().expect("a version");

        write_outside_cache(&server, "INSERT INTO t (x) VALUES (1)");
        assert_eq!(count(&server), 1, "the write is committed and visible");
        assert_eq!(
            server.data_version(),
            Some(before),
            "a write outside the cache keeps the version"
        );

        let failed = server.write_outside_cache(|conn| -> Result<_, crate::StoreError> {
            diesel::sql_query("INSERT INTO t (x) VALUES (2)").execute(conn)?;
            diesel::sql_query("INSERT INTO missing (x) VALUES (3)").execute(conn)?;
            Ok(())
        });
        assert!(failed.is_err(), "a failing statement fails the write");
        assert_eq!(count(&server), 1, "and nothing of it is kept");
        assert_eq!(server.data_version(), Some(before));

        write(&server, "INSERT INTO t (x) VALUES (4)");
        assert_ne!(
            server.data_version(),
            Some(before),
            "an ordinary write still moves it"
        );
    }

    #[test]
    fn another_processs_commit_is_seen_across_a_write_outside_the_cache() {
        let (_dir, path, server) = fixture(Duration::ZERO);
        let before = server.data_version().expect("a version");

        // Committed between two questions, then hidden (if it could be)
        // behind the server's own write on the watch connection.
        let other_process = open(&path, Duration::ZERO);
        write(&other_process, "INSERT INTO t (x) VALUES (1)");
        write_outside_cache(&server, "INSERT INTO t (x) VALUES (2)");
        let after = server.data_version().expect("a version");
        assert_ne!(after, before, "the other process's commit is seen");

        write_outside_cache(&server, "INSERT INTO t (x) VALUES (3)");
        write(&other_process, "INSERT INTO t (x) VALUES (4)");
        assert_ne!(
            server.data_version(),
            Some(after),
            "and so is one made after it"
        );
        assert_eq!(count(&server), 4);
    }

    #[test]
    fn a_writer_that_panics_on_the_watch_leaves_nothing_held() {
        let (_dir, path, server) = fixture(Duration::ZERO);

        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            server.write_outside_cache(|conn| -> Result<(), crate::StoreError> {
                diesel::sql_query("INSERT INTO t (x) VALUES (1)").execute(conn)?;
                panic!("a bug in a writer");
            })
        }));
        assert!(panicked.is_err(), "the panic reaches the caller");

        // SQLite's write lock is free again: another process writes at once.
        let other_process = open(&path, Duration::ZERO);
        write(&other_process, "INSERT INTO t (x) VALUES (2)");
        assert_eq!(count(&server), 1, "nothing of the panicked write was kept");
        assert_eq!(
            server.data_version(),
            None,
            "a watch whose writer panicked vouches for nothing (no caching)"
        );
        // The server still writes, the ordinary way.
        write_outside_cache(&server, "INSERT INTO t (x) VALUES (3)");
        assert_eq!(count(&server), 2);
    }

    #[test]
    fn a_write_kept_waiting_on_the_watch_stops_it_vouching_after_the_recheck_time() {
        use diesel::Connection as _;
        use diesel::connection::SimpleConnection as _;

        let (_dir, path, server) = fixture(Duration::from_millis(1));
        assert!(server.data_version().is_some());

        // Another process holds SQLite's write lock, so a write on the
        // watch's connection waits (up to the 200 ms lock timeout).
        let mut other_process =
            diesel::sqlite::SqliteConnection::establish(&path.to_string_lossy())
                .expect("a second connection");
        other_process
            .batch_execute("BEGIN IMMEDIATE")
            .expect("the write lock");
        let waiting = server.clone();
        let writer = std::thread::spawn(move || {
            waiting.write_outside_cache(|conn| -> Result<_, crate::StoreError> {
                diesel::sql_query("INSERT INTO t (x) VALUES (1)").execute(conn)?;
                Ok(())
            })
        });
        // While it waits longer than the recheck time, commits by the other
        // process could go unseen, so the watch vouches for nothing.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let mut withheld = false;
        while !withheld && !writer.is_finished() && std::time::Instant::now() < deadline {
            withheld = server.data_version().is_none();
            std::thread::yield_now();
        }
        other_process.batch_execute("ROLLBACK").expect("released");
        let _ = writer.join().expect("the writer thread ends");
        assert!(withheld, "the version was withheld during the long write");
        assert!(
            server.data_version().is_some(),
            "and is given again after it"
        );
    }
}
