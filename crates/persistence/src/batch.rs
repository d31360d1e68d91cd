//! Multi-row `INSERT`s on either engine: one statement per chunk of rows
//! instead of one per row (a round trip each on PostgreSQL).
//!
//! diesel writes batch inserts for `PgConnection` and `SqliteConnection`;
//! [`insert_rows!`] picks the engine's connection so callers stay
//! engine-neutral.

/// Rows per statement: well under both engines' bind-parameter limits
/// (32,766 on SQLite, 65,535 on PostgreSQL) for tables of up to 60 columns.
pub(crate) const ROWS_PER_INSERT: usize = 500;

/// `insert_rows!(conn, table, &rows)` inserts `rows` (a slice of tuples of
/// `column.eq(value)`) in chunks, returning how many rows were written.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let mut written = 0usize;
        for chunk in $rows.chunks($crate::batch::ROWS_PER_INSERT) {
            written += match &mut *$conn {
                $crate::connection::DbConnection::Postgres(pg) => {
                    diesel::insert_into($table).values(chunk).execute(pg)?
                }
                $crate::connection::DbConnection::Sqlite(lite) => {
                    diesel::insert_into($table).values(chunk).execute(lite)?
                }
            };
        }
        written
    }};
}

pub(crate) use insert_rows;

/// `insert_kept_rows!(conn, table, &rows)`: [`insert_rows!`] for rows that
/// own their values (`'static`), whose statements the connection keeps.
/// diesel compiles a statement for a slice of rows on every call — for 500
/// rows of 14 columns about a millisecond of SQLite's time, a parse and
/// plan on PostgreSQL — but keeps the statement of a fixed-size array, whose
/// row count is part of its type. Full chunks go as arrays; only the last,
/// shorter one is compiled each time.
macro_rules! insert_kept_rows {
    ($conn:expr, $table:expr, $rows:expr) => {{
        use $crate::batch::ROWS_PER_INSERT;
        use $crate::connection::DbConnection;
        let mut written = 0usize;
        for chunk in $rows.chunks(ROWS_PER_INSERT) {
            written += match <&[_; ROWS_PER_INSERT]>::try_from(chunk) {
                Ok(full) => match &mut *$conn {
                    DbConnection::Postgres(pg) => {
                        diesel::insert_into($table).values(full).execute(pg)?
                    }
                    DbConnection::Sqlite(lite) => {
                        diesel::insert_into($table).values(full).execute(lite)?
                    }
                },
                Err(_) => $crate::batch::insert_rows!($conn, $table, chunk),
            };
        }
        written
    }};
}

pub(crate) use insert_kept_rows;
