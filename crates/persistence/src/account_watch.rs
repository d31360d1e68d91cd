//! Knowing on PostgreSQL, across replicas, when anyone's standing changed:
//! what lets the API keep accounts' states between requests instead of
//! re-reading the account on every one.
//!
//! Triggers (migration `account_notifications`) send a `NOTIFY` on the
//! channel [`CHANNEL`] whenever a user is added, removed, disabled or given
//! another role, and whenever an API client is removed, revoked or given
//! other scopes, in the transaction that does it, so it is delivered at
//! commit. Each replica `LISTEN`s on a connection of its own, on a thread
//! that looks for notifications every `poll` (10 ms by default, without a
//! round trip: it reads what the server already sent) and moves the
//! [`AccountWatch::version`] when one came.
//!
//! A change is so seen by every replica within `poll` of its commit, and at
//! once by the replica that made it ([`AccountWatch::changed`], called by
//! `Database::write_accounts`). While the listening connection is down the
//! version is `None` (nothing is kept), and it moves when listening starts
//! again, as a notification may have been missed in between. The thread
//! asks the server a question every [`KEEPALIVE`]; when no answer has come
//! for [`SILENT_AFTER`] (a connection the network dropped without closing
//! it delivers nothing and reports no error) the version is `None` too. So
//! a change is seen within `poll`, and never later than [`SILENT_AFTER`].
//!
//! The listening connection must reach PostgreSQL itself: a pooler in
//! transaction mode (PgBouncer) accepts `LISTEN` but delivers nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};

use crate::log_throttle::LogThrottle;

/// The channel the triggers notify.
pub const CHANNEL: &str = "tierlink_accounts";

/// How often the listening connection is asked a question, so a connection
/// the network lost without closing it is noticed.
pub const KEEPALIVE: Duration = Duration::from_secs(1);

/// How long without an answer before the watch stops vouching for its
/// version.
pub const SILENT_AFTER: Duration = Duration::from_secs(3);

/// libpq settings of the listening connection, so a lost network fails its
/// reads within seconds rather than TCP's quarter of an hour.
const CONNECTION_SETTINGS: &str =
    "tcp_user_timeout=3000&keepalives=1&keepalives_idle=1&keepalives_interval=1&keepalives_count=3";

/// How long to wait before listening again after the connection failed.
const RECONNECT: Duration = Duration::from_secs(1);

/// The watch's state, shared with its thread. `state` is the version times
/// two, plus one while listening: one load reads both, so a version is never
/// paired with the other half of a reconnect.
#[derive(Debug)]
struct Shared {
    state: AtomicU64,
    /// When the server last answered, in milliseconds since `epoch`.
    answered_ms: AtomicU64,
    epoch: Instant,
}

impl Shared {
    fn new() -> Self {
        Self {
            state: AtomicU64::new(0),
            answered_ms: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    /// A new version, listening or not (`None`: as before).
    fn advance(&self, listening: Option<bool>) {
        let mut current = self.state.load(Ordering::Acquire);
        loop {
            let bit = listening.map_or(current & 1, u64::from);
            let next = (((current >> 1) + 1) << 1) | bit;
            match self.state.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    fn answered(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.answered_ms.store(ms, Ordering::Release);
    }

    fn silent_for(&self) -> Duration {
        let answered = Duration::from_millis(self.answered_ms.load(Ordering::Acquire));
        self.epoch.elapsed().saturating_sub(answered)
    }
}

/// The accounts' version number on this replica: equal numbers, no change
/// to anyone's standing in between (as of `poll` ago).
#[derive(Debug)]
pub struct AccountWatch {
    shared: Arc<Shared>,
}

impl AccountWatch {
    /// Starts listening to `url` on a thread of its own, which ends when the
    /// watch is dropped.
    pub fn start(url: String, poll: Duration) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::new());
        let weak = Arc::downgrade(&shared);
        std::thread::Builder::new()
            .name("tierlink-account-watch".to_owned())
            .spawn(move || listen(&url, poll, &weak))?;
        Ok(Self { shared })
    }

    /// The current version, or `None` while changes cannot be seen.
    pub fn version(&self) -> Option<u64> {
        let state = self.shared.state.load(Ordering::Acquire);
        let listening = state & 1 == 1 && self.shared.silent_for() < SILENT_AFTER;
        listening.then_some(state >> 1)
    }

    /// Records a change this replica just committed.
    pub fn changed(&self) {
        self.shared.advance(None);
    }
}

/// The listening thread: connects, listens, and moves the version on
/// every notification, until the watch is gone.
fn listen(url: &str, poll: Duration, shared: &Weak<Shared>) {
    static FAILED: LogThrottle = LogThrottle::new(Duration::from_secs(60));
    loop {
        let error = match connect(url) {
            Ok(mut connection) => {
                let Some(watch) = shared.upgrade() else {
                    return;
                };
                watch.answered();
                watch.advance(Some(true));
                drop(watch);
                let error = watch_notifications(&mut connection, poll, shared);
                let Some(watch) = shared.upgrade() else {
                    return;
                };
                watch.advance(Some(false));
                error
            }
            Err(error) => error,
        };
        if shared.strong_count() == 0 {
            return;
        }
        if let Some(left_out) = FAILED.admit() {
            tracing::warn!(%error, left_out, "account changes cannot be watched; accounts are read on every request until they can");
        }
        std::thread::sleep(RECONNECT);
    }
}

fn connect(url: &str) -> Result<PgConnection, diesel::result::Error> {
    let separator = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{separator}{CONNECTION_SETTINGS}");
    let mut connection = PgConnection::establish(&url)
        .map_err(|error| diesel::result::Error::QueryBuilderError(error.to_string().into()))?;
    connection.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    Ok(connection)
}

/// Reads notifications until the connection fails (its error) or the
/// watch is dropped (`QueryBuilderError("stopped")`).
fn watch_notifications(
    connection: &mut PgConnection,
    poll: Duration,
    shared: &Weak<Shared>,
) -> diesel::result::Error {
    let mut asked = Instant::now();
    loop {
        let mut came = false;
        for notification in connection.notifications_iter() {
            match notification {
                Ok(_) => came = true,
                Err(error) => return error,
            }
        }
        let Some(watch) = shared.upgrade() else {
            return diesel::result::Error::QueryBuilderError("stopped".into());
        };
        if came {
            watch.advance(None);
        }
        if asked.elapsed() >= KEEPALIVE {
            if let Err(error) = diesel::sql_query("SELECT 1").execute(connection) {
                return error;
            }
            watch.answered();
            asked = Instant::now();
        }
        drop(watch);
        std::thread::sleep(poll);
    }
}
