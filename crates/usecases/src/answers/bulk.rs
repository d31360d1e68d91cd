//! Many answers in one call (ERP systems): validated against requests read
//! before the transaction, then saved and submitted in one transaction.

use std::collections::HashMap;

use tierlink_domain::FieldError;
use tierlink_domain::answers::Entry;
use tierlink_domain::ids::{OrgId, RequestId, RequirementId};
use tierlink_domain::requests::{Request, RequestStatus};
use tierlink_domain::revisions::check_complete;
use tierlink_persistence::custom_metrics::{self, CustomMetric};
use tierlink_persistence::drafts::{self, BulkDraft, BulkSubmission};
use tierlink_persistence::locks::lock_requests;
use tierlink_persistence::{DbConnection, requests, requirements};

use super::entries::{RequestToAnswer, check_evidence};
use crate::error::Error;
use crate::events;
use tierlink_domain::events::EventType;

/// The requests of a bulk call that the caller answers, by id, each with
/// the custom metrics of its requirement's owner (to validate entries).
pub type RequestsToAnswer = HashMap<RequestId, RequestToAnswer>;

/// Reads the requests among `ids` that `supplier` answers, in a few set
/// queries whatever their number. Others are left out.
pub fn read_requests_to_answer(
    conn: &mut DbConnection,
    supplier: OrgId,
    ids: &[RequestId],
) -> Result<RequestsToAnswer, Error> {
    let found = requests::answered_by(conn, supplier, ids)?;
    let mut requirement_ids: Vec<RequirementId> = found.iter().map(|r| r.requirement_id).collect();
    requirement_ids.sort_unstable();
    requirement_ids.dedup();
    let owners = requirements::owners_of(conn, &requirement_ids)?;
    let mut distinct_owners: Vec<OrgId> = owners.values().copied().collect();
    distinct_owners.sort_unstable();
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
        custom_metrics::find_many(conn, &distinct_owners, &codes)?
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
            (
                request.id,
                RequestToAnswer {
                    request,
                    custom: own,
                },
            )
        })
        .collect())
}

/// One request's answer in a bulk call, validated.
#[derive(Debug)]
pub struct BulkAnswer {
    pub request_id: RequestId,
    /// Every entry: they replace the draft.
    pub entries: Vec<Entry>,
    pub submit: bool,
    pub share_upstream: bool,
}

/// What the call did to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOutcome {
    pub request_id: RequestId,
    pub status: RequestStatus,
    pub entries: usize,
    /// The revision made, when submitted.
    pub revision: Option<i32>,
}

/// Saves every answer's entries as its request's draft (replacing it) and
/// submits those asked to. `read` holds the requests as read before the
/// transaction (by [`read_requests_to_answer`]): under the locks, those
/// whose revision has not moved since are used as read and the others are
/// read again. Errors name the answer as `answers[i]`. Locks: the rows of
/// all the requests, in id order (so two bulk calls cannot deadlock).
pub fn save_many(
    tx: &mut DbConnection,
    supplier: OrgId,
    by: &str,
    answers: &[BulkAnswer],
    read: HashMap<RequestId, Request>,
) -> Result<Vec<BulkOutcome>, Error> {
    let ids: Vec<RequestId> = answers.iter().map(|a| a.request_id).collect();
    lock_requests(tx, &ids)?;
    let (mut current, moved) = still_current(read, requests::revisions_of(tx, supplier, &ids)?);
    if !moved.is_empty() {
        current.extend(
            requests::answered_by(tx, supplier, &moved)?
                .into_iter()
                .map(|r| (r.id, r)),
        );
    }
    for (index, answer) in answers.iter().enumerate() {
        check_one(tx, index, answer, current.get(&answer.request_id))?;
    }
    let drafts_to_write: Vec<BulkDraft> = answers
        .iter()
        .map(|a| BulkDraft {
            request: a.request_id,
            entries: &a.entries,
            submit: a.submit.then_some(BulkSubmission {
                share_upstream: a.share_upstream,
            }),
        })
        .collect();
    let numbers = drafts::save_many(tx, &drafts_to_write, by)?;
    let outcomes: Vec<BulkOutcome> = answers
        .iter()
        .map(|a| BulkOutcome {
            request_id: a.request_id,
            status: if a.submit {
                RequestStatus::Submitted
            } else {
                current[&a.request_id].status.after_draft_saved()
            },
            entries: a.entries.len(),
            revision: numbers.get(&a.request_id).map(|n| n.get()),
        })
        .collect();
    // A submission always changes the request; saving changes it only when
    // it was open or sent back.
    let submitted: Vec<RequestId> = answers
        .iter()
        .filter(|a| a.submit)
        .map(|a| a.request_id)
        .collect();
    requests::set_statuses(tx, &submitted, RequestStatus::Submitted)?;
    let started: Vec<RequestId> = outcomes
        .iter()
        .filter(|o| {
            o.status == RequestStatus::InProgress
                && current[&o.request_id].status != RequestStatus::InProgress
        })
        .map(|o| o.request_id)
        .collect();
    requests::set_statuses(tx, &started, RequestStatus::InProgress)?;
    let submitted_events: Vec<_> = answers
        .iter()
        .filter(|a| a.submit)
        .filter_map(|a| {
            let request = Request {
                status: RequestStatus::Submitted,
                ..current[&a.request_id].clone()
            };
            let number = numbers.get(&a.request_id)?;
            Some(events::about_request(
                EventType::AnswerSubmitted,
                &request,
                request.requester_org_id,
                by,
                serde_json::json!({"revision": {
                    "number": number.get(),
                    "status": "submitted",
                    "share_upstream": a.share_upstream,
                    "review_comment": null,
                }}),
            ))
        })
        .collect();
    events::record(tx, &submitted_events)?;
    Ok(outcomes)
}

/// The checks of one answer under the locks: its request is the caller's
/// to answer and still takes answers, every entry is still an item of it
/// (an amendment since validation may have dropped one), its evidence was
/// uploaded for it, and a submission answers every required item.
fn check_one(
    tx: &mut DbConnection,
    index: usize,
    answer: &BulkAnswer,
    request: Option<&Request>,
) -> Result<(), Error> {
    let under = format!("answers[{index}]");
    let Some(request) = request else {
        return Err(Error::invalid(FieldError::new(
            format!("{under}.request_id"),
            "not_found",
            format!("no request `{}` for you to answer", answer.request_id),
        )));
    };
    request
        .check_answerable()
        .map_err(|e| Error::from(e).under(&under))?;
    for (position, entry) in answer.entries.iter().enumerate() {
        if !request.items.iter().any(|item| item.metric == entry.metric) {
            return Err(Error::invalid(FieldError::new(
                format!("{under}.entries[{position}].metric"),
                "not_in_request",
                format!(
                    "`{}` is no longer an item of this request (it was just amended)",
                    entry.metric
                ),
            )));
        }
    }
    check_evidence(tx, answer.request_id, &answer.entries, &|position| {
        format!("{under}.entries[{position}]")
    })?;
    if answer.submit
        && request
            .items
            .iter()
            .any(|item| item.metric == tierlink_domain::metrics::PRODUCT_FOOTPRINTS)
    {
        // Footprints are drafted per product and published on submission,
        // which `/answer/submit` does; a bulk write only saves such a draft.
        return Err(Error::Rejected(
            tierlink_domain::Rejection::new(
                "submit_footprints_alone",
                "this request asks for product footprints: save them under /footprints and \
                 submit with POST /v1/requests/{id}/answer/submit",
            )
            .on(format!("{under}.submit")),
        ));
    }
    if answer.submit {
        let answered: Vec<&str> = answer.entries.iter().map(|e| e.metric.as_str()).collect();
        check_complete(request, &answered).map_err(|missing| {
            let mut errors = tierlink_domain::ValidationErrors::new();
            for error in missing {
                errors.push(error.under(&under));
            }
            Error::Invalid(errors)
        })?;
    }
    Ok(())
}

/// Splits the requests found now (id and revision) into those `read`
/// holds at that same revision, which are current, and the ids of the
/// others (changed since, or not read), which must be read again. A request
/// `read` holds but no longer found is dropped: it is not the caller's.
fn still_current(
    mut read: HashMap<RequestId, Request>,
    found: Vec<(RequestId, i32)>,
) -> (HashMap<RequestId, Request>, Vec<RequestId>) {
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

    fn request(id: RequestId, revision: i32) -> Request {
        let org = OrgId::generate();
        let day = |m| NaiveDate::from_ymd_opt(2026, m, 1).expect("a date");
        Request {
            id,
            requirement_id: RequirementId::generate(),
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
                part_numbers: Vec::new(),
            }],
            cascade_depth: 2,
        }
    }

    #[test]
    fn only_requests_read_at_their_current_revision_are_kept() {
        let (same, moved, gone, unread) = (
            RequestId::generate(),
            RequestId::generate(),
            RequestId::generate(),
            RequestId::generate(),
        );
        let read: HashMap<RequestId, Request> =
            [request(same, 3), request(moved, 3), request(gone, 1)]
                .into_iter()
                .map(|r| (r.id, r))
                .collect();
        let found = vec![(same, 3), (moved, 4), (unread, 1)];
        let (current, mut again) = still_current(read, found);
        again.sort();
        let mut expected = vec![moved, unread];
        expected.sort();
        assert_eq!(again, expected);
        let kept: Vec<(RequestId, i32)> = current.values().map(|r| (r.id, r.revision)).collect();
        assert_eq!(kept, vec![(same, 3)]);
    }
}
