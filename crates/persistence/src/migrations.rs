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

/// Applies the pending migrations up to and including version `last`
/// (e.g. `2026-12-06-000011`); returns their
/// names. For tests of a migration that moves data: they write rows in the
/// old shape, then apply it.
pub fn run_up_to(conn: &mut DbConnection, last: &str) -> Result<Vec<String>, StartupError> {
    fn up_to<C, DB>(
        conn: &mut C,
        source: EmbeddedMigrations,
        last: &str,
    ) -> diesel::migration::Result<Vec<String>>
    where
        DB: diesel::backend::Backend,
        C: MigrationHarness<DB>,
    {
        // diesel's versions are the folder name's date and number, without
        // the dashes.
        let digits = |version: &str| version.replace('-', "");
        let last = digits(last);
        let mut pending = conn.pending_migrations(source)?;
        pending.sort_by_key(|migration| digits(&migration.name().version().to_string()));
        let mut applied = Vec::new();
        for migration in pending {
            if digits(&migration.name().version().to_string()) > last {
                break;
            }
            applied.push(conn.run_migration(&*migration)?.to_string());
        }
        Ok(applied)
    }
    let applied = match conn {
        DbConnection::Postgres(c) => up_to(c, POSTGRES, last),
        DbConnection::Sqlite(c) => up_to(c, SQLITE, last),
    };
    applied.map_err(|error| StartupError::Migration(error.to_string()))
}

/// Reverts the last applied migration; returns its name.
pub fn revert_last(conn: &mut DbConnection) -> Result<String, StartupError> {
    let reverted = match conn {
        DbConnection::Postgres(c) => c.revert_last_migration(POSTGRES).map(|v| v.to_string()),
        DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE).map(|v| v.to_string()),
    };
    reverted.map_err(|error| StartupError::Migration(error.to_string()))
}
