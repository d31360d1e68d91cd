//! Conversions every repository needs between columns and domain values:
//! ids stored as text, the page size asked of a query, organisations'
//! names looked up by id.

use std::collections::HashMap;
use std::str::FromStr;

use diesel::prelude::*;
use tierlink_domain::ids::OrgId;
use tierlink_domain::pagination::PageRequest;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::organisations;

/// An organisation id read from a column.
pub(crate) fn parse_org(id: &str) -> Result<OrgId, StoreError> {
    parse_id(id, "organisation")
}

/// A typed id read from a column; `what` names it in the error.
pub(crate) fn parse_id<T: FromStr>(id: &str, what: &str) -> Result<T, StoreError> {
    id.parse()
        .map_err(|_| StoreError::Corrupt(format!("{what} id `{id}`")))
}

/// Rows to fetch for a page: one more than its size, to know whether
/// another page follows.
pub(crate) fn limit(page: &PageRequest) -> i64 {
    i64::try_from(page.limit.get() + 1).unwrap_or(i64::MAX)
}

/// Names and countries of organisations, by id, in one query.
pub fn names_of(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<HashMap<String, (String, String)>, StoreError> {
    let rows: Vec<(String, String, String)> = organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((
            organisations::id,
            organisations::name,
            organisations::country,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, country)| (id, (name, country)))
        .collect())
}

/// A footprint item's part numbers as stored: a JSON array, or NULL for none.
pub(crate) fn part_numbers_to_db(parts: &[String]) -> Option<String> {
    (!parts.is_empty()).then(|| serde_json::to_string(parts).unwrap_or_default())
}

/// A footprint item's part numbers as read (NULL, or text that is not a
/// list of strings, is none).
pub(crate) fn part_numbers_from_db(stored: Option<&str>) -> Vec<String> {
    stored
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default()
}
