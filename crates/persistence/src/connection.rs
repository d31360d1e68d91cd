//! The connection type every query runs on: PostgreSQL or SQLite, chosen at
//! start-up. Code that needs engine-specific SQL matches on the variant here
//! or in the module that owns that SQL, never elsewhere.

use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;

/// A connection to either engine. Queries written against it compile for both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

impl std::fmt::Debug for DbConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Postgres(_) => f.write_str("DbConnection::Postgres"),
            Self::Sqlite(_) => f.write_str("DbConnection::Sqlite"),
        }
    }
}
