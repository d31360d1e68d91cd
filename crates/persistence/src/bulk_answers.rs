//! Many answers of one supplier in one transaction (`POST /v1/answers/bulk`),
//! written with set statements: a handful of statements per 500 requests or
//! rows, where answering them one by one would cost about twenty per
//! request. The rules are those of `answers::save_draft` and
//! `answers::submit`: the supplier's own requests only, none settled, every
//! required item answered before a submission.

use std::collections::HashMap;

use diesel::prelude::*;
use tierlink_domain::FieldError;
use tierlink_domain::answers::Entry;
use tierlink_domain::ids::OrgId;
use tierlink_domain::requirements::RequestStatus;
use tierlink_domain::time::now;

use crate::answers::{
    DraftRow, draft_values, ensure_answerable, ensure_complete, revision_entry_values,
};
use crate::batch::{ROWS_PER_INSERT, insert_kept_rows, insert_rows};
use crate::connection::DbConnection;
use crate::custom_metrics::CustomMetric;
use crate::drafts;
use crate::error::StoreError;
use crate::requests::{self, Request};
use crate::schema::{
    answer_drafts, answer_revision_entries, answer_revisions, requests as requests_table,
};
use crate::time::to_db;

/// One request's answer in a bulk call, validated.
#[derive(Debug)]
pub struct BulkAnswer {
    pub request_id: String,
    /// Every entry: they replace the draft.
    pub entries: Vec<Entry>,
    pub submit: bool,
    pub share_upstream: bool,
}

/// What the call did to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOutcome {
    pub request_id: String,
    pub status: RequestStatus,
    pub entries: usize,
    /// The revision made, when submitted.
    pub revision: Option<i32>,
}

/// The requests among `ids` that `supplier` answers, each with the custom
/// metrics of its requirement's owner (to validate entries), by id.
pub fn requests_to_answer(
    conn: &mut DbConnection,
    supplier: OrgId,
    ids: &[String],
) -> Result<HashMap<String, (Request, Vec<CustomMetric>)>, StoreError> {
    let found = requests::answered_by(conn, supplier, ids)?;
    let requirement_ids: Vec<&str> = found.iter().map(|r| r.requirement_id.as_str()).collect();
    let owners = crate::requirements::owners_of(conn, &requirement_ids)?;
    let mut distinct_owners: Vec<OrgId> = owners.values().copied().collect();
    distinct_owners.sort_by_key(ToString::to_string);
    distinct_owners.dedup();
    let mut codes: Vec<String> = found
        .iter()
        .flat_map(|r| r.items.iter().map(|i| i.metric.clone()))
        .filter(|code| code.starts_with("custom."))
        .collect();
    codes.sort();
    codes.dedup();
    let custom = if codes.is_empty() {
        Vec::new()
    } else {
        crate::custom_metrics::find_many(conn, &distinct_owners, &codes)?
    };
    Ok(found
        .into_iter()
        .map(|request| {
            let owner = owners.get(&request.requirement_id).copied();
            let own: Vec<CustomMetric> = custom
                .iter()
                .filter(|m| Some(m.org_id) == owner)
                .cloned()
                .collect();
            (request.id.clone(), (request, own))
        })
        .collect())
}

/// Saves every answer's entries as its request's draft (replacing it) and
/// submits those asked to, in the caller's transaction. `read` holds the
/// requests as read before it (by [`requests_to_answer`]): under the lock,
/// those whose revision has not moved since are used as read and the
/// others are read again. Errors name the answer as `answers[i]`.
pub fn save_many(
    conn: &mut DbConnection,
    supplier: OrgId,
    answers: &[BulkAnswer],
    read: HashMap<String, Request>,
    by: &str,
) -> Result<Vec<BulkOutcome>, StoreError> {
    let ids: Vec<String> = answers.iter().map(|a| a.request_id.clone()).collect();
    lock_requests(conn, &ids)?;
    let (mut requests, moved) = still_current(read, requests::revisions_of(conn, supplier, &ids)?);
    if !moved.is_empty() {
        requests.extend(
            requests::answered_by(conn, supplier, &moved)?
                .into_iter()
                .map(|r| (r.id.clone(), r)),
        );
    }
    let nested = |index: usize, error: StoreError| error.under(&format!("answers[{index}]"));
    for (index, answer) in answers.iter().enumerate() {
        let Some(request) = requests.get(&answer.request_id) else {
            return Err(StoreError::Invalid(FieldError::new(
                format!("answers[{index}].request_id"),
                "not_found",
                format!("no request `{}` for you to answer", answer.request_id),
            )));
        };
        ensure_answerable(request).map_err(|e| nested(index, e))?;
        for (position, entry) in answer.entries.iter().enumerate() {
            // Validated before the transaction: an amendment since may have
            // dropped the item. The client re-sends against the new items.
            if !request.items.iter().any(|item| item.metric == entry.metric) {
                return Err(StoreError::Invalid(FieldError::new(
                    format!("answers[{index}].entries[{position}].metric"),
                    "not_in_request",
                    format!(
                        "`{}` is no longer an item of this request (it was just amended)",
                        entry.metric
                    ),
                )));
            }
            if !entry.evidence.is_empty() {
                crate::evidence::check_references(conn, &answer.request_id, &entry.evidence)
                    .map_err(|e| nested(index, e.under(&format!("entries[{position}]"))))?;
            }
        }
        if answer.submit {
            let answered: Vec<&str> = answer.entries.iter().map(|e| e.metric.as_str()).collect();
            ensure_complete(request, &answered).map_err(|e| nested(index, e))?;
        }
    }

    let at = to_db(now());
    // Every answer replaces its request's draft: a saved one as draft rows,
    // a submitted one as the revision it makes, which is then the draft
    // (see `drafts`), so its entries are written once.
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    drafts::delete_rows(conn, &id_refs)?;
    let (submitted, saved): (Vec<&BulkAnswer>, Vec<&BulkAnswer>) =
        answers.iter().partition(|a| a.submit);
    let saved_ids: Vec<&str> = saved.iter().map(|a| a.request_id.as_str()).collect();
    drafts::set_latest_revision(conn, &saved_ids, false)?;
    let draft_rows: Vec<(&str, DraftRow)> = saved
        .iter()
        .flat_map(|a| {
            a.entries
                .iter()
                .map(|e| (a.request_id.as_str(), DraftRow::from(e)))
        })
        .collect();
    let rows: Vec<_> = draft_rows
        .iter()
        .map(|(request_id, row)| draft_values!(*request_id, row, by, at))
        .collect();
    insert_kept_rows!(conn, answer_drafts::table, &rows);

    let submitted_ids: Vec<&str> = submitted.iter().map(|a| a.request_id.as_str()).collect();
    // Each request's latest revision, one index seek per request (a
    // `GROUP BY` would read every revision a request ever had).
    let mut latest: HashMap<String, i32> = HashMap::new();
    for chunk in submitted_ids.chunks(ROWS_PER_INSERT) {
        let rows: Vec<(String, Option<i32>)> = requests_table::table
            .filter(requests_table::id.eq_any(chunk))
            .select((
                requests_table::id,
                answer_revisions::table
                    .filter(answer_revisions::request_id.eq(requests_table::id))
                    .select(diesel::dsl::max(answer_revisions::revision))
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
        .map(|a| {
            (
                answer_revisions::request_id.eq(a.request_id.as_str()),
                answer_revisions::revision.eq(numbers[a.request_id.as_str()]),
                answer_revisions::status.eq("submitted"),
                answer_revisions::share_upstream.eq(a.share_upstream),
                answer_revisions::submitted_by.eq(by),
                answer_revisions::submitted_at.eq(at),
            )
        })
        .collect();
    insert_rows!(conn, answer_revisions::table, &revision_rows);
    // Every entry is an item still asked for (checked above).
    let entry_rows: Vec<(&str, i32, DraftRow)> = submitted
        .iter()
        .flat_map(|a| {
            let revision = numbers[a.request_id.as_str()];
            a.entries
                .iter()
                .map(move |e| (a.request_id.as_str(), revision, DraftRow::from(e)))
        })
        .collect();
    let rows: Vec<_> = entry_rows
        .iter()
        .map(|(request_id, revision, row)| revision_entry_values!(*request_id, *revision, row))
        .collect();
    insert_kept_rows!(conn, answer_revision_entries::table, &rows);
    drafts::set_latest_revision(conn, &submitted_ids, true)?;

    let outcomes: Vec<BulkOutcome> = answers
        .iter()
        .map(|a| {
            let before = requests[&a.request_id].status;
            let status = if a.submit {
                RequestStatus::Submitted
            } else if matches!(
                before,
                RequestStatus::Open | RequestStatus::ChangesRequested
            ) {
                RequestStatus::InProgress
            } else {
                before
            };
            BulkOutcome {
                request_id: a.request_id.clone(),
                status,
                entries: a.entries.len(),
                revision: numbers.get(a.request_id.as_str()).copied(),
            }
        })
        .collect();
    // A submission always changes the request (as `answers::submit` does);
    // saving changes it only when it was open or sent back.
    for status in [RequestStatus::Submitted, RequestStatus::InProgress] {
        let changed: Vec<&str> = outcomes
            .iter()
            .zip(answers)
            .filter(|(o, a)| {
                o.status == status
                    && if status == RequestStatus::Submitted {
                        a.submit
                    } else {
                        requests[&o.request_id].status != status
                    }
            })
            .map(|(o, _)| o)
            .map(|o| o.request_id.as_str())
            .collect();
        for chunk in changed.chunks(ROWS_PER_INSERT) {
            diesel::update(requests_table::table.filter(requests_table::id.eq_any(chunk)))
                .set((
                    requests_table::status.eq(status.as_str()),
                    requests_table::revision.eq(requests_table::revision + 1),
                    requests_table::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
    }
    Ok(outcomes)
}

/// Row locks on every request, in id order (so two bulk calls cannot
/// deadlock), on PostgreSQL; SQLite writers are serialised already.
fn lock_requests(conn: &mut DbConnection, ids: &[String]) -> Result<(), StoreError> {
    if let DbConnection::Postgres(pg) = conn {
        let mut sorted: Vec<&str> = ids.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        for chunk in sorted.chunks(ROWS_PER_INSERT) {
            requests_table::table
                .filter(requests_table::id.eq_any(chunk))
                .order(requests_table::id)
                .select(requests_table::id)
                .for_update()
                .load::<String>(pg)?;
        }
    }
    Ok(())
}

/// Splits the requests found now (id and revision) into those `read`
/// holds at that same revision, which are current, and the ids of the
/// others (changed since, or not read), which must be read again. A request
/// `read` holds but no longer found is dropped: it is not the caller's.
fn still_current(
    mut read: HashMap<String, Request>,
    found: Vec<(String, i32)>,
) -> (HashMap<String, Request>, Vec<String>) {
    let mut current = HashMap::with_capacity(found.len());
    let mut moved = Vec::new();
    for (id, revision) in found {
        match read.remove(&id) {
            Some(request) if request.revision == revision => {
                current.insert(id, request);
            }
            _ => moved.push(id),
        }
    }
    (current, moved)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Utc};
    use tierlink_domain::requirements::{ReportingPeriod, RequirementItem};

    use super::*;

    fn request(id: &str, revision: i32) -> Request {
        let org = OrgId::generate();
        let day = |m| NaiveDate::from_ymd_opt(2026, m, 1).expect("a date");
        Request {
            id: id.to_owned(),
            requirement_id: "requirement".to_owned(),
            parent_request_id: None,
            requester_org_id: org,
            requester_name: String::new(),
            supplier_org_id: org,
            supplier_name: String::new(),
            depth: 1,
            title: String::new(),
            message: String::new(),
            period: ReportingPeriod::new(day(1), day(12)).expect("a period"),
            due_date: day(12),
            status: RequestStatus::Open,
            decline_reason: None,
            requirement_version: 1,
            revision,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            items: vec![RequirementItem {
                metric: "ghg.scope1".to_owned(),
                required: true,
                guidance: None,
                estimates_accepted: true,
            }],
            cascade_depth: 2,
        }
    }

    #[test]
    fn only_requests_read_at_their_current_revision_are_kept() {
        let read: HashMap<String, Request> =
            [request("same", 3), request("moved", 3), request("gone", 1)]
                .into_iter()
                .map(|r| (r.id.clone(), r))
                .collect();
        let found = vec![
            ("same".to_owned(), 3),
            ("moved".to_owned(), 4),
            ("unread".to_owned(), 1),
        ];
        let (current, mut again) = still_current(read, found);
        again.sort();
        assert_eq!(again, vec!["moved".to_owned(), "unread".to_owned()]);
        let mut kept: Vec<(&str, i32)> = current
            .values()
            .map(|r| (r.id.as_str(), r.revision))
            .collect();
        kept.sort();
        assert_eq!(kept, vec![("same", 3)]);
    }
}
