//! The read model behind a requirement's roll-up: what its requester may
//! count, streamed a few hundred requests at a time so the summary never
//! holds every entry of a large chain at once.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use tierlink_domain::ids::{OrgId, RequirementId};
use tierlink_domain::requests::RequestStatus;
use tierlink_domain::revisions::RevisionStatus;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{
    answer_attachments, answer_revision_entries, answer_revisions, requests as requests_table,
};

/// Which answer a counted entry comes from.
#[derive(Debug, Clone, Copy)]
pub struct CountedAnswer {
    /// 1 for the requester's direct suppliers, 2 for theirs.
    pub tier: u8,
    /// Accepted, or submitted and awaiting review.
    pub accepted: bool,
}

/// A quantity entry as the roll-up counts it: only what it sums (the
/// summary reads tens of thousands of these, so nothing else is loaded).
#[derive(Debug, Clone)]
pub struct CountedEntry {
    pub metric: String,
    pub canonical_value: String,
    pub canonical_unit: String,
    pub obtained: String,
}

/// What a requirement's roll-up is computed from.
#[derive(Debug, Clone)]
pub struct SummaryInputs {
    /// Status and due date of each of the requirement's own (tier-1) requests.
    pub requests: Vec<(RequestStatus, NaiveDate)>,
    /// Status of every tier-2 request under the requirement (counts only).
    pub tier2_statuses: Vec<RequestStatus>,
}

/// The latest revision of each of `ids`: (request id → (revision, status, share_upstream)).
fn latest_revisions(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<HashMap<String, (i32, String, bool)>, StoreError> {
    let mut latest = HashMap::new();
    for chunk in ids.chunks(1_000) {
        let rows: Vec<(String, i32, String, bool)> = answer_revisions::table
            .filter(answer_revisions::request_id.eq_any(chunk))
            .select((
                answer_revisions::request_id,
                answer_revisions::revision,
                answer_revisions::status,
                answer_revisions::share_upstream,
            ))
            .load(conn)?;
        for (request, revision, status, share) in rows {
            let newer = latest
                .get(&request)
                .is_none_or(|(known, _, _): &(i32, String, bool)| revision > *known);
            if newer {
                latest.insert(request, (revision, status, share));
            }
        }
    }
    Ok(latest)
}

/// (request id, revision, metric, canonical value, canonical unit, obtained).
type CountedRow = (String, i32, String, Option<String>, Option<String>, String);

/// Streams the quantity entries of the given (request, revision) pairs to
/// `visit`, a few hundred requests at a time (the summary never holds them
/// all).
fn visit_entries(
    conn: &mut DbConnection,
    wanted: &HashMap<String, i32>,
    mut visit: impl FnMut(&str, CountedEntry),
) -> Result<(), StoreError> {
    let mut ids: Vec<&String> = wanted.keys().collect();
    ids.sort();
    for chunk in ids.chunks(200) {
        let rows: Vec<CountedRow> = answer_revision_entries::table
            .filter(answer_revision_entries::request_id.eq_any(chunk))
            .filter(answer_revision_entries::canonical_value.is_not_null())
            .select((
                answer_revision_entries::request_id,
                answer_revision_entries::revision,
                answer_revision_entries::metric_code,
                answer_revision_entries::canonical_value,
                answer_revision_entries::canonical_unit,
                answer_revision_entries::obtained,
            ))
            .load(conn)?;
        for (request, revision, metric, value, unit, obtained) in rows {
            if let (Some(canonical_value), Some(canonical_unit), true) =
                (value, unit, wanted.get(&request) == Some(&revision))
            {
                visit(
                    &request,
                    CountedEntry {
                        metric,
                        canonical_value,
                        canonical_unit,
                        obtained,
                    },
                );
            }
        }
    }
    Ok(())
}

/// Loads what a requirement's requester may count, in a handful of set
/// queries whatever the number of suppliers (the caller checked that
/// `requester` owns the requirement): each tier-1's latest revision
/// (accepted, or awaiting review), and the tier-2 answers attached by a
/// tier-1 whose supplier consented to share them.
pub fn summary_inputs(
    conn: &mut DbConnection,
    requester: OrgId,
    requirement: RequirementId,
    mut counted_entry: impl FnMut(CountedAnswer, CountedEntry),
) -> Result<SummaryInputs, StoreError> {
    let requirement_id = requirement.to_string();
    let requirement_id = requirement_id.as_str();
    let direct: Vec<(String, String, NaiveDate)> = requests_table::table
        .filter(requests_table::requirement_id.eq(requirement_id))
        .filter(requests_table::requester_org_id.eq(requester.to_string()))
        .select((
            requests_table::id,
            requests_table::status,
            requests_table::due_date,
        ))
        .load(conn)?;
    let direct_ids: Vec<String> = direct.iter().map(|(id, ..)| id.clone()).collect();
    let latest = latest_revisions(conn, &direct_ids)?;
    let counted: HashMap<String, i32> = latest
        .iter()
        .filter(|(_, (_, status, _))| {
            RevisionStatus::parse(status).is_some_and(RevisionStatus::counts_in_rollup)
        })
        .map(|(id, (revision, ..))| (id.clone(), *revision))
        .collect();
    visit_entries(conn, &counted, |request, entry| {
        let accepted = latest
            .get(request)
            .is_some_and(|(_, status, _)| status == RevisionStatus::Accepted.as_str());
        counted_entry(CountedAnswer { tier: 1, accepted }, entry);
    })?;
    let mut children: Vec<String> = Vec::new();
    for chunk in direct_ids.chunks(1_000) {
        let rows: Vec<String> = answer_attachments::table
            .filter(answer_attachments::request_id.eq_any(chunk))
            .select(answer_attachments::child_request_id)
            .load(conn)?;
        children.extend(rows);
    }
    let child_latest = latest_revisions(conn, &children)?;
    let shared: HashMap<String, i32> = child_latest
        .iter()
        .filter(|(_, (_, status, share))| status == RevisionStatus::Accepted.as_str() && *share)
        .map(|(id, (revision, ..))| (id.clone(), *revision))
        .collect();
    visit_entries(conn, &shared, |_, entry| {
        counted_entry(
            CountedAnswer {
                tier: 2,
                accepted: true,
            },
            entry,
        );
    })?;
    let tier2: Vec<String> = requests_table::table
        .filter(requests_table::requirement_id.eq(requirement_id))
        .filter(requests_table::depth.gt(1))
        .select(requests_table::status)
        .load(conn)?;
    let requests = direct
        .into_iter()
        .filter_map(|(_, status, due)| RequestStatus::parse(&status).map(|s| (s, due)))
        .collect();
    Ok(SummaryInputs {
        requests,
        tier2_statuses: tier2
            .iter()
            .filter_map(|s| RequestStatus::parse(s))
            .collect(),
    })
}
