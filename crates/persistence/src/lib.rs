//! Tierlink's storage layer: one diesel code base over two engines.
//!
//! * [`url`] decides the engine from the database URL's scheme.
//! * [`pool`] owns connections: an r2d2 pool whose connections are set up
//!   for the engine (SQLite in WAL mode with a busy timeout and foreign keys),
//!   and [`Database`], the handle the API uses to run reads and transactional
//!   writes.
//! * [`change_watch`] tells, on SQLite, whether anything was committed since
//!   a given moment: what the API's account cache trusts there.
//! * [`account_watch`] tells, on PostgreSQL, whether anyone's standing
//!   changed (`LISTEN`/`NOTIFY`), across replicas.
//! * [`checkpointer`] copies SQLite's WAL back into the database file on a
//!   thread of its own, so requests do not pay for it in their commits.
//! * [`log_throttle`] keeps warnings that can repeat many times a second
//!   to one per interval.
//! * [`migrations`] holds the embedded, per-engine migrations.
//! * [`locks`] holds the locks use cases take before they check and write.
//! * [`request_items`] is the stored form of a request's items: a JSON list
//!   in the request's row.
//! * One repository module per table family (`requests`, `revisions`,
//!   `drafts`, …) holds its rows and queries; rows never leave this crate,
//!   callers get domain types. Repositories never call each other: what
//!   they share ([`columns`], `entries`, `batch`, [`schema`]) is not a
//!   repository. Business rules live in `tierlink-domain`; the use cases
//!   that combine repositories live in `tierlink-usecases`.

pub mod account_watch;
pub mod api_clients;
pub mod attachments;
mod batch;
pub mod change_watch;
pub mod checkpointer;
pub mod columns;
pub mod connection;
pub mod custom_metrics;
pub mod drafts;
mod entries;
pub mod error;
pub mod events;
pub mod evidence;
pub mod footprints;
pub mod idempotency;
pub mod locks;
pub mod log_throttle;
pub mod migrations;
pub mod network;
pub mod organisations;
pub mod pool;
pub mod prepared;
pub mod products;
pub mod refresh_tokens;
pub mod reminders;
mod request_details;
pub mod request_items;
pub mod requests;
pub mod requirements;
pub mod revisions;
pub mod rollup_inputs;
pub mod schema;
pub mod schema_info;
mod time;
pub mod url;
pub mod users;
pub mod webhooks;

pub use connection::DbConnection;
pub use diesel::result::Error as DieselError;
pub use error::{StartupError, StoreError};
pub use pool::{Database, PoolOptions};
pub use url::{DatabaseUrl, Engine};
