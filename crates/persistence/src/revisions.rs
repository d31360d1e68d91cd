//! Submitted revisions of answers (`answer_revisions`) and their entries
//! (`answer_revision_entries`). A revision is written once; afterwards
//! only its review (status, comments) changes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tierlink_domain::ids::{RequestId, RevisionNumber};
use tierlink_domain::revisions::{RecordedEntry, Revision, RevisionStatus, join_ids};
use tierlink_domain::time::now;

use crate::batch::insert_rows;
use crate::connection::DbConnection;
use crate::entries::{EntryTuple, recorded, revision_entry_columns};
use crate::error::StoreError;
use crate::schema::{answer_revision_entries, answer_revisions};
use crate::time::{from_db, to_db};

type RevisionTuple = (
    i32,
    String,
    bool,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<String>,
);

macro_rules! revision_columns {
    () => {
        (
            answer_revisions::revision,
            answer_revisions::status,
            answer_revisions::share_upstream,
            answer_revisions::submitted_by,
            answer_revisions::submitted_at,
            answer_revisions::reviewed_at,
            answer_revisions::review_comment,
        )
    };
}

fn revision_from(tuple: RevisionTuple) -> Result<Revision, StoreError> {
    let (number, status, share_upstream, submitted_by, submitted_at, reviewed_at, review_comment) =
        tuple;
    Ok(Revision {
        number: RevisionNumber::new(number)
            .ok_or_else(|| StoreError::Corrupt(format!("revision number {number}")))?,
        status: RevisionStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("revision status {status}")))?,
        share_upstream,
        submitted_by,
        submitted_at: from_db(submitted_at),
        reviewed_at: reviewed_at.map(from_db),
        review_comment,
    })
}

/// The number of the request's latest revision, if it has one.
pub fn latest_number(
    conn: &mut DbConnection,
    request: RequestId,
) -> Result<Option<RevisionNumber>, StoreError> {
    let latest: Option<i32> = answer_revisions::table
        .filter(answer_revisions::request_id.eq(request.to_string()))
        .select(diesel::dsl::max(answer_revisions::revision))
        .first(conn)?;
    Ok(latest.and_then(RevisionNumber::new))
}

/// One revision of the request's answer (`NotFound` if there is no such number).
pub fn find(
    conn: &mut DbConnection,
    request: RequestId,
    number: RevisionNumber,
) -> Result<Revision, StoreError> {
    let tuple: RevisionTuple = answer_revisions::table
        .filter(answer_revisions::request_id.eq(request.to_string()))
        .filter(answer_revisions::revision.eq(number.get()))
        .select(revision_columns!())
        .first(conn)?;
    revision_from(tuple)
}

/// The request's latest revision, if it has one.
pub fn latest(conn: &mut DbConnection, request: RequestId) -> Result<Option<Revision>, StoreError> {
    let tuple: Option<RevisionTuple> = answer_revisions::table
        .filter(answer_revisions::request_id.eq(request.to_string()))
        .order(answer_revisions::revision.desc())
        .select(revision_columns!())
        .first(conn)
        .optional()?;
    tuple.map(revision_from).transpose()
}

/// Every revision of the request's answer, oldest first.
pub fn list(conn: &mut DbConnection, request: RequestId) -> Result<Vec<Revision>, StoreError> {
    let rows: Vec<RevisionTuple> = answer_revisions::table
        .filter(answer_revisions::request_id.eq(request.to_string()))
        .order(answer_revisions::revision.asc())
        .select(revision_columns!())
        .load(conn)?;
    rows.into_iter().map(revision_from).collect()
}

/// A revision's entries, by metric code, with the requester's per-entry comments.
pub fn entries(
    conn: &mut DbConnection,
    request: RequestId,
    number: RevisionNumber,
) -> Result<Vec<RecordedEntry>, StoreError> {
    let rows: Vec<(EntryTuple, Option<String>)> = answer_revision_entries::table
        .filter(answer_revision_entries::request_id.eq(request.to_string()))
        .filter(answer_revision_entries::revision.eq(number.get()))
        .order(answer_revision_entries::metric_code.asc())
        .select((
            revision_entry_columns!(),
            answer_revision_entries::review_comment,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(tuple, review)| recorded(tuple, review))
        .collect())
}

/// A new revision awaiting review, holding `entries`.
pub fn insert(
    conn: &mut DbConnection,
    request: RequestId,
    number: RevisionNumber,
    share_upstream: bool,
    by: &str,
    entries: &[&RecordedEntry],
) -> Result<(), StoreError> {
    let request_id = request.to_string();
    diesel::insert_into(answer_revisions::table)
        .values((
            answer_revisions::request_id.eq(&request_id),
            answer_revisions::revision.eq(number.get()),
            answer_revisions::status.eq(RevisionStatus::Submitted.as_str()),
            answer_revisions::share_upstream.eq(share_upstream),
            answer_revisions::submitted_by.eq(by),
            answer_revisions::submitted_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    let evidence: Vec<String> = entries.iter().map(|e| join_ids(&e.evidence)).collect();
    let rows: Vec<_> = entries
        .iter()
        .zip(&evidence)
        .map(|(entry, evidence)| {
            (
                answer_revision_entries::request_id.eq(&request_id),
                answer_revision_entries::revision.eq(number.get()),
                answer_revision_entries::metric_code.eq(&entry.metric),
                answer_revision_entries::value_text.eq(&entry.value),
                answer_revision_entries::unit.eq(&entry.unit),
                answer_revision_entries::canonical_value.eq(&entry.canonical_value),
                answer_revision_entries::canonical_unit.eq(&entry.canonical_unit),
                answer_revision_entries::method.eq(&entry.method),
                answer_revision_entries::obtained.eq(&entry.obtained),
                answer_revision_entries::period_start.eq(entry.period_start),
                answer_revision_entries::period_end.eq(entry.period_end),
                answer_revision_entries::comment.eq(&entry.comment),
                answer_revision_entries::evidence.eq(evidence.as_str()),
                answer_revision_entries::source.eq(&entry.source),
            )
        })
        .collect();
    insert_rows!(conn, answer_revision_entries::table, &rows);
    Ok(())
}

/// Records the requester's review of a revision.
pub fn record_review(
    conn: &mut DbConnection,
    request: RequestId,
    number: RevisionNumber,
    status: RevisionStatus,
    by: &str,
    comment: Option<&str>,
) -> Result<(), StoreError> {
    diesel::update(
        answer_revisions::table
            .filter(answer_revisions::request_id.eq(request.to_string()))
            .filter(answer_revisions::revision.eq(number.get())),
    )
    .set((
        answer_revisions::status.eq(status.as_str()),
        answer_revisions::reviewed_by.eq(Some(by)),
        answer_revisions::reviewed_at.eq(Some(to_db(now()))),
        answer_revisions::review_comment.eq(comment),
    ))
    .execute(conn)?;
    Ok(())
}

/// The requester's comment on one entry of a revision it sends back.
pub fn note_entry(
    conn: &mut DbConnection,
    request: RequestId,
    number: RevisionNumber,
    metric: &str,
    note: &str,
) -> Result<(), StoreError> {
    diesel::update(
        answer_revision_entries::table
            .filter(answer_revision_entries::request_id.eq(request.to_string()))
            .filter(answer_revision_entries::revision.eq(number.get()))
            .filter(answer_revision_entries::metric_code.eq(metric)),
    )
    .set(answer_revision_entries::review_comment.eq(Some(note)))
    .execute(conn)?;
    Ok(())
}
