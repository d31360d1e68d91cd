//! WAL checkpoints off the request path (SQLite).
//!
//! In WAL mode SQLite appends each commit to the `-wal` file and later
//! copies those pages back into the database file: a *checkpoint*. By
//! default the connection whose commit takes the WAL past 1,000 pages runs
//! it, inside its `COMMIT`, so one request pays for copying and syncing the
//! work of the requests before it — 28 % of a 10,000-entry bulk answer, and
//! the tail of small writes.
//!
//! Here one thread with its own connection checkpoints instead. Every write
//! through [`crate::Database`] nudges it when it commits; it runs a
//! `PASSIVE` checkpoint (which waits for no reader and no writer) at most
//! once per [`MIN_INTERVAL`], folding the nudges that arrive meanwhile into
//! one. The server's connections still checkpoint themselves, as a
//! backstop, once the WAL reaches [`BACKSTOP_PAGES`] — if this thread falls
//! behind or is gone. The thread ends when the last handle is dropped,
//! after a last checkpoint if the process lives that long (if not, SQLite
//! replays the WAL when the database is next opened: nothing is lost).

use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use diesel::sql_types::BigInt;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryableByName, RunQueryDsl};

/// At most one checkpoint per this long: a burst of commits is copied back
/// in one go (each checkpoint syncs the WAL and the database file).
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// `wal_autocheckpoint` of the server's connections: how large the WAL may
/// grow (in pages of 4 KiB, so 40 MiB) before a committing request runs the
/// checkpoint itself because this thread has not.
pub const BACKSTOP_PAGES: u32 = 10_000;

/// `journal_size_limit` of the server's connections: SQLite reuses the
/// `-wal` file rather than shrinking it, so after a burst up to the backstop
/// it would keep 40 MiB on disk for good; it is cut back to this size
/// whenever the WAL starts over after a complete checkpoint.
pub const WAL_FILE_LIMIT_BYTES: u64 = 16 * 1024 * 1024;

/// What one `PRAGMA wal_checkpoint` reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct Checkpoint {
    /// 1 when the checkpoint could not run at all (another was running).
    #[diesel(sql_type = BigInt)]
    pub busy: i64,
    /// Frames in the WAL.
    #[diesel(sql_type = BigInt, column_name = log)]
    pub wal_frames: i64,
    /// Frames copied back into the database file (all of them when equal
    /// to `wal_frames`).
    #[diesel(sql_type = BigInt, column_name = checkpointed)]
    pub copied_frames: i64,
}

/// Runs a `PASSIVE` checkpoint on `conn`: copies what it can without
/// waiting for readers or writers.
pub fn checkpoint(conn: &mut SqliteConnection) -> diesel::QueryResult<Checkpoint> {
    diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result(conn)
}

/// The handle to the checkpoint thread; cloned into every [`crate::Database`]
/// through an `Arc`.
#[derive(Debug)]
pub struct Checkpointer {
    nudges: SyncSender<()>,
}

impl Checkpointer {
    /// Starts the thread on `conn`. `observe` sees the outcome of every
    /// checkpoint (logging, and tests that wait for one).
    pub fn start(
        conn: SqliteConnection,
        min_interval: Duration,
        observe: impl Fn(diesel::QueryResult<Checkpoint>) + Send + 'static,
    ) -> std::io::Result<Self> {
        // One pending nudge is enough: the checkpoint that answers it copies
        // every commit before it.
        let (nudges, received) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("tierlink-checkpoint".into())
            .spawn(move || run(conn, &received, min_interval, &observe))?;
        Ok(Self { nudges })
    }

    /// Asks for a checkpoint soon: something was committed. Never blocks.
    pub fn nudge(&self) {
        match self.nudges.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) => {}
            // The thread is gone (it only ends when every handle is
            // dropped, or if it panicked): the connections' own backstop
            // checkpoints take over.
            Err(TrySendError::Disconnected(())) => {}
        }
    }
}

fn run(
    mut conn: SqliteConnection,
    nudges: &Receiver<()>,
    min_interval: Duration,
    observe: &dyn Fn(diesel::QueryResult<Checkpoint>),
) {
    let mut last: Option<Instant> = None;
    while nudges.recv().is_ok() {
        // Wait out the rest of the interval since the last checkpoint,
        // absorbing the nudges that come meanwhile.
        let mut open = true;
        if let Some(due) = last.map(|at| at + min_interval) {
            while let Some(left) = due.checked_duration_since(Instant::now()) {
                match nudges.recv_timeout(left) {
                    Ok(()) => {}
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => {
                        open = false;
                        break;
                    }
                }
            }
        }
        observe(checkpoint(&mut conn));
        last = Some(Instant::now());
        if !open {
            return;
        }
    }
    // Every handle dropped: copy back what the last writes left.
    observe(checkpoint(&mut conn));
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use diesel::Connection;
    use diesel::connection::SimpleConnection;

    use super::*;

    /// A database in WAL mode whose connections never checkpoint by
    /// themselves, and a writer on it.
    fn wal_database() -> (tempfile::TempDir, String, SqliteConnection) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = dir.path().join("t.db").to_string_lossy().into_owned();
        let mut writer = open(&url);
        writer
            .batch_execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);")
            .expect("set up");
        (dir, url, writer)
    }

    fn open(url: &str) -> SqliteConnection {
        let mut conn = SqliteConnection::establish(url).expect("open");
        conn.batch_execute("PRAGMA wal_autocheckpoint = 0;")
            .expect("no automatic checkpoints");
        conn
    }

    fn insert_rows(writer: &mut SqliteConnection) {
        writer
            .batch_execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
                 INSERT INTO t SELECT i FROM n;",
            )
            .expect("insert");
    }

    #[test]
    fn a_nudge_copies_every_committed_frame_back() {
        let (_dir, url, mut writer) = wal_database();
        let (done, checkpoints) = mpsc::channel();
        let checkpointer = Checkpointer::start(open(&url), Duration::ZERO, move |outcome| {
            let _ = done.send(outcome);
        })
        .expect("a thread");
        insert_rows(&mut writer);
        checkpointer.nudge();
        let outcome = checkpoints.recv().expect("a checkpoint").expect("it runs");
        assert_eq!(outcome.busy, 0);
        assert!(
            outcome.wal_frames > 0,
            "the insert is in the WAL: {outcome:?}"
        );
        assert_eq!(
            outcome.copied_frames, outcome.wal_frames,
            "every frame copied back"
        );
    }

    #[test]
    fn nudges_within_the_interval_make_one_checkpoint_and_the_last_handle_makes_one_more() {
        let (_dir, url, mut writer) = wal_database();
        let (done, checkpoints) = mpsc::channel();
        let checkpointer =
            Checkpointer::start(open(&url), Duration::from_secs(3600), move |outcome| {
                let _ = done.send(outcome);
            })
            .expect("a thread");
        insert_rows(&mut writer);
        checkpointer.nudge();
        let first = checkpoints
            .recv()
            .expect("the first nudge is answered at once");
        assert!(first.is_ok());
        // Within the hour: the nudges wait for the interval — or for the
        // last handle to go, which makes the one checkpoint that follows.
        insert_rows(&mut writer);
        checkpointer.nudge();
        checkpointer.nudge();
        drop(checkpointer);
        let rest: Vec<_> = checkpoints.iter().collect();
        assert_eq!(rest.len(), 1, "one checkpoint after the first: {rest:?}");
        let last = rest[0].as_ref().expect("it runs");
        assert!(last.wal_frames > 0);
        assert_eq!(last.copied_frames, last.wal_frames, "{last:?}");
    }

    #[test]
    fn the_servers_connections_checkpoint_only_as_a_backstop() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = crate::url::DatabaseUrl::parse(&format!(
            "sqlite://{}",
            dir.path().join("t.db").display()
        ))
        .expect("a SQLite URL");
        let db = crate::Database::open(&url, crate::PoolOptions::default()).expect("it opens");
        #[derive(QueryableByName)]
        struct Setting {
            #[diesel(sql_type = BigInt)]
            wal_autocheckpoint: i64,
        }
        #[derive(QueryableByName)]
        struct Limit {
            #[diesel(sql_type = BigInt)]
            journal_size_limit: i64,
        }
        let (setting, limit): (Setting, Limit) = db
            .read(|conn| -> Result<_, crate::StoreError> {
                Ok((
                    diesel::sql_query("PRAGMA wal_autocheckpoint").get_result(conn)?,
                    diesel::sql_query("PRAGMA journal_size_limit").get_result(conn)?,
                ))
            })
            .expect("the settings");
        assert_eq!(setting.wal_autocheckpoint, i64::from(BACKSTOP_PAGES));
        assert_eq!(
            u64::try_from(limit.journal_size_limit).ok(),
            Some(WAL_FILE_LIMIT_BYTES)
        );
    }
}
