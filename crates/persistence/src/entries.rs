//! The columns an answer entry is stored in, shared by the draft
//! (`answer_drafts`) and revision (`answer_revision_entries`) tables: the
//! tuple they are read as, and the column values they are written from.

use chrono::NaiveDate;
use tierlink_domain::answers::Entry;
use tierlink_domain::revisions::{EntryColumns, RecordedEntry};

/// An entry's columns in the order [`revision_entry_columns!`] and the
/// draft's select list read them.
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

pub(crate) fn recorded(tuple: EntryTuple, review_comment: Option<String>) -> RecordedEntry {
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
    RecordedEntry {
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
        // Ids were valid when written; one that no longer parses is dropped
        // rather than failing the whole read.
        evidence: evidence.split(',').filter_map(|e| e.parse().ok()).collect(),
        review_comment,
    }
}

/// A validated entry with its computed columns, ready to be written.
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
        let columns = EntryColumns::of(entry);
        Self {
            entry,
            value_text: columns.value_text,
            unit: columns.unit,
            canonical_value: columns.canonical_value,
            canonical_unit: columns.canonical_unit,
            evidence: columns.evidence,
        }
    }
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

/// The columns of a revision entry, in [`EntryTuple`] order.
macro_rules! revision_entry_columns {
    () => {{
        use $crate::schema::answer_revision_entries as e;
        (
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
        )
    }};
}

pub(crate) use revision_entry_columns;
