//! Tierlink's domain: the validated types and business rules of supply-chain
//! ESG data exchange, free of HTTP, SQL and async runtimes.
//!
//! Every value that crosses into this crate is parsed once into a type that
//! can only hold valid data (a [`identifiers::BusinessRegistrationNumber`] is
//! always ten digits with a correct check digit). Validation failures are
//! reported as [`error::ValidationErrors`], each naming the offending field so
//! the API layer can tell a client exactly what to fix.

pub mod access;
pub mod answers;
pub mod error;
pub mod events;
pub mod evidence;
pub mod footprints;
pub mod identifiers;
pub mod identity;
pub mod ids;
pub mod metrics;
pub mod network;
pub mod organisation;
pub mod pagination;
pub mod products;
pub mod reminders;
pub mod requests;
pub mod requirements;
pub mod revisions;
pub mod rollup;
pub mod time;
pub mod units;
pub mod webhooks;

pub use error::{FieldError, Rejection, ValidationErrors};
