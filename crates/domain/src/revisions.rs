//! A supplier's answer as the requester sees it: immutable submitted
//! revisions, numbered 1, 2, … per request, and the state machine of their
//! review. The rules of submitting, reviewing, attaching and reusing an
//! answer live here; the use-case layer asks, persistence stores.

use chrono::{DateTime, NaiveDate, Utc};

use crate::answers::{AnswerValue, Entry, TEXT_MAX_CHARS, missing_required};
use crate::error::{FieldError, Rejection, ValidationErrors};
use crate::ids::{EvidenceId, RequestId, RevisionNumber};
use crate::requests::{Party, Request, RequestStatus};

/// Where a submitted revision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RevisionStatus {
    /// Awaiting the requester's review.
    Submitted,
    Accepted,
    /// Sent back: the supplier answers again in a new revision.
    ChangesRequested,
}

impl RevisionStatus {
    pub const ALL: [Self; 3] = [Self::Submitted, Self::Accepted, Self::ChangesRequested];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::ChangesRequested => "changes_requested",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == input)
    }

    /// Whether a requester's roll-up counts it: accepted, or awaiting review.
    pub fn counts_in_rollup(self) -> bool {
        matches!(self, Self::Accepted | Self::Submitted)
    }

    /// Whether the supplier may copy its entries into another answer:
    /// anything not sent back.
    pub fn reusable(self) -> bool {
        self != Self::ChangesRequested
    }
}

/// A submitted revision, without its entries.
#[derive(Debug, Clone)]
pub struct Revision {
    pub number: RevisionNumber,
    pub status: RevisionStatus,
    /// Whether the supplier lets its values travel further up the chain.
    pub share_upstream: bool,
    /// `user:<id>` or `client:<id>`.
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_comment: Option<String>,
}

/// An entry as recorded in a draft or a revision: the value exactly as
/// reported, and its canonical conversion, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEntry {
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
    pub evidence: Vec<EvidenceId>,
    /// Where a reused entry was copied from (`request/<id>/revision/<n>`).
    pub source: Option<String>,
    /// The requester's comment on this entry, when it sent the revision back.
    pub review_comment: Option<String>,
}

/// The text columns of a validated entry, as a draft or revision records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryColumns {
    pub value_text: Option<String>,
    pub unit: Option<String>,
    pub canonical_value: Option<String>,
    pub canonical_unit: Option<&'static str>,
    pub evidence: String,
}

impl EntryColumns {
    pub fn of(entry: &Entry) -> Self {
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
            value_text: entry.value.reported_text(),
            unit,
            canonical_value,
            canonical_unit,
            evidence: join_ids(&entry.evidence),
        }
    }
}

impl RecordedEntry {
    /// Whether saving `entry` over this one would change nothing the
    /// requester sees (the reuse source is dropped by a save, so an entry
    /// copied from elsewhere differs from any typed in).
    pub fn same_as(&self, entry: &Entry) -> bool {
        let columns = EntryColumns::of(entry);
        self.metric == entry.metric
            && self.value == columns.value_text
            && self.unit == columns.unit
            && self.canonical_value == columns.canonical_value
            && self.canonical_unit.as_deref() == columns.canonical_unit
            && self.method == entry.method
            && self.obtained == entry.obtained.as_str()
            && self.period_start == entry.period.start()
            && self.period_end == entry.period.end()
            && self.comment == entry.comment
            && self.evidence == entry.evidence
            && self.source.is_none()
    }

    /// The entry as `viewer` may see it. Where a reused entry was copied
    /// from names another request of the supplier's, possibly from another
    /// customer: only the supplier sees it (`None` for anyone else).
    #[must_use]
    pub fn as_seen_by(mut self, viewer: Option<Party>) -> Self {
        if viewer != Some(Party::Supplier) {
            self.source = None;
        }
        self
    }
}

/// `entries` as `viewer` may see them ([`RecordedEntry::as_seen_by`]).
pub fn seen_by(entries: Vec<RecordedEntry>, viewer: Option<Party>) -> Vec<RecordedEntry> {
    entries
        .into_iter()
        .map(|entry| entry.as_seen_by(viewer))
        .collect()
}

/// Evidence ids as one column's text (`id,id`).
pub fn join_ids(ids: &[EvidenceId]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether `entries` would replace `draft` with exactly what it holds.
pub fn replaces_nothing(draft: &[RecordedEntry], entries: &[Entry]) -> bool {
    draft.len() == entries.len()
        && entries
            .iter()
            .all(|entry| draft.iter().any(|recorded| recorded.same_as(entry)))
}

/// Every required item of `request` is among `answered`; otherwise one
/// error per missing item, as `entries.<metric>`.
pub fn check_complete(request: &Request, answered: &[&str]) -> Result<(), Vec<FieldError>> {
    let missing = missing_required(&request.items, answered);
    if missing.is_empty() {
        return Ok(());
    }
    Err(missing
        .iter()
        .map(|metric| {
            FieldError::new(
                format!("entries.{metric}"),
                "required",
                format!("the required item `{metric}` has no answer"),
            )
        })
        .collect())
}

/// What a submission does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    /// A new revision with this number.
    New(RevisionNumber),
    /// Nothing changed since the latest revision, which still awaits
    /// review with the same consent: a retried submission is answered with
    /// it, not with a second identical revision.
    AlreadySubmitted(RevisionNumber),
}

/// Decides a submission of the draft of `request`. `draft_is_latest` says
/// whether the draft is unchanged since the latest revision `latest`.
pub fn decide_submission(
    request: &Request,
    latest: Option<&Revision>,
    draft_is_latest: bool,
    share_upstream: bool,
) -> Result<Submission, Rejection> {
    request.check_answerable()?;
    if let Some(latest) = latest
        && draft_is_latest
        && request.status == RequestStatus::Submitted
        && latest.status == RevisionStatus::Submitted
        && latest.share_upstream == share_upstream
    {
        return Ok(Submission::AlreadySubmitted(latest.number));
    }
    Ok(Submission::New(RevisionNumber::after(
        latest.map(|revision| revision.number),
    )))
}

/// The requester's decision on a submitted revision.
#[derive(Debug, Clone)]
pub enum Decision {
    Accept {
        comment: Option<String>,
    },
    RequestChanges {
        comment: Option<String>,
        /// (metric, what to fix) for entries of the revision.
        items: Vec<(String, String)>,
    },
}

impl Decision {
    /// The revision's and the request's status after it.
    pub fn outcome(&self) -> (RevisionStatus, RequestStatus) {
        match self {
            Self::Accept { .. } => (RevisionStatus::Accepted, RequestStatus::Accepted),
            Self::RequestChanges { .. } => (
                RevisionStatus::ChangesRequested,
                RequestStatus::ChangesRequested,
            ),
        }
    }

    pub fn comment(&self) -> Option<&str> {
        match self {
            Self::Accept { comment } | Self::RequestChanges { comment, .. } => comment.as_deref(),
        }
    }

    /// The overall comment and each per-entry note are at most
    /// [`TEXT_MAX_CHARS`] characters (`comment`, `items[i].comment`).
    pub fn check_lengths(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if let Some(comment) = self.comment() {
            errors.collect(FieldError::check_max_chars(
                "comment",
                comment,
                TEXT_MAX_CHARS,
            ));
        }
        if let Self::RequestChanges { items, .. } = self {
            for (index, (_, note)) in items.iter().enumerate() {
                errors.collect(FieldError::check_max_chars(
                    format!("items[{index}].comment"),
                    note,
                    TEXT_MAX_CHARS,
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Every per-entry note names an entry of the revision (`answered`);
    /// the first that does not is a 422 under `items[i].metric`.
    pub fn check_items(&self, request: &Request, answered: &[&str]) -> Result<(), FieldError> {
        let Self::RequestChanges { items, .. } = self else {
            return Ok(());
        };
        for (index, (metric, _)) in items.iter().enumerate() {
            if answered.contains(&metric.as_str()) {
                continue;
            }
            let field = format!("items[{index}].metric");
            return Err(if request.items.iter().any(|i| &i.metric == metric) {
                FieldError::new(
                    field,
                    "not_answered",
                    format!(
                        "`{metric}` has no entry in this revision: say what is missing in `comment`"
                    ),
                )
            } else {
                FieldError::new(
                    field,
                    "not_in_request",
                    format!("`{metric}` is not an item of this request"),
                )
            });
        }
        Ok(())
    }
}

/// Only the latest revision, still awaiting review, of a request still
/// submitted can be reviewed.
pub fn check_reviewable(
    request: &Request,
    revision: &Revision,
    latest: Option<RevisionNumber>,
) -> Result<(), Rejection> {
    if revision.status == RevisionStatus::Submitted
        && latest == Some(revision.number)
        && request.status == RequestStatus::Submitted
    {
        return Ok(());
    }
    Err(Rejection::new(
        "not_under_review",
        format!(
            "revision {} is {}; only the latest submitted revision can be reviewed",
            revision.number,
            revision.status.as_str()
        ),
    ))
}

/// A tier-1 may attach a tier-2's answer to its own only once it accepted it.
pub fn check_attachable(latest: Option<&Revision>) -> Result<(), Rejection> {
    if latest.is_some_and(|revision| revision.status == RevisionStatus::Accepted) {
        return Ok(());
    }
    Err(Rejection::new(
        "not_accepted",
        "accept your supplier's answer before attaching it",
    )
    .on("child_request_id"))
}

/// Whether an attached tier-2 answer's values may be shown to the
/// requester above the tier-1: the tier-2 consented when it submitted.
pub fn shared_upstream(latest: Option<&Revision>) -> bool {
    latest.is_some_and(|r| r.status == RevisionStatus::Accepted && r.share_upstream)
}

/// Where a reused entry came from, as recorded with it.
pub fn reuse_source(request: RequestId, revision: RevisionNumber) -> String {
    format!("request/{request}/revision/{revision}")
}

/// Whether a recorded entry of another answer may be copied into the
/// draft of `target`: `target` asks for its metric over the same period,
/// and the caller wants it (`metrics`, or all when `None`).
pub fn reusable_into(entry: &RecordedEntry, target: &Request, metrics: Option<&[String]>) -> bool {
    let wanted = metrics.is_none_or(|m| m.contains(&entry.metric));
    let asked = target.items.iter().any(|i| i.metric == entry.metric);
    let same_period =
        entry.period_start == target.period.start() && entry.period_end == target.period.end();
    wanted && asked && same_period
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::ids::{OrgId, RequirementId};
    use crate::requirements::{ReportingPeriod, RequirementItem};

    fn request(status: RequestStatus) -> Request {
        let date = |s: &str| s.parse::<NaiveDate>().expect("a date");
        Request {
            id: RequestId::generate(),
            requirement_id: RequirementId::generate(),
            parent_request_id: None,
            requester_org_id: OrgId::generate(),
            requester_name: "Acme".to_owned(),
            supplier_org_id: OrgId::generate(),
            supplier_name: "Kim".to_owned(),
            depth: 1,
            title: "t".to_owned(),
            message: String::new(),
            period: ReportingPeriod::new(date("2025-01-01"), date("2025-12-31")).expect("period"),
            due_date: date("2026-03-31"),
            status,
            decline_reason: None,
            requirement_version: 1,
            revision: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            items: vec![RequirementItem {
                metric: "ghg.scope1".to_owned(),
                required: true,
                guidance: None,
                estimates_accepted: false,
                part_numbers: Vec::new(),
            }],
            cascade_depth: 1,
        }
    }

    fn revision(number: i32, status: RevisionStatus, share: bool) -> Revision {
        Revision {
            number: RevisionNumber::new(number).expect("a number"),
            status,
            share_upstream: share,
            submitted_by: "user:x".to_owned(),
            submitted_at: Utc::now(),
            reviewed_at: None,
            review_comment: None,
        }
    }

    #[test]
    fn an_unchanged_resubmission_is_answered_with_the_latest_revision() {
        let submitted = request(RequestStatus::Submitted);
        let latest = revision(2, RevisionStatus::Submitted, false);
        assert_eq!(
            decide_submission(&submitted, Some(&latest), true, false),
            Ok(Submission::AlreadySubmitted(latest.number))
        );
        // Changed draft, other consent, or a revision already reviewed: a new one.
        let third = Submission::New(latest.number.next());
        assert_eq!(
            decide_submission(&submitted, Some(&latest), false, false),
            Ok(third.clone())
        );
        assert_eq!(
            decide_submission(&submitted, Some(&latest), true, true),
            Ok(third)
        );
        assert_eq!(
            decide_submission(&request(RequestStatus::Open), None, false, false),
            Ok(Submission::New(RevisionNumber::FIRST))
        );
        assert!(decide_submission(&request(RequestStatus::Declined), None, false, false).is_err());
    }

    #[test]
    fn only_the_latest_submitted_revision_is_reviewed() {
        let submitted = request(RequestStatus::Submitted);
        let first = revision(1, RevisionStatus::Submitted, false);
        assert!(check_reviewable(&submitted, &first, Some(first.number)).is_ok());
        assert!(check_reviewable(&submitted, &first, Some(first.number.next())).is_err());
        let accepted = revision(1, RevisionStatus::Accepted, false);
        assert!(check_reviewable(&submitted, &accepted, Some(accepted.number)).is_err());
        assert!(
            check_reviewable(
                &request(RequestStatus::Cancelled),
                &first,
                Some(first.number)
            )
            .is_err()
        );
    }

    #[test]
    fn decisions_move_revision_and_request_together() {
        let accept = Decision::Accept { comment: None };
        assert_eq!(
            accept.outcome(),
            (RevisionStatus::Accepted, RequestStatus::Accepted)
        );
        let back = Decision::RequestChanges {
            comment: None,
            items: vec![("ghg.scope2".to_owned(), "why?".to_owned())],
        };
        let error = back
            .check_items(&request(RequestStatus::Submitted), &["ghg.scope1"])
            .err();
        assert_eq!(error.map(|e| e.code), Some("not_in_request"));
    }

    #[test]
    fn consent_travels_only_with_an_accepted_answer() {
        assert!(shared_upstream(Some(&revision(
            1,
            RevisionStatus::Accepted,
            true
        ))));
        assert!(!shared_upstream(Some(&revision(
            1,
            RevisionStatus::Submitted,
            true
        ))));
        assert!(!shared_upstream(Some(&revision(
            1,
            RevisionStatus::Accepted,
            false
        ))));
        assert!(check_attachable(None).is_err());
    }
}
