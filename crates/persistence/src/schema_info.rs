//! What tables and columns a database has, read from the engine's own
//! catalogue. Used to prove both engines' migrations reach the same schema.

use std::collections::BTreeMap;

use diesel::sql_types::{Bool, Text};
use diesel::{QueryableByName, RunQueryDsl};

use crate::connection::DbConnection;
use crate::error::StoreError;

/// A column's name and whether it may hold NULL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, QueryableByName)]
pub struct Column {
    #[diesel(sql_type = Text)]
    pub table_name: String,
    #[diesel(sql_type = Text)]
    pub column_name: String,
    #[diesel(sql_type = Bool)]
    pub not_null: bool,
}

/// Table name → its columns, sorted; diesel's own bookkeeping table excluded.
pub type Schema = BTreeMap<String, Vec<(String, bool)>>;

pub fn describe(conn: &mut DbConnection) -> Result<Schema, StoreError> {
    let columns: Vec<Column> = match conn {
        DbConnection::Postgres(c) => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name,
                    (is_nullable = 'NO') AS not_null
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'",
        )
        .load(c)?,
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, (p.\"notnull\" = 1 OR p.pk > 0) AS not_null
             FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'",
        )
        .load(c)?,
    };
    let mut schema = Schema::new();
    for column in columns {
        schema
            .entry(column.table_name)
            .or_default()
            .push((column.column_name, column.not_null));
    }
    for columns in schema.values_mut() {
        columns.sort();
    }
    Ok(schema)
}
