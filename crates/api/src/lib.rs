//! Tierlink's HTTP API: configuration, the actix-web application, its
//! OpenAPI document, and the pieces every endpoint shares.
//!
//! A request passes, outermost first, through [`middleware::request_id`]
//! (request id, log span, access log), [`problem::backstop`] (turns any
//! error response that is not yet problem+json into one) and then a route
//! in [`routes`], whose handler parses input with [`extract`], calls the
//! domain and persistence crates through [`db`], and maps errors with
//! [`problem::ApiError`].

pub mod account_cache;
pub mod admin;
pub mod auth;
pub mod config;
pub mod connection;
pub mod db;
pub mod delivery;
pub mod extract;
pub mod fallback;
pub mod idempotency;
pub mod middleware;
pub mod openapi;
pub mod path;
pub mod problem;
pub mod reminders;
pub mod routes;
pub mod startup;
pub mod storage;
pub mod summary;
pub mod telemetry;
pub mod wire;

pub use config::Settings;
pub use startup::Application;
