//! Suppliers' answers: a draft per request, and immutable submitted
//! revisions with the requester's review.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use tierlink_domain::FieldError;
use tierlink_domain::answers::{AnswerValue, Entry, missing_required};
use tierlink_domain::ids::OrgId;
use tierlink_domain::requirements::RequestStatus;
use tierlink_domain::time::now;

use crate::batch::{insert_kept_rows, insert_rows};
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::network::rejected;
use crate::requests::{self, Request};
use crate::schema::{
    answer_attachments, answer_drafts, answer_revision_entries, answer_revisions,
    requests as requests_table,
};
use crate::time::{from_db, to_db};

/// An entry as stored: the value exactly as reported, and its conversion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub metric: String,
    pub value: Option<String>,
    pub unit: Option<String>,
    pub canonical_value: Option<String>,
    pub canonical_unit: Option<String>,
    pub method: Option<String>,
    pub obtained: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub comment: Option<String>,
    pub evidence: Vec<String>,
    /// Where a reused entry was copied from (`request/<id>/revision/<n>`).
    pub source: Option<String>,
    /// The requester's comment on this entry, when it sent the revision back.
    pub review_comment: Option<String>,
}

/// A submitted revision, without its entries.
#[derive(Debug, Clone)]
pub struct Revision {
    pub revision: i32,
    /// `submitted`, `accepted` or `changes_requested`.
    pub status: String,
    pub share_upstream: bool,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_comment: Option<String>,
}

pub(crate) type EntryTuple = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    NaiveDate,
    NaiveDate,
    Option<String>,
    String,
    Option<String>,
);

pub(crate) fn stored(tuple: EntryTuple, review_comment: Option<String>) -> StoredEntry {
    let (
        metric,
        value,
        unit,
        canonical_value,
        canonical_unit,
        method,
        obtained,
        period_start,
        period_end,
        comment,
        evidence,
        source,
    ) = tuple;
    StoredEntry {
        metric,
        value,
        unit,
        canonical_value,
        canonical_unit,
        method,
        obtained,
        period_start,
        period_end,
        comment,
        source,
        evidence: evidence
            .split(',')
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect(),
        review_comment,
    }
}

/// Serialises concurrent writers of one request's answer: on PostgreSQL a
/// row lock for the rest of the transaction (SQLite writers are already
/// serialised by `Database::write`).
pub(crate) fn lock_request(conn: &mut DbConnection, request_id: &str) -> Result<(), StoreError> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("SELECT id FROM requests WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::Text, _>(request_id)
            .execute(pg)?;
    }
    Ok(())
}

/// The same for a requirement's lifecycle changes.
pub(crate) fn lock_requirement(
    conn: &mut DbConnection,
    requirement_id: &str,
) -> Result<(), StoreError> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("SELECT id FROM requirements WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::Text, _>(requirement_id)
            .execute(pg)?;
    }
    Ok(())
}

/// Row locks on all of a requirement's requests, in id order, on
/// PostgreSQL: the order every multi-request writer (bulk answers, close,
/// cancel, amendments) takes them in, so two of them cannot deadlock.
pub(crate) fn lock_requests_of_requirement(
    conn: &mut DbConnection,
    requirement_id: &str,
) -> Result<(), StoreError> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query(
            "SELECT id FROM requests WHERE requirement_id = $1 ORDER BY id FOR UPDATE",
        )
        .bind::<diesel::sql_types::Text, _>(requirement_id)
        .execute(pg)?;
    }
    Ok(())
}

/// A request its supplier is answering, with the requester's custom
/// metrics among its items (to validate entries and describe items).
pub fn request_to_answer(
    conn: &mut DbConnection,
    supplier: OrgId,
    request_id: &str,
) -> Result<(Request, Vec<crate::custom_metrics::CustomMetric>), StoreError> {
    let request = own_request(conn, supplier, request_id)?;
    let owner = crate::requirements::owner_of(conn, &request.requirement_id)?;
    let codes: Vec<String> = request.items.iter().map(|i| i.metric.clone()).collect();
    let custom = crate::custom_metrics::find_many(conn, &[owner], &codes)?;
    Ok((request, custom))
}

/// The request, if `supplier` is the one who answers it.
fn own_request(
    conn: &mut DbConnection,
    supplier: OrgId,
    request_id: &str,
) -> Result<Request, StoreError> {
    let request = requests::find_for(conn, supplier, request_id)?;
    if request.supplier_org_id != supplier {
        return Err(StoreError::NotFound);
    }
    Ok(request)
}

/// Every required item of `request` is among `answered`: otherwise a 422
/// naming each missing one as `entries.<metric>`.
pub(crate) fn ensure_complete(request: &Request, answered: &[&str]) -> Result<(), StoreError> {
    let missing = missing_required(&request.items, answered);
    if missing.is_empty() {
        return Ok(());
    }
    Err(StoreError::InvalidAll(
        missing
            .iter()
            .map(|metric| {
                FieldError::new(
                    format!("entries.{metric}"),
                    "required",
                    format!("the required item `{metric}` has no answer"),
                )
            })
            .collect(),
    ))
}

pub(crate) fn ensure_answerable(request: &Request) -> Result<(), StoreError> {
    if matches!(
        request.status,
        RequestStatus::Declined
            | RequestStatus::Cancelled
            | RequestStatus::Closed
            | RequestStatus::Accepted
    ) {
        return Err(rejected(
            "request_not_answerable",
            None,
            &format!("a {} request cannot be answered", request.status.as_str()),
        ));
    }
    Ok(())
}

fn set_status(
    conn: &mut DbConnection,
    request: &Request,
    status: RequestStatus,
) -> Result<(), StoreError> {
    diesel::update(requests_table::table.filter(requests_table::id.eq(&request.id)))
        .set((
            requests_table::status.eq(status.as_str()),
            requests_table::revision.eq(requests_table::revision + 1),
            requests_table::updated_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    Ok(())
}

/// The column values of one draft row: `draft_values!(request_id, row, by,
/// at)` with `row` a [`DraftRow`] (shared by the single and bulk saves).
/// The values are owned, so the rows can go through
/// [`insert_kept_rows!`](crate::batch::insert_kept_rows).
macro_rules! draft_values {
    ($request_id:expr, $row:expr, $by:expr, $at:expr) => {{
        use diesel::ExpressionMethods as _;
        use $crate::schema::answer_drafts as d;
        (
            d::request_id.eq(String::from($request_id)),
            d::metric_code.eq($row.entry.metric.clone()),
            d::value_text.eq($row.value_text.clone()),
            d::unit.eq($row.unit.clone()),
            d::canonical_value.eq($row.canonical_value.clone()),
            d::canonical_unit.eq($row.canonical_unit),
            d::method.eq($row.entry.method.clone()),
            d::obtained.eq($row.entry.obtained.as_str()),
            d::period_start.eq($row.entry.period.start()),
            d::period_end.eq($row.entry.period.end()),
            d::comment.eq($row.entry.comment.clone()),
            d::evidence.eq($row.evidence.clone()),
            d::updated_by.eq(String::from($by)),
            d::updated_at.eq($at),
        )
    }};
}

pub(crate) use draft_values;

/// The column values of one revision entry written straight from a
/// [`DraftRow`] (a bulk submission, whose draft is then that revision):
/// `revision_entry_values!(request_id, revision, row)`, owned as
/// [`draft_values!`]'s are.
macro_rules! revision_entry_values {
    ($request_id:expr, $revision:expr, $row:expr) => {{
        use diesel::ExpressionMethods as _;
        use $crate::schema::answer_revision_entries as e;
        (
            e::request_id.eq(String::from($request_id)),
            e::revision.eq($revision),
            e::metric_code.eq($row.entry.metric.clone()),
            e::value_text.eq($row.value_text.clone()),
            e::unit.eq($row.unit.clone()),
            e::canonical_value.eq($row.canonical_value.clone()),
            e::canonical_unit.eq($row.canonical_unit),
            e::method.eq($row.entry.method.clone()),
            e::obtained.eq($row.entry.obtained.as_str()),
            e::period_start.eq($row.entry.period.start()),
            e::period_end.eq($row.entry.period.end()),
            e::comment.eq($row.entry.comment.clone()),
            e::evidence.eq($row.evidence.clone()),
        )
    }};
}

pub(crate) use revision_entry_values;

/// An entry's columns that are computed before it is written.
pub(crate) struct DraftRow<'a> {
    pub(crate) entry: &'a Entry,
    pub(crate) value_text: Option<String>,
    pub(crate) unit: Option<String>,
    pub(crate) canonical_value: Option<String>,
    pub(crate) canonical_unit: Option<&'static str>,
    pub(crate) evidence: String,
}

impl<'a> From<&'a Entry> for DraftRow<'a> {
    fn from(entry: &'a Entry) -> Self {
        let (canonical_value, canonical_unit, unit) = match &entry.value {
            AnswerValue::Quantity {
                unit,
                canonical,
                canonical_unit,
                ..
            } => (
                Some(canonical.to_string()),
                Some(*canonical_unit),
                Some((*unit).to_owned()),
            ),
            AnswerValue::Percentage(_) => (None, None, Some("%".to_owned())),
            _ => (None, None, None),
        };
        Self {
            entry,
            value_text: entry.value.reported_text(),
            unit,
            canonical_value,
            canonical_unit,
            evidence: entry.evidence.join(","),
        }
    }
}

/// Saves entries into the draft (all of them replaced when `replace_all`).
/// The request becomes `in_progress` if it was open or sent back; returns
/// its status afterwards.
pub fn save_draft(
    conn: &mut DbConnection,
    supplier: OrgId,
    request_id: &str,
    entries: &[Entry],
    replace_all: bool,
    by: &str,
) -> Result<RequestStatus, StoreError> {
    lock_request(conn, request_id)?;
    let request = own_request(conn, supplier, request_id)?;
    ensure_answerable(&request)?;
    for entry in entries.iter().filter(|entry| !entry.evidence.is_empty()) {
        crate::evidence::check_references(conn, request_id, &entry.evidence).map_err(|error| {
            match error {
                StoreError::Invalid(mut e) => {
                    e.message = format!("{}: {}", entry.metric, e.message);
                    StoreError::Invalid(e)
                }
                other => other,
            }
        })?;
    }
    let at = to_db(now());
    crate::drafts::prepare_change(conn, request_id, replace_all, by, at)?;
    let replaced = answer_drafts::table.filter(answer_drafts::request_id.eq(request_id));
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
        .map(|row| draft_values!(request_id, row, by, at))
        .collect();
    insert_kept_rows!(conn, answer_drafts::table, &rows);
    if matches!(
        request.status,
        RequestStatus::Open | RequestStatus::ChangesRequested
    ) {
        set_status(conn, &request, RequestStatus::InProgress)?;
        return Ok(RequestStatus::InProgress);
    }
    Ok(request.status)
}

/// The supplier's draft of a request it answers.
pub fn draft(
    conn: &mut DbConnection,
    supplier: OrgId,
    request_id: &str,
) -> Result<Vec<StoredEntry>, StoreError> {
    own_request(conn, supplier, request_id)?;
    crate::drafts::load(conn, request_id)
}

/// Submits the draft as the next immutable revision. Every required item
/// must be answered; the missing ones are all listed.
pub fn submit(
    conn: &mut DbConnection,
    supplier: OrgId,
    request_id: &str,
    share_upstream: bool,
    by: &str,
) -> Result<Revision, StoreError> {
    lock_request(conn, request_id)?;
    let request = own_request(conn, supplier, request_id)?;
    ensure_answerable(&request)?;
    let draft = crate::drafts::load(conn, request_id)?;
    let answered: Vec<&str> = draft.iter().map(|e| e.metric.as_str()).collect();
    ensure_complete(&request, &answered)?;
    let asked: Vec<&str> = request.items.iter().map(|i| i.metric.as_str()).collect();
    let revision = latest_revision_number(conn, request_id)?.unwrap_or(0) + 1;
    let at = to_db(now());
    diesel::insert_into(answer_revisions::table)
        .values((
            answer_revisions::request_id.eq(request_id),
            answer_revisions::revision.eq(revision),
            answer_revisions::status.eq("submitted"),
            answer_revisions::share_upstream.eq(share_upstream),
            answer_revisions::submitted_by.eq(by),
            answer_revisions::submitted_at.eq(at),
        ))
        .execute(conn)?;
    let copied: Vec<(&StoredEntry, String)> = draft
        .iter()
        .filter(|e| asked.contains(&e.metric.as_str()))
        .map(|entry| (entry, entry.evidence.join(",")))
        .collect();
    let rows: Vec<_> = copied
        .iter()
        .map(|(entry, evidence)| {
            (
                answer_revision_entries::request_id.eq(request_id),
                answer_revision_entries::revision.eq(revision),
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
    // The draft is now the revision just made (see `drafts`).
    crate::drafts::delete_rows(conn, &[request_id])?;
    crate::drafts::set_latest_revision(conn, &[request_id], true)?;
    set_status(conn, &request, RequestStatus::Submitted)?;
    load_revision(conn, request_id, revision)
}

type RevisionTuple = (
    i32,
    String,
    bool,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<String>,
);

fn revision_from(tuple: RevisionTuple) -> Revision {
    let (revision, status, share_upstream, submitted_by, submitted_at, reviewed_at, review_comment) =
        tuple;
    Revision {
        revision,
        status,
        share_upstream,
        submitted_by,
        submitted_at: from_db(submitted_at),
        reviewed_at: reviewed_at.map(from_db),
        review_comment,
    }
}

fn load_revision(
    conn: &mut DbConnection,
    request_id: &str,
    revision: i32,
) -> Result<Revision, StoreError> {
    let tuple: RevisionTuple = answer_revisions::table
        .filter(answer_revisions::request_id.eq(request_id))
        .filter(answer_revisions::revision.eq(revision))
        .select((
            answer_revisions::revision,
            answer_revisions::status,
            answer_revisions::share_upstream,
            answer_revisions::submitted_by,
            answer_revisions::submitted_at,
            answer_revisions::reviewed_at,
            answer_revisions::review_comment,
        ))
        .first(conn)?;
    Ok(revision_from(tuple))
}

/// Every revision of a request's answer, oldest first: for its supplier and its requester.
pub fn revisions(
    conn: &mut DbConnection,
    viewer: OrgId,
    request_id: &str,
) -> Result<Vec<Revision>, StoreError> {
    requests::find_for(conn, viewer, request_id)?;
    let rows: Vec<RevisionTuple> = answer_revisions::table
        .filter(answer_revisions::request_id.eq(request_id))
        .order(answer_revisions::revision.asc())
        .select((
            answer_revisions::revision,
            answer_revisions::status,
            answer_revisions::share_upstream,
            answer_revisions::submitted_by,
            answer_revisions::submitted_at,
            answer_revisions::reviewed_at,
            answer_revisions::review_comment,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(revision_from).collect())
}

/// One revision with its entries.
pub fn revision(
    conn: &mut DbConnection,
    viewer: OrgId,
    request_id: &str,
    number: i32,
) -> Result<(Revision, Vec<StoredEntry>), StoreError> {
    requests::find_for(conn, viewer, request_id)?;
    let summary = load_revision(conn, request_id, number)?;
    Ok((summary, revision_entries(conn, request_id, number)?))
}

/// The columns of a revision entry, in `EntryTuple` order.
macro_rules! revision_entry_columns {
    () => {
        (
            answer_revision_entries::metric_code,
            answer_revision_entries::value_text,
            answer_revision_entries::unit,
            answer_revision_entries::canonical_value,
            answer_revision_entries::canonical_unit,
            answer_revision_entries::method,
            answer_revision_entries::obtained,
            answer_revision_entries::period_start,
            answer_revision_entries::period_end,
            answer_revision_entries::comment,
            answer_revision_entries::evidence,
            answer_revision_entries::source,
        )
    };
}

pub(crate) use revision_entry_columns;

pub(crate) fn revision_entries(
    conn: &mut DbConnection,
    request_id: &str,
    number: i32,
) -> Result<Vec<StoredEntry>, StoreError> {
    let rows: Vec<(EntryTuple, Option<String>)> = answer_revision_entries::table
        .filter(answer_revision_entries::request_id.eq(request_id))
        .filter(answer_revision_entries::revision.eq(number))
        .order(answer_revision_entries::metric_code.asc())
        .select((
            revision_entry_columns!(),
            answer_revision_entries::review_comment,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(tuple, review)| stored(tuple, review))
        .collect())
}

/// The requester's decision on a submitted revision.
#[derive(Debug, Clone)]
pub enum Decision {
    Accept {
        comment: Option<String>,
    },
    RequestChanges {
        comment: Option<String>,
        items: Vec<(String, String)>,
    },
}

/// The requester reviews the latest submitted revision.
pub fn review(
    conn: &mut DbConnection,
    requester: OrgId,
    request_id: &str,
    number: i32,
    decision: &Decision,
    by: &str,
) -> Result<Revision, StoreError> {
    lock_request(conn, request_id)?;
    let request = requests::find_for(conn, requester, request_id)?;
    if request.requester_org_id != requester {
        return Err(StoreError::NotFound);
    }
    let summary = load_revision(conn, request_id, number)?;
    let latest: Option<i32> = answer_revisions::table
        .filter(answer_revisions::request_id.eq(request_id))
        .select(diesel::dsl::max(answer_revisions::revision))
        .first(conn)?;
    if summary.status != "submitted"
        || latest != Some(number)
        || request.status != RequestStatus::Submitted
    {
        return Err(rejected(
            "not_under_review",
            None,
            &format!(
                "revision {number} is {}; only the latest submitted revision can be reviewed",
                summary.status
            ),
        ));
    }
    let (status, request_status, comment) = match decision {
        Decision::Accept { comment } => ("accepted", RequestStatus::Accepted, comment.clone()),
        Decision::RequestChanges { comment, items } => {
            let entries = revision_entries(conn, request_id, number)?;
            for (index, (metric, note)) in items.iter().enumerate() {
                if !entries.iter().any(|e| &e.metric == metric) {
                    let field = format!("items[{index}].metric");
                    return Err(StoreError::Invalid(
                        if request.items.iter().any(|i| &i.metric == metric) {
                            FieldError::new(
                                field,
                                "not_answered",
                                format!(
                                    "`{metric}` has no entry in revision {number}: say what is missing in `comment`"
                                ),
                            )
                        } else {
                            FieldError::new(
                                field,
                                "not_in_request",
                                format!("`{metric}` is not an item of this request"),
                            )
                        },
                    ));
                }
                diesel::update(
                    answer_revision_entries::table
                        .filter(answer_revision_entries::request_id.eq(request_id))
                        .filter(answer_revision_entries::revision.eq(number))
                        .filter(answer_revision_entries::metric_code.eq(metric)),
                )
                .set(answer_revision_entries::review_comment.eq(Some(note)))
                .execute(conn)?;
            }
            (
                "changes_requested",
                RequestStatus::ChangesRequested,
                comment.clone(),
            )
        }
    };
    diesel::update(
        answer_revisions::table
            .filter(answer_revisions::request_id.eq(request_id))
            .filter(answer_revisions::revision.eq(number)),
    )
    .set((
        answer_revisions::status.eq(status),
        answer_revisions::reviewed_by.eq(Some(by)),
        answer_revisions::reviewed_at.eq(Some(to_db(now()))),
        answer_revisions::review_comment.eq(comment),
    ))
    .execute(conn)?;
    set_status(conn, &request, request_status)?;
    load_revision(conn, request_id, number)
}

/// A tier-1 attaches the accepted answer of a request it forwarded to its
/// own answer, so its customer can count (and, with consent, see) it.
pub fn attach(
    conn: &mut DbConnection,
    tier1: OrgId,
    request_id: &str,
    child_request_id: &str,
    by: &str,
) -> Result<(), StoreError> {
    own_request(conn, tier1, request_id)?;
    let forwarded_here: i64 = requests_table::table
        .filter(requests_table::id.eq(child_request_id))
        .filter(requests_table::parent_request_id.eq(request_id))
        .count()
        .get_result(conn)?;
    if forwarded_here == 0 {
        return Err(StoreError::Invalid(FieldError::new(
            "child_request_id",
            "not_forwarded_from_here",
            "attach only answers to requests you forwarded from this one",
        )));
    }
    let latest = latest_revision(conn, child_request_id)?;
    if latest.as_ref().map(|r| r.status.as_str()) != Some("accepted") {
        return Err(rejected(
            "not_accepted",
            Some("child_request_id"),
            "accept your supplier's answer before attaching it",
        ));
    }
    let already: i64 = answer_attachments::table
        .filter(answer_attachments::request_id.eq(request_id))
        .filter(answer_attachments::child_request_id.eq(child_request_id))
        .count()
        .get_result(conn)?;
    if already > 0 {
        return Err(StoreError::Duplicate {
            field: Some("child_request_id".to_owned()),
            message: "this answer is attached already".to_owned(),
        });
    }
    diesel::insert_into(answer_attachments::table)
        .values((
            answer_attachments::request_id.eq(request_id),
            answer_attachments::child_request_id.eq(child_request_id),
            answer_attachments::attached_by.eq(by),
            answer_attachments::attached_at.eq(to_db(now())),
        ))
        .execute(conn)?;
    Ok(())
}

fn latest_revision(
    conn: &mut DbConnection,
    request_id: &str,
) -> Result<Option<Revision>, StoreError> {
    latest_revision_number(conn, request_id)?
        .map(|n| load_revision(conn, request_id, n))
        .transpose()
}

/// The number of the request's latest revision, if it has one.
pub(crate) fn latest_revision_number(
    conn: &mut DbConnection,
    request_id: &str,
) -> Result<Option<i32>, StoreError> {
    Ok(answer_revisions::table
        .filter(answer_revisions::request_id.eq(request_id))
        .select(diesel::dsl::max(answer_revisions::revision))
        .first(conn)?)
}

/// A tier-2 answer attached to a tier-1's answer, as one viewer may see it.
#[derive(Debug, Clone)]
pub struct Attached {
    pub child_request_id: String,
    /// The tier-2's name: shown to the tier-1 only.
    pub supplier_name: Option<String>,
    pub revision: Revision,
    /// The values: for the tier-1 always; for its customer only with the tier-2's consent.
    pub entries: Option<Vec<StoredEntry>>,
}

/// The answers attached to `request_id`, as `viewer` (the tier-1 that
/// answers it, or the customer that sent it) may see them.
pub fn attachments(
    conn: &mut DbConnection,
    viewer: OrgId,
    request_id: &str,
) -> Result<Vec<Attached>, StoreError> {
    let request = requests::find_for(conn, viewer, request_id)?;
    let is_tier1 = request.supplier_org_id == viewer;
    let children: Vec<String> = answer_attachments::table
        .filter(answer_attachments::request_id.eq(request_id))
        .order(answer_attachments::child_request_id.asc())
        .select(answer_attachments::child_request_id)
        .load(conn)?;
    let mut attached = Vec::with_capacity(children.len());
    for child in children {
        let Some(revision) = latest_revision(conn, &child)?.filter(|r| r.status == "accepted")
        else {
            continue;
        };
        let entries = if is_tier1 || revision.share_upstream {
            Some(revision_entries(conn, &child, revision.revision)?)
        } else {
            None
        };
        let supplier_name = if is_tier1 {
            Some(requests::find_for(conn, viewer, &child)?.supplier_name)
        } else {
            None
        };
        attached.push(Attached {
            child_request_id: child,
            supplier_name,
            revision,
            entries,
        });
    }
    Ok(attached)
}

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
) -> Result<std::collections::HashMap<String, (i32, String, bool)>, StoreError> {
    let mut latest = std::collections::HashMap::new();
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
    wanted: &std::collections::HashMap<String, i32>,
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
/// queries whatever the number of suppliers: each tier-1's latest revision
/// (accepted, or awaiting review), and the tier-2 answers attached by a
/// tier-1 whose supplier consented to share them.
pub fn summary_inputs(
    conn: &mut DbConnection,
    requester: OrgId,
    requirement_id: &str,
    mut counted_entry: impl FnMut(CountedAnswer, CountedEntry),
) -> Result<SummaryInputs, StoreError> {
    crate::requirements::find(conn, requester, requirement_id)?;
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
    let counted: std::collections::HashMap<String, i32> = latest
        .iter()
        .filter(|(_, (_, status, _))| status == "accepted" || status == "submitted")
        .map(|(id, (revision, ..))| (id.clone(), *revision))
        .collect();
    visit_entries(conn, &counted, |request, entry| {
        let accepted = latest
            .get(request)
            .is_some_and(|(_, status, _)| status == "accepted");
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
    let shared: std::collections::HashMap<String, i32> = child_latest
        .iter()
        .filter(|(_, (_, status, share))| status == "accepted" && *share)
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

/// Copies entries the supplier already gave in its latest submitted (or
/// accepted) answer to `source_request` into its draft for `request_id`:
/// the metrics both requests ask for, over the same period. Each copy
/// records where it came from; its evidence is linked to the new request.
/// Returns the metrics copied.
pub fn reuse(
    conn: &mut DbConnection,
    supplier: OrgId,
    request_id: &str,
    source_request: &str,
    metrics: Option<&[String]>,
    by: &str,
) -> Result<Vec<String>, StoreError> {
    lock_request(conn, request_id)?;
    let target = own_request(conn, supplier, request_id)?;
    ensure_answerable(&target)?;
    own_request(conn, supplier, source_request).map_err(|_| {
        StoreError::Invalid(FieldError::new(
            "source_request_id",
            "not_yours",
            "reuse only answers your organisation gave",
        ))
    })?;
    let Some(revision) =
        latest_revision(conn, source_request)?.filter(|r| r.status != "changes_requested")
    else {
        return Err(rejected(
            "nothing_to_reuse",
            Some("source_request_id"),
            "that request has no submitted answer to reuse",
        ));
    };
    let source = format!("request/{source_request}/revision/{}", revision.revision);
    let at = to_db(now());
    crate::drafts::prepare_change(conn, request_id, false, by, at)?;
    let mut copied = Vec::new();
    for entry in revision_entries(conn, source_request, revision.revision)? {
        let wanted = metrics.is_none_or(|m| m.contains(&entry.metric));
        let asked = target.items.iter().any(|i| i.metric == entry.metric);
        let same_period =
            entry.period_start == target.period.start() && entry.period_end == target.period.end();
        if !(wanted && asked && same_period) {
            continue;
        }
        let evidence = crate::evidence::link_copies(conn, &entry.evidence, request_id)?;
        diesel::delete(
            answer_drafts::table
                .filter(answer_drafts::request_id.eq(request_id))
                .filter(answer_drafts::metric_code.eq(&entry.metric)),
        )
        .execute(conn)?;
        diesel::insert_into(answer_drafts::table)
            .values((
                answer_drafts::request_id.eq(request_id),
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
                answer_drafts::evidence.eq(evidence.join(",")),
                answer_drafts::source.eq(Some(&source)),
                answer_drafts::updated_by.eq(by),
                answer_drafts::updated_at.eq(at),
            ))
            .execute(conn)?;
        copied.push(entry.metric);
    }
    if copied.is_empty() {
        return Err(rejected(
            "nothing_to_reuse",
            Some("source_request_id"),
            "no entry of that answer matches an item of this request over the same period",
        ));
    }
    if matches!(
        target.status,
        RequestStatus::Open | RequestStatus::ChangesRequested
    ) {
        set_status(conn, &target, RequestStatus::InProgress)?;
    }
    Ok(copied)
}

/// Whether `viewer` may see the values of `child_request_id`'s answer
/// through a tier-1 that attached it: the tier-2 consented, and `viewer`
/// sent the request it was attached to.
pub fn shared_upstream_with(
    conn: &mut DbConnection,
    viewer: OrgId,
    child_request_id: &str,
) -> Result<bool, StoreError> {
    let consented = latest_revision(conn, child_request_id)?
        .is_some_and(|r| r.status == "accepted" && r.share_upstream);
    if !consented {
        return Ok(false);
    }
    let parents: Vec<String> = answer_attachments::table
        .filter(answer_attachments::child_request_id.eq(child_request_id))
        .select(answer_attachments::request_id)
        .load(conn)?;
    for parent in parents {
        let sent_by_viewer: i64 = requests_table::table
            .filter(requests_table::id.eq(&parent))
            .filter(requests_table::requester_org_id.eq(viewer.to_string()))
            .count()
            .get_result(conn)?;
        if sent_by_viewer > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}
