//! Embedded migrations, one folder per engine under `migrations/` at the
//! workspace root, kept in step (a test compares the resulting schemas).

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::connection::DbConnection;
use crate::error::StartupError;

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Applies the migrations not yet applied; returns their names.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, StartupError> {
    let applied = match conn {
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES).map(|v| names(&v)),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE).map(|v| names(&v)),
    };
    applied.map_err(|error| StartupError::Migration(error.to_string()))
}

fn names(versions: &[diesel::migration::MigrationVersion<'_>]) -> Vec<String> {
    versions.iter().map(ToString::to_string).collect()
}
