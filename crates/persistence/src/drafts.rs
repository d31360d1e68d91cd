//! Where a request's draft lives. Until its first submission, and whenever
//! the supplier has changed it since, the draft is its rows in
//! `answer_drafts`. Right after a submission the draft *is* the revision
//! just submitted: `requests.draft_is_latest_revision` says so and
//! `answer_drafts` holds nothing for the request, so a submission writes
//! its entries once (as the revision's) instead of twice. The first change
//! to the draft after that copies the revision's entries back into draft
//! rows (unless the change replaces them all) and clears the flag.

use chrono::NaiveDateTime;
use diesel::IntoSql;
use diesel::dsl::{exists, max};
use diesel::prelude::*;
use diesel::query_dsl::positional_order_dsl::PositionalOrderDsl;
use diesel::sql_types::{Text, Timestamp};

use crate::answers::{
    EntryTuple, StoredEntry, latest_revision_number, revision_entry_columns, stored,
};
use crate::batch::ROWS_PER_INSERT;
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{answer_drafts, answer_revision_entries, answer_revisions, requests};

/// Whether the request's draft is its latest revision (see the module doc).
fn is_latest_revision(conn: &mut DbConnection, request_id: &str) -> Result<bool, StoreError> {
    Ok(requests::table
        .find(request_id)
        .select(requests::draft_is_latest_revision)
        .first(conn)
        .optional()?
        .unwrap_or(false))
}

/// The request's draft, by metric code. One statement, so a submission
/// or a change committing meanwhile is seen whole or not at all (the flag
/// and the rows it points to are read together). Entries of a draft carry
/// no review comment, even when the draft is a revision that was sent back.
pub(crate) fn load(
    conn: &mut DbConnection,
    request_id: &str,
) -> Result<Vec<StoredEntry>, StoreError> {
    let flagged = |flag: bool| {
        exists(
            requests::table
                .filter(requests::id.eq(request_id))
                .filter(requests::draft_is_latest_revision.eq(flag)),
        )
    };
    let own_rows = answer_drafts::table
        .filter(answer_drafts::request_id.eq(request_id))
        .filter(flagged(false))
        .select((
            answer_drafts::metric_code,
            answer_drafts::value_text,
            answer_drafts::unit,
            answer_drafts::canonical_value,
            answer_drafts::canonical_unit,
            answer_drafts::method,
            answer_drafts::obtained,
            answer_drafts::period_start,
            answer_drafts::period_end,
            answer_drafts::comment,
            answer_drafts::evidence,
            answer_drafts::source,
        ));
    let latest = answer_revisions::table
        .filter(answer_revisions::request_id.eq(request_id))
        .select(max(answer_revisions::revision))
        .single_value();
    let from_revision = answer_revision_entries::table
        .filter(answer_revision_entries::request_id.eq(request_id))
        .filter(answer_revision_entries::revision.nullable().eq(latest))
        .filter(flagged(true))
        .select(revision_entry_columns!());
    // diesel writes `UNION` for each engine's connection, not for the
    // connection that may be either.
    let query = own_rows.union_all(from_revision).positional_order_by(1);
    let rows: Vec<EntryTuple> = match conn {
        DbConnection::Postgres(pg) => query.load(pg)?,
        DbConnection::Sqlite(lite) => query.load(lite)?,
    };
    Ok(rows.into_iter().map(|row| stored(row, None)).collect())
}

/// Call before changing the request's draft rows, in the same transaction:
/// when the draft is the latest revision, its entries become draft rows
/// (written by `by` at `at`) — unless `replacing_all`, when the change
/// throws them away anyway — and the flag is cleared.
pub(crate) fn prepare_change(
    conn: &mut DbConnection,
    request_id: &str,
    replacing_all: bool,
    by: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    if !is_latest_revision(conn, request_id)? {
        return Ok(());
    }
    if !replacing_all && let Some(revision) = latest_revision_number(conn, request_id)? {
        use answer_drafts as d;
        use answer_revision_entries as e;
        diesel::insert_into(d::table)
            .values(
                e::table
                    .filter(e::request_id.eq(request_id))
                    .filter(e::revision.eq(revision))
                    .select((
                        e::request_id,
                        e::metric_code,
                        e::value_text,
                        e::unit,
                        e::canonical_value,
                        e::canonical_unit,
                        e::method,
                        e::obtained,
                        e::period_start,
                        e::period_end,
                        e::comment,
                        e::evidence,
                        e::source,
                        by.into_sql::<Text>(),
                        at.into_sql::<Timestamp>(),
                    )),
            )
            .into_columns((
                d::request_id,
                d::metric_code,
                d::value_text,
                d::unit,
                d::canonical_value,
                d::canonical_unit,
                d::method,
                d::obtained,
                d::period_start,
                d::period_end,
                d::comment,
                d::evidence,
                d::source,
                d::updated_by,
                d::updated_at,
            ))
            .execute(conn)?;
    }
    set_latest_revision(conn, &[request_id], false)
}

/// Sets (after a submission) or clears (after a change written as draft
/// rows) the flag of every request in `ids`. A caller that sets it has
/// removed the requests' draft rows in the same transaction.
pub(crate) fn set_latest_revision(
    conn: &mut DbConnection,
    ids: &[&str],
    flag: bool,
) -> Result<(), StoreError> {
    for chunk in ids.chunks(ROWS_PER_INSERT) {
        diesel::update(
            requests::table
                .filter(requests::id.eq_any(chunk))
                .filter(requests::draft_is_latest_revision.eq(!flag)),
        )
        .set(requests::draft_is_latest_revision.eq(flag))
        .execute(conn)?;
    }
    Ok(())
}

/// Removes the draft rows of every request in `ids`.
pub(crate) fn delete_rows(conn: &mut DbConnection, ids: &[&str]) -> Result<(), StoreError> {
    for chunk in ids.chunks(ROWS_PER_INSERT) {
        diesel::delete(answer_drafts::table.filter(answer_drafts::request_id.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(())
}
