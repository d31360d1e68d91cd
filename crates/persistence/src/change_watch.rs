//! Knowing cheaply whether the database changed: the basis of the API's
//! read cache.
//!
//! SQLite numbers its state for each connection: `PRAGMA data_version`
//! returns a new value on a connection once any *other* connection — in this
//! process or another one, such as `tierlink admin` — has committed a change.
//! [`ChangeWatch`] keeps a few connections for nothing but that question, so
//! an unchanged number proves that nothing was written since it was last
//! read. Asking costs a few microseconds: the statement is prepared once per
//! connection, and there is a connection per HTTP worker, so workers do not
//! queue for one.
//!
//! PostgreSQL has no such cheap, exact signal across the replicas that share
//! it, so there is no watch there and nothing is cached.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};

use diesel::connection::SimpleConnection;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::BigInt;
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel::{QueryResult, RunQueryDsl};

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

/// One watch connection and the last `data_version` it returned.
struct Watcher {
    connection: SqliteConnection,
    last_seen: Option<i64>,
}

/// Connections kept to ask `PRAGMA data_version`, and the shared version
/// number made of their answers.
///
/// Each connection numbers versions on its own, so the watch keeps one
/// number for all: whenever a connection sees its own number move, the
/// shared one goes up. A commit is thus counted by the first question each
/// connection asks after it (perhaps twice — a spurious change only costs a
/// cache miss), and every question answered after a commit returns a higher
/// number than any answered before it.
pub struct ChangeWatch {
    watchers: Vec<Mutex<Watcher>>,
    version: AtomicU64,
}

impl std::fmt::Debug for ChangeWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeWatch")
            .field("connections", &self.watchers.len())
            .field("version", &self.version)
            .finish()
    }
}

impl ChangeWatch {
    /// Takes connections set up like the pool's, but which never wait for a
    /// lock: the question is asked on the HTTP worker threads, and an answer
    /// that would need waiting is no answer (nothing is cached then).
    pub(crate) fn new(connections: Vec<SqliteConnection>) -> Result<Self, diesel::result::Error> {
        let watchers = connections
            .into_iter()
            .map(|mut connection| {
                connection.batch_execute("PRAGMA busy_timeout = 0;")?;
                Ok(Mutex::new(Watcher {
                    connection,
                    last_seen: None,
                }))
            })
            .collect::<Result<Vec<_>, diesel::result::Error>>()?;
        Ok(Self {
            watchers,
            version: AtomicU64::new(0),
        })
    }

    /// The current version, or `None` if SQLite could not say (then the
    /// caller must not trust anything it cached).
    pub fn version(&self) -> Option<DataVersion> {
        let mut watcher = self.free_watcher()?;
        let seen = DataVersionPragma
            .get_result::<i64>(&mut watcher.connection)
            .ok()?;
        if watcher.last_seen.replace(seen) == Some(seen) {
            Some(self.version.load(Ordering::SeqCst))
        } else {
            Some(self.version.fetch_add(1, Ordering::SeqCst) + 1)
        }
    }

    /// A watcher nobody is using if there is one, else the first one once
    /// it is free.
    fn free_watcher(&self) -> Option<MutexGuard<'_, Watcher>> {
        for watcher in &self.watchers {
            match watcher.try_lock() {
                Ok(guard) => return Some(guard),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Poisoned(_)) => return None,
            }
        }
        self.watchers.first()?.lock().ok()
    }
}

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl;

    use crate::{Database, DatabaseUrl, PoolOptions};

    fn open(path: &std::path::Path) -> Database {
        let url =
            DatabaseUrl::parse(&format!("sqlite://{}", path.display())).expect("a SQLite URL");
        Database::open(&url, PoolOptions::default()).expect("the database opens")
    }

    fn write(db: &Database) {
        db.write(|conn| {
            diesel::sql_query("INSERT INTO t (x) VALUES (1)").execute(conn)?;
            Ok(())
        })
        .expect("the write commits");
    }

    #[test]
    fn the_version_moves_with_every_commit_by_this_or_another_handle() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("watch.db");
        let server = open(&path);
        server
            .write(|conn| {
                diesel::sql_query("CREATE TABLE t (x INTEGER)").execute(conn)?;
                Ok(())
            })
            .expect("the table is created");

        let before = server.data_version().expect("SQLite knows its version");
        assert_eq!(server.data_version(), Some(before), "no commit, no change");

        write(&server);
        let after_own = server.data_version().expect("a version");
        assert_ne!(after_own, before, "a commit through the pool is seen");

        // Another handle on the same file, as `tierlink admin` would be.
        let other_process = open(&path);
        write(&other_process);
        let after_other = server.data_version().expect("a version");
        assert_ne!(after_other, after_own, "a commit by another handle is seen");

        // Reads and rolled-back writes change nothing.
        server
            .read(|conn| {
                diesel::sql_query("SELECT x FROM t").execute(conn)?;
                Ok(())
            })
            .expect("the read runs");
        let failed: Result<(), crate::StoreError> = server.write(|conn| {
            diesel::sql_query("INSERT INTO t (x) VALUES (2)").execute(conn)?;
            Err(crate::StoreError::NotFound)
        });
        assert!(failed.is_err());
        assert_eq!(server.data_version(), Some(after_other));
    }
}
