//! Tierlink's use cases: one function per thing a caller can do
//! ("a supplier submits an answer", "a tier-1 forwards a request").
//!
//! Each one loads what it needs through the repositories of
//! `tierlink-persistence`, asks `tierlink-domain` to decide, and tells the
//! repositories what to store. A use case that writes takes the connection
//! of the transaction its caller opened with `Database::write` (`tx`), so
//! everything it does commits together or not at all; before it checks
//! and then writes, it takes the lock that keeps its check true on
//! PostgreSQL (see `tierlink_persistence::locks`), named in its doc.
//! Reads take a plain connection (`conn`) and authorise once.
//!
//! The crate knows nothing of HTTP: errors are [`Error`], which the API
//! maps to problem+json.

pub mod accounts;
pub mod answers;
pub mod api_clients;
pub mod error;
pub mod events;
pub mod evidence;
pub mod footprints;
pub mod metrics;
pub mod network;
pub mod organisations;
pub mod pact;
pub mod products;
pub mod reminders;
pub mod requests;
pub mod requirements;
pub mod sessions;
pub mod users;
pub mod webhooks;

pub use error::Error;
pub use tierlink_persistence::DbConnection;

use tierlink_domain::access::{Actor, Caller};

/// How a caller is recorded in what it wrote (`user:<id>`, `client:<id>`).
pub fn actor(caller: &Caller) -> String {
    match &caller.actor {
        Actor::User { id, .. } => format!("user:{id}"),
        Actor::Client { id, .. } => format!("client:{id}"),
    }
}
