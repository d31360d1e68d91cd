//! Connection pooling and the [`Database`] handle.
//!
//! Connections are opened by [`ConnectionManager`], which knows the engine
//! from the URL and sets each new SQLite connection up for concurrent use
//! (WAL journal, busy timeout, foreign keys). Writes go through
//! [`Database::write`], which wraps them in a transaction; on SQLite it also
//! takes a process-wide write lock, so two writers of this process never
//! race for SQLite's single write lock (which would fail with "database is
//! locked" when a reading transaction tries to upgrade), and nudges the
//! [`crate::checkpointer`], which copies the WAL back into the database
//! file off the request path.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};

use crate::account_watch::AccountWatch;
use crate::change_watch::{ChangeWatch, DataVersion};
use crate::checkpointer::{self, Checkpointer};
use crate::connection::DbConnection;
use crate::error::{StartupError, StoreError};
use crate::log_throttle::LogThrottle;
use crate::url::{DatabaseUrl, Engine};

/// Pool sizing and timeouts.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    pub max_size: u32,
    /// How long a request waits for a free connection before the database
    /// counts as unavailable.
    pub acquire_timeout: Duration,
    /// How long a statement waits for a lock another transaction holds
    /// (SQLite's busy timeout, PostgreSQL's `lock_timeout`) before failing
    /// with [`StoreError::Busy`].
    pub lock_timeout: Duration,
    /// How long the answer to "did another process write the database?"
    /// is reused (SQLite only; see [`crate::change_watch`]). Zero asks on
    /// every call.
    pub change_recheck: Duration,
    /// How often a replica looks for notifications of account changes
    /// (PostgreSQL only; see [`crate::account_watch`]); zero watches none,
    /// and accounts are then read on every request.
    pub account_watch_poll: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 10,
            acquire_timeout: Duration::from_secs(5),
            lock_timeout: Duration::from_secs(5),
            change_recheck: Duration::from_millis(1),
            account_watch_poll: Duration::from_millis(10),
        }
    }
}

/// A transaction that failed because the disk is full reports that, not
/// the error of what followed in the transaction SQLite had ended (see
/// [`crate::error::take_storage_full`]).
fn full_disk_first<E: From<StoreError>>(error: E) -> E {
    if crate::error::take_storage_full() {
        return StoreError::StorageFull("the database's storage is full".to_owned()).into();
    }
    error
}

/// `f` in a transaction on `conn`. When `f` fails, its error is returned
/// even if the rollback after it fails too: SQLite ends a transaction by
/// itself after some errors (I/O, memory, a full disk), and diesel would
/// return its own failed rollback's error instead. A connection whose
/// rollback failed counts as broken, and the pool drops it.
fn in_transaction<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    let mut failed = None;
    let outcome = conn.transaction(|conn| {
        f(conn).map_err(|error| {
            failed = Some(error);
            diesel::result::Error::RollbackTransaction
        })
    });
    match (outcome, failed) {
        (_, Some(error)) => Err(error),
        (Ok(value), None) => Ok(value),
        (Err(error), None) => Err(error.into()),
    }
}

/// The pool's connection errors (every retry while the database is down)
/// go to the log at most once per interval, with the count left out.
#[derive(Debug)]
struct ThrottledErrors;

impl r2d2::HandleError<r2d2::Error> for ThrottledErrors {
    fn handle_error(&self, error: r2d2::Error) {
        static CONNECT: LogThrottle = LogThrottle::new(Duration::from_secs(10));
        if let Some(left_out) = CONNECT.admit() {
            tracing::warn!(%error, left_out, "cannot open a database connection");
        }
    }
}

/// Opens connections for one engine.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    lock_timeout_ms: u32,
}

impl ConnectionManager {
    fn open(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match &self.url {
            DatabaseUrl::Postgres { url } => {
                let mut conn = PgConnection::establish(&with_connect_timeout(url))?;
                conn.batch_execute(&format!("SET lock_timeout = {}", self.lock_timeout_ms))
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Postgres(conn))
            }
            DatabaseUrl::Sqlite { path } => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA wal_autocheckpoint = {};
                     PRAGMA journal_size_limit = {};",
                    self.lock_timeout_ms,
                    checkpointer::BACKSTOP_PAGES,
                    checkpointer::WAL_FILE_LIMIT_BYTES
                ))
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// `url` with libpq's `connect_timeout` (seconds) unless it sets one: an
/// unreachable host then fails in seconds instead of after the operating
/// system's TCP time-out (minutes), which would hold a pool thread.
fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout=3")
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.open().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        let result = match conn {
            DbConnection::Postgres(c) => c.ping(),
            DbConnection::Sqlite(c) => c.ping(),
        };
        result.map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking()
            || match conn {
                DbConnection::Postgres(c) => c.is_broken(),
                DbConnection::Sqlite(c) => c.is_broken(),
            }
    }
}

/// The handle to the database: a pool, and the rules for using it.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<ConnectionManager>,
    engine: Engine,
    /// How long a request may wait for the database in all
    /// (`TIERLINK_DATABASE_TIMEOUT_SECS`): see [`Database::request_timeout`].
    request_timeout: Duration,
    /// Serialises this process's writers on SQLite; `None` on PostgreSQL.
    sqlite_writer: Option<Arc<Mutex<()>>>,
    /// Tells whether anything was committed since a version was read
    /// (SQLite only; `None` on PostgreSQL).
    change_watch: Option<Arc<ChangeWatch>>,
    /// Tells when anyone's standing changed (PostgreSQL only; `None` on
    /// SQLite, whose change watch covers accounts too).
    account_watch: Option<Arc<AccountWatch>>,
    /// Checkpoints the WAL after commits (SQLite only).
    checkpointer: Option<Arc<Checkpointer>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Opens the database named by `url`. One connection is made directly
    /// first, so a wrong password or an unreachable server is reported with
    /// its real cause rather than as a pool time-out; on SQLite it stays
    /// open as the [`ChangeWatch`].
    pub fn open(url: &DatabaseUrl, options: PoolOptions) -> Result<Self, StartupError> {
        if let DatabaseUrl::Sqlite { path } = url {
            prepare_directory(path)?;
        }
        let manager = ConnectionManager {
            url: url.clone(),
            // SQLite reads its busy timeout as a C int; PostgreSQL's
            // lock_timeout is an int of milliseconds too.
            lock_timeout_ms: u32::try_from(options.lock_timeout.as_millis())
                .unwrap_or(u32::MAX)
                .min(i32::MAX.unsigned_abs()),
        };
        let cannot_connect = |reason: String| StartupError::Connect {
            url: url.to_string(),
            reason,
        };
        let mut first = manager
            .open()
            .map_err(|error| cannot_connect(error.to_string()))?;
        if let (DbConnection::Sqlite(conn), DatabaseUrl::Sqlite { path }) = (&mut first, url) {
            check_writable(conn, path)?;
        }
        let change_watch = match first {
            DbConnection::Sqlite(first) => Some(Arc::new(
                ChangeWatch::new(first, options.change_recheck)
                    .map_err(|error| cannot_connect(error.to_string()))?,
            )),
            DbConnection::Postgres(_) => None,
        };
        let checkpointer = match url.engine() {
            Engine::Sqlite => Some(Arc::new(
                start_checkpointer(&manager).map_err(cannot_connect)?,
            )),
            Engine::Postgres => None,
        };
        let account_watch = match url {
            DatabaseUrl::Postgres { url: pg_url } if !options.account_watch_poll.is_zero() => {
                Some(Arc::new(
                    AccountWatch::start(with_connect_timeout(pg_url), options.account_watch_poll)
                        .map_err(|error| cannot_connect(error.to_string()))?,
                ))
            }
            _ => None,
        };
        let pool = r2d2::Pool::builder()
            .max_size(options.max_size)
            .min_idle(Some(1))
            .connection_timeout(options.acquire_timeout)
            // No `SELECT 1` before each use: it was a round trip on every
            // request. A connection the server dropped fails its first
            // statement instead, is marked broken and discarded, and that
            // request gets the 503 a database outage gets.
            .test_on_check_out(false)
            .error_handler(Box::new(ThrottledErrors))
            .build(manager)
            .map_err(|error| StartupError::Connect {
                url: url.to_string(),
                reason: error.to_string(),
            })?;
        let engine = url.engine();
        Ok(Self {
            pool,
            engine,
            request_timeout: options.acquire_timeout,
            sqlite_writer: (engine == Engine::Sqlite).then(|| Arc::new(Mutex::new(()))),
            change_watch,
            account_watch,
            checkpointer,
        })
    }

    /// The version of the database's contents, where the engine can tell it
    /// cheaply (SQLite; see [`crate::change_watch`]). Anything read after
    /// this call and tagged with the version stays true for as long as the
    /// call returns the same version (for changes by other processes: up to
    /// `change_recheck` later). `None`: do not cache.
    pub fn data_version(&self) -> Option<DataVersion> {
        self.change_watch.as_ref().and_then(|watch| watch.version())
    }

    /// The version of everyone's standing (users' roles and whether they
    /// are disabled, clients' scopes and whether they are revoked): on
    /// SQLite the data version, on PostgreSQL the [`AccountWatch`]'s. An
    /// account's state read after this call stays true while it returns
    /// the same version (for changes by another process or replica: up to
    /// `change_recheck` or `account_watch_poll` later). `None`: do not keep.
    pub fn accounts_version(&self) -> Option<DataVersion> {
        match &self.account_watch {
            Some(watch) => watch.version(),
            None => self.data_version(),
        }
    }

    /// [`Database::write`] for a transaction that changes someone's
    /// standing: account states kept before it are retired in this process
    /// as it returns (other replicas hear of it from PostgreSQL).
    pub fn write_accounts<T, E>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError> + From<diesel::result::Error>,
    {
        let result = self.write(f);
        if let Some(watch) = &self.account_watch {
            watch.changed();
        }
        result
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// How long one request may wait for the database, queueing for a
    /// thread and a connection included, before it is answered 503.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// Runs `f` on a pooled connection, outside any transaction.
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.pool.get().map_err(StoreError::from)?;
        f(&mut conn)
    }

    /// Runs `f`, several reads, on a pooled connection. On SQLite they run
    /// in one read transaction: they see one snapshot, and SQLite takes its
    /// file locks once rather than for each statement. On PostgreSQL each
    /// statement stands alone, as in [`Database::read`]: a transaction
    /// would cost two more round trips. `f` must not write: writes go
    /// through [`Database::write`], which holds SQLite's writer lock.
    pub fn read_batch<T, E>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError> + From<diesel::result::Error>,
    {
        let mut conn = self.pool.get().map_err(StoreError::from)?;
        let conn: &mut DbConnection = &mut conn;
        match conn {
            DbConnection::Sqlite(_) => in_transaction(conn, f),
            DbConnection::Postgres(_) => f(conn),
        }
    }

    /// Runs `f` in a transaction: everything it wrote is committed when it
    /// returns `Ok`, and nothing is when it returns `Err` or panics. `E` is
    /// the caller's error (a use case's), which storage errors become.
    pub fn write<T, E>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError> + From<diesel::result::Error>,
    {
        let mut conn = self.pool.get().map_err(StoreError::from)?;
        // A poisoned lock only means another writer panicked; its
        // transaction was rolled back, so the lock is safe to reuse.
        let guard = self.sqlite_writer.as_ref().map(|lock| {
            lock.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        });
        let conn: &mut DbConnection = &mut conn;
        crate::error::take_storage_full();
        let result = in_transaction(conn, f).map_err(full_disk_first);
        // Committed or rolled back, it is over: cached reads from before it
        // are retired (a rollback changed nothing; retiring is still safe).
        // The SQLite writer lock is still held, so commits are counted in
        // order.
        if let Some(watch) = &self.change_watch {
            watch.committed();
        }
        drop(guard);
        self.nudge_checkpointer();
        result
    }

    fn nudge_checkpointer(&self) {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.nudge();
        }
    }

    /// Whether the database answers within `timeout`.
    pub fn check(&self, timeout: Duration) -> Result<(), StoreError> {
        let mut conn = self.pool.get_timeout(timeout)?;
        diesel::sql_query("SELECT 1").execute(&mut *conn)?;
        Ok(())
    }

    /// Applies pending migrations and returns the names of those applied.
    pub fn migrate(&self) -> Result<Vec<String>, StartupError> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| StartupError::Migration(e.to_string()))?;
        crate::migrations::run_pending(&mut conn)
    }
}

/// The checkpoint thread, on a connection of its own; failed checkpoints
/// are logged (the connections' backstop still bounds the WAL).
fn start_checkpointer(manager: &ConnectionManager) -> Result<Checkpointer, String> {
    let DbConnection::Sqlite(conn) = manager.open().map_err(|e| e.to_string())? else {
        return Err("the checkpoint thread needs a SQLite connection".into());
    };
    // A failing disk fails every checkpoint, up to ten a second.
    static FAILED: LogThrottle = LogThrottle::new(Duration::from_secs(60));
    Checkpointer::start(conn, checkpointer::MIN_INTERVAL, |outcome| {
        if let Err(error) = outcome
            && let Some(left_out) = FAILED.admit()
        {
            tracing::warn!(%error, left_out, "WAL checkpoint failed");
        }
    })
    .map_err(|e| e.to_string())
}

/// A SQLite database on a read-only file or mount would pass readiness
/// and then fail every write: found at start instead, naming the file.
/// Writing the header's `user_version` back unchanged is a real write.
fn check_writable(conn: &mut SqliteConnection, path: &Path) -> Result<(), StartupError> {
    #[derive(diesel::QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        user_version: i32,
    }
    let probe = |conn: &mut SqliteConnection| -> Result<(), diesel::result::Error> {
        let version: Version = diesel::sql_query("PRAGMA user_version").get_result(conn)?;
        conn.batch_execute(&format!("PRAGMA user_version = {}", version.user_version))
    };
    probe(conn).map_err(|error| StartupError::Directory {
        path: path.display().to_string(),
        reason: format!("the database cannot be written: {error}"),
    })
}

fn prepare_directory(path: &Path) -> Result<(), StartupError> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(|error| StartupError::Directory {
                path: parent.display().to_string(),
                reason: error.to_string(),
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl;

    use crate::{Database, DatabaseUrl, PoolOptions};

    /// A new SQLite database in a temporary directory, which lives as long
    /// as the directory handle.
    fn temporary(options: PoolOptions) -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .expect("a SQLite URL");
        let db = Database::open(&url, options).expect("the database opens");
        (dir, db)
    }

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }

    /// `.cargo/config.toml` builds the bundled SQLite with the query planner
    /// stability guarantee. Without it every kept statement with a `LIMIT ?`
    /// is recompiled on each run (SQLite plans with the bound limit), so a
    /// build that lost the flag (say, `LIBSQLITE3_FLAGS` set to something
    /// else in the environment) fails here rather than quietly slowing down.
    #[test]
    fn sqlite_is_built_with_the_query_planner_stability_guarantee() {
        let (_dir, db) = temporary(PoolOptions::default());
        let found = db
            .read(|conn| -> Result<_, crate::StoreError> {
                Ok(diesel::sql_query(
                    "SELECT COUNT(*) AS n FROM pragma_compile_options \
                     WHERE compile_options = 'ENABLE_QPSG'",
                )
                .get_result::<Count>(conn)?)
            })
            .expect("the compile options are readable");
        assert_eq!(found.n, 1, "SQLITE_ENABLE_QPSG is compiled in");
    }

    /// On SQLite the reads of one batch see one snapshot: a row committed
    /// between two of them is not seen by the second, and is seen after.
    #[test]
    fn the_reads_of_a_batch_see_one_snapshot_on_sqlite() {
        use diesel::connection::SimpleConnection;

        let (_dir, db) = temporary(PoolOptions::default());
        db.write(|conn| -> Result<_, crate::StoreError> {
            conn.batch_execute("CREATE TABLE t (x INTEGER)")?;
            Ok(())
        })
        .expect("a table");
        let count = |conn: &mut crate::DbConnection| -> Result<i64, crate::StoreError> {
            Ok(diesel::sql_query("SELECT COUNT(*) AS n FROM t")
                .get_result::<Count>(conn)?
                .n)
        };
        let (before, after) = db
            .read_batch(|conn| -> Result<_, crate::StoreError> {
                let before = count(conn)?;
                db.write(|other| -> Result<_, crate::StoreError> {
                    other.batch_execute("INSERT INTO t (x) VALUES (1)")?;
                    Ok(())
                })?;
                Ok((before, count(conn)?))
            })
            .expect("the batch reads");
        assert_eq!((before, after), (0, 0), "one snapshot within the batch");
        assert_eq!(db.read(count).expect("readable"), 1, "the row after it");
    }

    /// When the work of a transaction fails after SQLite ended the
    /// transaction by itself, the work's error is reported, not that of
    /// the rollback which then fails; and the connection is not reused.
    #[test]
    fn the_work_error_outlives_a_failed_rollback() {
        use diesel::connection::SimpleConnection;

        let (_dir, db) = temporary(PoolOptions {
            max_size: 1,
            ..PoolOptions::default()
        });
        let work = |conn: &mut crate::DbConnection| -> Result<(), crate::StoreError> {
            conn.batch_execute("ROLLBACK")?;
            Err(crate::StoreError::NotFound)
        };
        let batch = db.read_batch(work);
        assert!(
            matches!(batch, Err(crate::StoreError::NotFound)),
            "{batch:?}"
        );
        let write = db.write(work);
        assert!(
            matches!(write, Err(crate::StoreError::NotFound)),
            "{write:?}"
        );
        db.write(|conn| -> Result<_, crate::StoreError> {
            conn.batch_execute("CREATE TABLE t (x INTEGER)")?;
            Ok(())
        })
        .expect("the next transaction runs on a sound connection");
    }

    /// A full disk is `StorageFull` (a 503 to clients), not a database
    /// fault: the database's page limit stands in for a full disk.
    #[test]
    fn a_full_database_is_storage_full_and_keeps_nothing() {
        use diesel::connection::SimpleConnection;

        let (_dir, db) = temporary(PoolOptions::default());
        db.write(|conn| -> Result<_, crate::StoreError> {
            conn.batch_execute("CREATE TABLE t (x BLOB)")?;
            Ok(())
        })
        .expect("a table");
        let full = db.write(|conn| -> Result<(), crate::StoreError> {
            conn.batch_execute(
                "PRAGMA max_page_count = 8;
                 INSERT INTO t (x) VALUES (zeroblob(1000000));",
            )?;
            Ok(())
        });
        assert!(
            matches!(full, Err(crate::StoreError::StorageFull(_))),
            "{full:?}"
        );
        let kept = db
            .read(|conn| -> Result<_, crate::StoreError> {
                Ok(diesel::sql_query("SELECT COUNT(*) AS n FROM t").get_result::<Count>(conn)?)
            })
            .expect("readable");
        assert_eq!(kept.n, 0);
    }
}
