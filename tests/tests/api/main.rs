//! End-to-end tests of the HTTP API: one binary, one module per area.
//! Run on SQLite by default; set `TIERLINK_TEST_DATABASE_URL` to run the
//! same tests on PostgreSQL.

mod errors;
mod health;
mod openapi;
mod organisations;
mod schema;
mod startup;
