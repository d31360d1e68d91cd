//! End-to-end tests of the HTTP API: one binary, one module per area.
//! Run on SQLite by default; set `TIERLINK_TEST_DATABASE_URL` to run the
//! same tests on PostgreSQL.

mod account_cache;
mod answers;
mod audit;
mod auth;
mod bulk;
mod contention;
mod errors;
mod events;
mod evidence;
mod hardening;
mod health;
mod idempotency;
mod isolation;
mod metrics;
mod network;
mod openapi;
mod organisations;
mod pact;
mod pact_events;
mod products;
mod races;
mod reminders;
mod requirements;
mod reuse;
mod rollup;
mod schema;
mod security;
mod seed;
mod spreadsheets;
mod startup;
mod tokens;
mod users;
mod webhooks;
