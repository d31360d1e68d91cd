//! Where a request's draft lives. Until its first submission, and whenever
//! the supplier has changed it since, the draft is its rows in
//! `answer_drafts`. Right after a submission the draft *is* the revision
//! just submitted: `requests.draft_is_latest_revision` says so and
//! `answer_drafts` holds nothing for the request, so a submission writes
//! its entries once (as the revision's) instead of twice. The first change
//! to the draft after that copies the revision's entries back into draft
//! rows (unless the change replaces them all) and clears the flag.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::IntoSql;
use diesel::dsl::{exists, max};
use diesel::prelude::*;
use diesel::query_dsl::positional_order_dsl::PositionalOrderDsl;
use diesel::sql_types::{Text, Timestamp};

use tierlink_domain::answers::Entry;
use tierlink_domain::ids::{EvidenceId, RequestId, RevisionNumber};
use tierlink_domain::revisions::{RecordedEntry, RevisionStatus, join_ids};

use crate::batch::{ROWS_PER_INSERT, insert_kept_rows, insert_rows};
use crate::connection::DbConnection;
use crate::entries::{
    DraftRow, EntryTuple, draft_values, recorded, revision_entry_columns, revision_entry_values,
};
use crate::error::StoreError;
use crate::schema::{answer_drafts, answer_revision_entries, answer_revisions, requests};

/// Whether the request's draft is its latest revision (see the module doc):
/// unchanged since it was submitted.
pub fn is_latest_revision(conn: &mut DbConnection, request: RequestId) -> Result<bool, StoreError> {
    Ok(requests::table
        .find(request.to_string())
        .select(requests::draft_is_latest_revision)
        .first(conn)
        .optional()?
        .unwrap_or(false))
}

/// The request's draft, by metric code. One statement, so a submission
/// or a change committing meanwhile is seen whole or not at all (the flag
/// and the rows it points to are read together). Entries of a draft carry
/// no review comment, even when the draft is a revision that was sent back.
pub fn load(conn: &mut DbConnection, request: RequestId) -> Result<Vec<RecordedEntry>, StoreError> {
    let request_id = request.to_string();
    let request_id = request_id.as_str();
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
    Ok(rows.into_iter().map(|row| recorded(row, None)).collect())
}

/// Call before changing the request's draft rows, in the same transaction:
/// when the draft is the latest revision, its entries become draft rows
/// (written by `by` at `at`) — unless `replacing_all`, when the change
/// throws them away anyway — and the flag is cleared.
fn prepare_change(
    conn: &mut DbConnection,
    request: RequestId,
    replacing_all: bool,
    by: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    if !is_latest_revision(conn, request)? {
        return Ok(());
    }
    let request_id = request.to_string();
    let request_id = request_id.as_str();
    let latest: Option<i32> = answer_revisions::table
        .filter(answer_revisions::request_id.eq(request_id))
        .select(max(answer_revisions::revision))
        .first(conn)?;
    if !replacing_all && let Some(revision) = latest {
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

/// Call before changing a part of the answer kept outside the draft rows
/// (a product footprint): the draft stops being the latest revision, so
/// the next submission makes a new one with the entries it had.
pub fn will_change(
    conn: &mut DbConnection,
    request: RequestId,
    by: &str,
) -> Result<(), StoreError> {
    let at = crate::time::to_db(tierlink_domain::time::now());
    prepare_change(conn, request, false, by, at)
}

/// Saves validated entries into the request's draft (all of it replaced
/// when `replace_all`, otherwise the entries' metrics), written by `by`.
pub fn save(
    conn: &mut DbConnection,
    request: RequestId,
    entries: &[Entry],
    replace_all: bool,
    by: &str,
) -> Result<(), StoreError> {
    let at = crate::time::to_db(tierlink_domain::time::now());
    prepare_change(conn, request, replace_all, by, at)?;
    let request_id = request.to_string();
    let replaced = answer_drafts::table.filter(answer_drafts::request_id.eq(&request_id));
    if replace_all {
        diesel::delete(replaced).execute(conn)?;
    } else {
        let metrics: Vec<&str> = entries.iter().map(|e| e.metric.as_str()).collect();
        diesel::delete(replaced.filter(answer_drafts::metric_code.eq_any(metrics)))
            .execute(conn)?;
    }
    let drafts: Vec<DraftRow> = entries.iter().map(DraftRow::from).collect();
    let rows: Vec<_> = drafts
        .iter()
        .map(|row| draft_values!(request_id.as_str(), row, by, at))
        .collect();
    insert_kept_rows!(conn, answer_drafts::table, &rows);
    Ok(())
}

/// Puts an entry copied from another answer into the request's draft
/// (replacing the draft's entry for that metric), noting its `source`
/// and the evidence ids it now refers to.
pub fn save_copy(
    conn: &mut DbConnection,
    request: RequestId,
    entry: &RecordedEntry,
    evidence: &[EvidenceId],
    source: &str,
    by: &str,
) -> Result<(), StoreError> {
    let at = crate::time::to_db(tierlink_domain::time::now());
    prepare_change(conn, request, false, by, at)?;
    let request_id = request.to_string();
    diesel::delete(
        answer_drafts::table
            .filter(answer_drafts::request_id.eq(&request_id))
            .filter(answer_drafts::metric_code.eq(&entry.metric)),
    )
    .execute(conn)?;
    diesel::insert_into(answer_drafts::table)
        .values((
            answer_drafts::request_id.eq(&request_id),
            answer_drafts::metric_code.eq(&entry.metric),
            answer_drafts::value_text.eq(&entry.value),
            answer_drafts::unit.eq(&entry.unit),
            answer_drafts::canonical_value.eq(&entry.canonical_value),
            answer_drafts::canonical_unit.eq(&entry.canonical_unit),
            answer_drafts::method.eq(&entry.method),
            answer_drafts::obtained.eq(&entry.obtained),
            answer_drafts::period_start.eq(entry.period_start),
            answer_drafts::period_end.eq(entry.period_end),
            answer_drafts::comment.eq(&entry.comment),
            answer_drafts::evidence.eq(join_ids(evidence)),
            answer_drafts::source.eq(Some(source)),
            answer_drafts::updated_by.eq(by),
            answer_drafts::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// After a submission: the draft is the revision just made (its rows are
/// removed and the flag set).
pub fn became_revision(conn: &mut DbConnection, request: RequestId) -> Result<(), StoreError> {
    let id = request.to_string();
    delete_rows(conn, &[id.as_str()])?;
    set_latest_revision(conn, &[id.as_str()], true)
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

/// One request's answer in a bulk write: its entries replace the draft.
#[derive(Debug)]
pub struct BulkDraft<'a> {
    pub request: RequestId,
    pub entries: &'a [Entry],
    /// Submitted as a new revision (the draft is then that revision) or
    /// saved as draft rows.
    pub submit: Option<BulkSubmission>,
}

/// How a bulk answer is submitted.
#[derive(Debug, Clone, Copy)]
pub struct BulkSubmission {
    pub share_upstream: bool,
}

/// A bulk answer with its request id as text.
type Keyed<'a, 'b> = (&'a str, &'a BulkDraft<'b>);

/// Writes many answers at once, in multi-row statements: every one
/// replaces its request's draft — a saved one as draft rows, a submitted
/// one as the revision it makes, which is then the draft, so its entries
/// are written once. Returns the revision made for each submitted answer.
pub fn save_many(
    conn: &mut DbConnection,
    answers: &[BulkDraft<'_>],
    by: &str,
) -> Result<HashMap<RequestId, RevisionNumber>, StoreError> {
    let at = crate::time::to_db(tierlink_domain::time::now());
    let ids: Vec<String> = answers.iter().map(|a| a.request.to_string()).collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    delete_rows(conn, &id_refs)?;
    let (submitted, saved): (Vec<Keyed>, Vec<Keyed>) = id_refs
        .iter()
        .copied()
        .zip(answers)
        .partition(|(_, a)| a.submit.is_some());
    let saved_ids: Vec<&str> = saved.iter().map(|(id, _)| *id).collect();
    set_latest_revision(conn, &saved_ids, false)?;
    let draft_rows: Vec<(&str, DraftRow)> = saved
        .iter()
        .flat_map(|(id, a)| a.entries.iter().map(|e| (*id, DraftRow::from(e))))
        .collect();
    let rows: Vec<_> = draft_rows
        .iter()
        .map(|(request_id, row)| draft_values!(*request_id, row, by, at))
        .collect();
    insert_kept_rows!(conn, answer_drafts::table, &rows);

    let submitted_ids: Vec<&str> = submitted.iter().map(|(id, _)| *id).collect();
    // Each request's latest revision, one index seek per request (a
    // `GROUP BY` would read every revision a request ever had).
    let mut latest: HashMap<String, i32> = HashMap::new();
    for chunk in submitted_ids.chunks(ROWS_PER_INSERT) {
        let rows: Vec<(String, Option<i32>)> = requests::table
            .filter(requests::id.eq_any(chunk))
            .select((
                requests::id,
                answer_revisions::table
                    .filter(answer_revisions::request_id.eq(requests::id))
                    .select(max(answer_revisions::revision))
                    .single_value(),
            ))
            .load(conn)?;
        latest.extend(rows.into_iter().filter_map(|(id, max)| Some((id, max?))));
    }
    let numbers: HashMap<&str, i32> = submitted_ids
        .iter()
        .map(|id| (*id, latest.get(*id).copied().unwrap_or(0) + 1))
        .collect();
    let revision_rows: Vec<_> = submitted
        .iter()
        .map(|(id, a)| {
            (
                answer_revisions::request_id.eq(*id),
                answer_revisions::revision.eq(numbers[id]),
                answer_revisions::status.eq(RevisionStatus::Submitted.as_str()),
                answer_revisions::share_upstream.eq(a.submit.is_some_and(|s| s.share_upstream)),
                answer_revisions::submitted_by.eq(by),
                answer_revisions::submitted_at.eq(at),
            )
        })
        .collect();
    insert_rows!(conn, answer_revisions::table, &revision_rows);
    let entry_rows: Vec<(&str, i32, DraftRow)> = submitted
        .iter()
        .flat_map(|(id, a)| {
            let revision = numbers[id];
            a.entries
                .iter()
                .map(move |e| (*id, revision, DraftRow::from(e)))
        })
        .collect();
    let rows: Vec<_> = entry_rows
        .iter()
        .map(|(request_id, revision, row)| revision_entry_values!(*request_id, *revision, row))
        .collect();
    insert_kept_rows!(conn, answer_revision_entries::table, &rows);
    set_latest_revision(conn, &submitted_ids, true)?;
    Ok(submitted
        .iter()
        .filter_map(|(id, a)| Some((a.request, RevisionNumber::new(numbers[id])?)))
        .collect())
}
