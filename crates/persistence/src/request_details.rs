//! What a request shows besides its own row — the names of its two
//! organisations, its requirement's cascade depth and, for one request,
//! the requirement's amendments (aggregated as JSON in SQL) — read in one
//! statement per engine. Its items are in its row ([`crate::request_items`]).
//!
//! On PostgreSQL every statement is a round trip, so a request is read in
//! one ([`one`]) and a page of them in two (its rows, then [`of_rows`]).
//! Both statements are kept prepared (see [`crate::prepared`]).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::sql_types::{Array, Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use serde::Deserialize;
use tierlink_domain::requirements::Version;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::prepared::prepared;
use crate::requests::RequestRow;
use crate::statement;
use crate::time::from_db;

/// The details columns of a request `r`.
macro_rules! details {
    () => {
        "(SELECT o.name FROM organisations o WHERE o.id = r.requester_org_id) AS requester_name, \
         (SELECT o.name FROM organisations o WHERE o.id = r.supplier_org_id) AS supplier_name, \
         (SELECT q.cascade_depth FROM requirements q WHERE q.id = r.requirement_id) AS cascade_depth"
    };
}

/// One request `$1` that `$2` may see, with its details and (for a request
/// straight from the large firm) its requirement's amendments.
macro_rules! one_request {
    ($agg:literal, $array:literal, $text:literal) => {
        concat!(
            "SELECT r.id, r.requirement_id, r.parent_request_id, r.requester_org_id, \
               r.supplier_org_id, r.depth, r.title, r.message, r.period_start, r.period_end, \
               r.due_date, r.status, r.decline_reason, r.requirement_version, r.revision, \
               r.created_at, r.updated_at, r.items, ",
            details!(),
            ", CASE WHEN r.depth = 1 THEN (SELECT ", $agg, "(", $array, "(v.version, v.changes, \
                 v.note, v.amended_by, v.amended_at) ORDER BY v.version) \
               FROM requirement_versions v WHERE v.requirement_id = r.requirement_id)", $text,
            " END AS versions \
             FROM requests r WHERE r.id = $1 AND (r.supplier_org_id = $2 OR r.requester_org_id = $2)"
        )
    };
}

statement!(
    OnePostgres,
    one_request!("json_agg", "json_build_array", "::text")
);
statement!(
    OneSqlite,
    one_request!("json_group_array", "json_array", "")
);
statement!(
    ManyPostgres,
    concat!(
        "SELECT r.id, ",
        details!(),
        " FROM requests r WHERE r.id = ANY($1)"
    )
);
statement!(
    ManySqlite,
    concat!(
        "SELECT r.id, ",
        details!(),
        " FROM requests r WHERE r.id IN (SELECT value FROM json_each($1))"
    )
);

/// The details of one request, as read.
#[derive(Debug, QueryableByName)]
pub(crate) struct Details {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub requester_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub supplier_name: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub cascade_depth: Option<i32>,
}

/// A request's row and details, and its requirement's amendments.
#[derive(Debug, QueryableByName)]
pub(crate) struct OneRow {
    #[diesel(embed)]
    pub request: RequestRow,
    #[diesel(embed)]
    pub details: Details,
    #[diesel(sql_type = Nullable<Text>)]
    versions: Option<String>,
}

impl OneRow {
    /// The requirement's amendments (none for a forwarded request).
    pub fn versions(&self) -> Result<Vec<Version>, StoreError> {
        let corrupt = || StoreError::Corrupt(format!("request {}: versions", self.details.id));
        let Some(versions) = &self.versions else {
            return Ok(Vec::new());
        };
        let rows: Vec<VersionRow> = serde_json::from_str(versions).map_err(|_| corrupt())?;
        rows.into_iter()
            .map(|VersionRow(version, changes, note, amended_by, at)| {
                Ok(Version {
                    version,
                    changes: changes
                        .split(',')
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    note,
                    amended_by,
                    amended_at: from_db(timestamp(&at).ok_or_else(corrupt)?),
                })
            })
            .collect()
    }
}

/// An amendment as the statements aggregate it: version, changes (comma
/// separated), note, by whom, when.
#[derive(Debug, Deserialize)]
struct VersionRow(i32, String, String, String, String);

/// One request `viewer` may see (as supplier or sender), with everything
/// it shows, in one statement; `None` if there is none.
pub(crate) fn one(
    conn: &mut DbConnection,
    viewer: &str,
    id: &str,
) -> Result<Option<OneRow>, StoreError> {
    let rows: Vec<OneRow> = match conn {
        DbConnection::Postgres(pg) => prepared::<OnePostgres>()
            .bind::<Text, _>(id)
            .bind::<Text, _>(viewer)
            .load(pg)?,
        DbConnection::Sqlite(lite) => prepared::<OneSqlite>()
            .bind::<Text, _>(id)
            .bind::<Text, _>(viewer)
            .load(lite)?,
    };
    Ok(rows.into_iter().next())
}

/// The details of the requests `ids`, by id, in one statement.
pub(crate) fn of_rows(
    conn: &mut DbConnection,
    ids: &[&str],
) -> Result<HashMap<String, Details>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<Details> = match conn {
        DbConnection::Postgres(pg) => prepared::<ManyPostgres>()
            .bind::<Array<Text>, _>(ids)
            .load(pg)?,
        DbConnection::Sqlite(lite) => {
            let ids = serde_json::to_string(ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            prepared::<ManySqlite>().bind::<Text, _>(ids).load(lite)?
        }
    };
    Ok(rows.into_iter().map(|row| (row.id.clone(), row)).collect())
}

/// A timestamp as either engine's JSON has it: PostgreSQL's ISO 8601
/// (`2026-12-06T06:19:57.123456`) or the text SQLite stores
/// (`2026-12-06 06:19:57.123456`).
fn timestamp(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .ok()
}
