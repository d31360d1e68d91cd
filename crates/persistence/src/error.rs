//! The storage layer's errors: what went wrong, in terms the API layer can
//! map to a status without knowing SQL.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// An error from a query or a transaction.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist (or is not visible to the caller).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken. `field` names the input field at fault
    /// where the repository knows it.
    #[error("duplicate: {message}")]
    Duplicate {
        field: Option<String>,
        message: String,
    },
    /// The change is not allowed in the current state (disabling the last
    /// admin, rotating a revoked client's secret).
    #[error("rejected: {message}")]
    Rejected {
        code: &'static str,
        field: Option<String>,
        message: String,
    },
    /// Input that only the database can judge invalid (an audience member
    /// that is not a supplier, say): a 422 naming the field.
    #[error("invalid: {0}")]
    Invalid(tierlink_domain::FieldError),
    /// Several invalid inputs at once (every missing required item, say).
    #[error("invalid: {0:?}")]
    InvalidAll(Vec<tierlink_domain::FieldError>),
    /// The caller's `If-Match` revision is not the current one.
    #[error("stale: the current revision is {current}")]
    Stale { current: i32 },
    /// No connection could be had: the database is down or overloaded.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Another transaction held what this one needed for longer than the
    /// lock timeout, or the engine broke a deadlock or a serialisation
    /// conflict by failing this one. Nothing was written; the same request
    /// may simply be sent again.
    #[error("database busy: {reason}")]
    Busy { kind: Contention, reason: String },
    /// The disk (or the database's size limit) is full: nothing was
    /// written; the operator must make room. Its text is for logs only.
    #[error("storage full: {0}")]
    StorageFull(String),
    /// Stored data that no longer parses, or any other broken invariant.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// Any other database error. Its text is for logs only.
    #[error("database error: {0}")]
    Database(DieselError),
}

impl StoreError {
    /// Puts the field of a `Duplicate`, `Rejected` or `Invalid` error under `prefix`
    /// (`email` → `admin.email`), for requests that nest resources.
    #[must_use]
    pub fn under(self, prefix: &str) -> Self {
        let nest = |field: Option<String>| {
            Some(field.map_or_else(|| prefix.to_owned(), |f| format!("{prefix}.{f}")))
        };
        match self {
            Self::Duplicate { field, message } => Self::Duplicate {
                field: nest(field),
                message,
            },
            Self::Rejected {
                code,
                field,
                message,
            } => Self::Rejected {
                code,
                field: nest(field),
                message,
            },
            Self::Invalid(error) => Self::Invalid(error.under(prefix)),
            Self::InvalidAll(errors) => {
                Self::InvalidAll(errors.into_iter().map(|e| e.under(prefix)).collect())
            }
            other => other,
        }
    }
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Duplicate {
                    field: None,
                    message: format!(
                        "a record with the same unique value already exists ({})",
                        info.constraint_name()
                            .or(info.table_name())
                            .unwrap_or("unique constraint")
                    ),
                }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                Self::Unavailable("the connection was closed".to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info) => {
                Self::Unavailable(info.message().to_owned())
            }
            DieselError::DatabaseError(_, info) if connection_lost(info.message()) => {
                Self::Unavailable(info.message().to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                Self::Busy {
                    kind: Contention::Serialization,
                    reason: info.message().to_owned(),
                }
            }
            DieselError::DatabaseError(_, info) if is_storage_full(info.message()) => {
                FULL_IN_THIS_TRANSACTION.set(true);
                Self::StorageFull(info.message().to_owned())
            }
            DieselError::DatabaseError(kind, info) => match contention(info.message()) {
                Some(contention) => Self::Busy {
                    kind: contention,
                    reason: info.message().to_owned(),
                },
                None => Self::Database(DieselError::DatabaseError(kind, info)),
            },
            other => Self::Database(other),
        }
    }
}

/// Which kind of contention made a transaction give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contention {
    /// It waited for a lock longer than the lock timeout.
    LockWait,
    /// The engine broke a deadlock by failing it.
    Deadlock,
    /// The engine failed it to keep a serialisable order.
    Serialization,
}

/// Whether an engine's error message says the statement lost a wait for a
/// lock, and how: SQLite's `SQLITE_BUSY`/`SQLITE_LOCKED` once the busy
/// timeout is spent, PostgreSQL's `lock_timeout` (55P03) and deadlock
/// victims (40P01). diesel does not expose PostgreSQL's SQLSTATE, so its
/// (English) message is matched; with a translated `lc_messages` these stay
/// 500s.
fn contention(message: &str) -> Option<Contention> {
    const MESSAGES: [(&str, Contention); 4] = [
        ("database is locked", Contention::LockWait),
        ("database table is locked", Contention::LockWait),
        (
            "canceling statement due to lock timeout",
            Contention::LockWait,
        ),
        ("deadlock detected", Contention::Deadlock),
    ];
    MESSAGES
        .iter()
        .find(|(start, _)| message.starts_with(start))
        .map(|(_, kind)| *kind)
}

/// Whether an engine's error message says the connection itself is gone
/// (the server was restarted, or ended the session): the pool checks no
/// connection before handing it out, so this is how a dead one shows, on
/// its first statement. Matched on the (English) message, as [`contention`].
fn connection_lost(message: &str) -> bool {
    const MESSAGES: [&str; 5] = [
        "terminating connection",
        "server closed the connection",
        "no connection to the server",
        "could not receive data from server",
        "could not send data to server",
    ];
    MESSAGES.iter().any(|lost| message.contains(lost))
}

thread_local! {
    /// Set when a statement on this thread failed for a full disk. SQLite
    /// rolls the transaction back itself then, so what follows in it fails
    /// too (the commit, or work that went on after the error) with errors
    /// of its own: `Database::write` reads this to report the full disk
    /// all the same.
    static FULL_IN_THIS_TRANSACTION: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a statement on this thread failed for a full disk since the
/// last call (which clears it).
pub(crate) fn take_storage_full() -> bool {
    FULL_IN_THIS_TRANSACTION.replace(false)
}

/// Whether an engine's error message says the disk is full: SQLite's
/// `SQLITE_FULL` ("database or disk is full"), PostgreSQL's 53100
/// ("could not extend file …: No space left on device", or a write that
/// failed the same way). Matched on the (English) message, as [`contention`].
pub fn is_storage_full(message: &str) -> bool {
    message.contains("database or disk is full") || message.contains("No space left on device")
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(error.to_string())
    }
}

/// Why the database could not be opened at start-up.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    #[error("cannot open the database at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("cannot prepare the database directory {path}: {reason}")]
    Directory { path: String, reason: String },
    #[error("migrations failed: {0}")]
    Migration(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contention_is_told_apart_by_the_engines_messages() {
        assert_eq!(contention("database is locked"), Some(Contention::LockWait));
        assert_eq!(
            contention("canceling statement due to lock timeout"),
            Some(Contention::LockWait)
        );
        assert_eq!(contention("deadlock detected"), Some(Contention::Deadlock));
        assert_eq!(contention("no such table: requests"), None);
    }

    #[test]
    fn a_lost_connection_is_told_apart_from_other_failures() {
        assert!(connection_lost(
            "terminating connection due to administrator command"
        ));
        assert!(connection_lost(
            "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally"
        ));
        assert!(!connection_lost("no such table: requests"));
    }

    #[test]
    fn a_full_disk_is_told_apart_from_other_failures() {
        assert!(is_storage_full("database or disk is full"));
        assert!(is_storage_full(
            "could not extend file \"base/16384/2619\": No space left on device"
        ));
        assert!(!is_storage_full("no such table: requests"));
    }
}
