//! A request: one requirement sent to one supplier (or part of one
//! forwarded down the chain), and the state machine of its status. Every
//! rule about what may happen to a request in which status lives here.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{FieldError, Rejection};
use crate::ids::{OrgId, RequestId, RequirementId};
use crate::requirements::{ReportingPeriod, RequirementItem};

/// Where a request to one supplier stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    Open,
    InProgress,
    Submitted,
    Accepted,
    ChangesRequested,
    Declined,
    Cancelled,
    Closed,
}

impl RequestStatus {
    pub const ALL: [Self; 8] = [
        Self::Open,
        Self::InProgress,
        Self::Submitted,
        Self::Accepted,
        Self::ChangesRequested,
        Self::Declined,
        Self::Cancelled,
        Self::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::ChangesRequested => "changes_requested",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
            Self::Closed => "closed",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == input)
    }

    /// Whether the supplier still owes an answer.
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Open | Self::InProgress | Self::ChangesRequested)
    }

    /// Whether the supplier may decline it now.
    pub fn may_decline(self) -> bool {
        self.is_pending()
    }

    /// Whether the supplier may still change its answer (save a draft,
    /// submit, attach evidence): not once the request was declined,
    /// cancelled, closed or its answer accepted.
    pub fn takes_answers(self) -> bool {
        !matches!(
            self,
            Self::Declined | Self::Cancelled | Self::Closed | Self::Accepted
        )
    }

    /// The status after the supplier saved (part of) its draft: work has
    /// begun on an open or sent-back request; otherwise unchanged.
    #[must_use]
    pub fn after_draft_saved(self) -> Self {
        match self {
            Self::Open | Self::ChangesRequested => Self::InProgress,
            other => other,
        }
    }

    /// Whether an amendment of its requirement reaches it: not once it is
    /// settled (accepted, declined, cancelled, closed).
    pub fn follows_amendments(self) -> bool {
        self.is_pending() || self == Self::Submitted
    }

    /// The status after the supplier forwarded part of it down the chain.
    #[must_use]
    pub fn after_forwarded(self) -> Self {
        match self {
            Self::Open => Self::InProgress,
            other => other,
        }
    }
}

/// Whether a request is overdue on `today`.
pub fn is_overdue(status: RequestStatus, due: NaiveDate, today: NaiveDate) -> bool {
    status.is_pending() && due < today
}

/// A request, with its parties' names and its items.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: RequestId,
    pub requirement_id: RequirementId,
    pub parent_request_id: Option<RequestId>,
    pub requester_org_id: OrgId,
    pub requester_name: String,
    pub supplier_org_id: OrgId,
    pub supplier_name: String,
    /// 1 for a large firm's own request, 2 for one forwarded by a tier-1, …
    pub depth: i32,
    pub title: String,
    pub message: String,
    pub period: ReportingPeriod,
    pub due_date: NaiveDate,
    pub status: RequestStatus,
    pub decline_reason: Option<String>,
    pub requirement_version: i32,
    /// Moves with every change to the request or its items (its `ETag`).
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub items: Vec<RequirementItem>,
    /// How far the requirement behind it may travel down the chain.
    pub cascade_depth: i32,
}

/// Which side of a request an organisation is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The organisation that answers it.
    Supplier,
    /// The organisation that sent it (the large firm, or a forwarding tier-1).
    Requester,
}

impl Request {
    /// Which side `org` is on, if it is a party at all.
    pub fn party(&self, org: OrgId) -> Option<Party> {
        if self.supplier_org_id == org {
            Some(Party::Supplier)
        } else if self.requester_org_id == org {
            Some(Party::Requester)
        } else {
            None
        }
    }

    /// Whether its supplier may forward it to its own suppliers now.
    pub fn forwardable(&self) -> bool {
        self.status.is_pending() && self.depth < self.cascade_depth
    }

    /// Whether it is overdue on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        is_overdue(self.status, self.due_date, today)
    }

    /// The supplier may change its answer (draft, submission, evidence).
    pub fn check_answerable(&self) -> Result<(), Rejection> {
        if self.status.takes_answers() {
            return Ok(());
        }
        Err(Rejection::new(
            "request_not_answerable",
            format!("a {} request cannot be answered", self.status.as_str()),
        ))
    }

    /// The caller's `If-Match` revision, if it sent one, is the current one.
    pub fn check_revision(&self, expected: Option<i32>) -> Result<(), Stale> {
        match expected {
            Some(expected) if expected != self.revision => Err(Stale {
                current: self.revision,
            }),
            _ => Ok(()),
        }
    }

    /// The supplier may decline it now.
    pub fn check_declinable(&self) -> Result<(), Rejection> {
        if self.status.may_decline() {
            return Ok(());
        }
        Err(Rejection::new(
            "illegal_transition",
            format!(
                "only open, in-progress or changes-requested requests can be declined; this one is {}",
                self.status.as_str()
            ),
        ))
    }

    /// The supplier may forward it now (its status; the depth is judged
    /// by [`Request::check_forward_depth`], as a field error).
    pub fn check_forwardable_status(&self) -> Result<(), Rejection> {
        if self.status.is_pending() {
            return Ok(());
        }
        Err(Rejection::new(
            "illegal_transition",
            format!(
                "only a request still being answered can be forwarded; this one is {}",
                self.status.as_str()
            ),
        ))
    }

    /// The requirement may travel one tier further down from this request.
    pub fn check_forward_depth(&self) -> Result<(), FieldError> {
        if self.depth < self.cascade_depth {
            return Ok(());
        }
        Err(FieldError::new(
            "suppliers",
            "beyond_cascade_depth",
            format!(
                "this requirement may travel {} tier(s) down; a tier-{} request cannot be forwarded",
                self.cascade_depth, self.depth
            ),
        ))
    }

    /// The items a forward passes on: all of them, or the listed metrics
    /// (each an item of this request, none twice).
    pub fn items_to_forward(
        &self,
        metrics: Option<&[String]>,
    ) -> Result<Vec<RequirementItem>, FieldError> {
        // Part numbers are the requester's; a tier-2 is asked about every
        // product it sells the tier-1.
        let for_tier2 = |item: &RequirementItem| RequirementItem {
            part_numbers: Vec::new(),
            ..item.clone()
        };
        let Some(metrics) = metrics else {
            return Ok(self.items.iter().map(for_tier2).collect());
        };
        let mut chosen: Vec<RequirementItem> = Vec::with_capacity(metrics.len());
        for (index, metric) in metrics.iter().enumerate() {
            let field = format!("metrics[{index}]");
            let item = self
                .items
                .iter()
                .find(|item| &item.metric == metric)
                .ok_or_else(|| {
                    FieldError::new(
                        &field,
                        "not_in_request",
                        format!("`{metric}` is not an item of this request"),
                    )
                })?;
            if chosen.iter().any(|known| &known.metric == metric) {
                return Err(FieldError::new(field, "duplicate", "listed twice"));
            }
            chosen.push(for_tier2(item));
        }
        Ok(chosen)
    }

    /// The due date of a forwarded request: the one asked for, never later
    /// than this request's own.
    pub fn forward_due_date(&self, asked: Option<NaiveDate>) -> Result<NaiveDate, FieldError> {
        let due_date = asked.unwrap_or(self.due_date);
        if due_date > self.due_date {
            return Err(FieldError::new(
                "due_date",
                "after_parent",
                format!(
                    "due by {} at the latest, when your own answer is due",
                    self.due_date
                ),
            ));
        }
        Ok(due_date)
    }
}

/// An `If-Match` revision that is no longer the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stale {
    pub current: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn overdue_means_pending_past_the_due_date() {
        let due = date("2026-11-01");
        assert!(is_overdue(RequestStatus::Open, due, date("2026-11-26")));
        assert!(!is_overdue(
            RequestStatus::Submitted,
            due,
            date("2026-11-26")
        ));
        assert!(!is_overdue(RequestStatus::Open, due, date("2026-10-26")));
    }

    #[test]
    fn answers_are_taken_until_the_request_is_settled() {
        for status in RequestStatus::ALL {
            let settled = matches!(
                status,
                RequestStatus::Declined
                    | RequestStatus::Cancelled
                    | RequestStatus::Closed
                    | RequestStatus::Accepted
            );
            assert_eq!(status.takes_answers(), !settled, "{status:?}");
        }
    }

    #[test]
    fn saving_a_draft_starts_work_on_open_and_sent_back_requests() {
        assert_eq!(
            RequestStatus::Open.after_draft_saved(),
            RequestStatus::InProgress
        );
        assert_eq!(
            RequestStatus::ChangesRequested.after_draft_saved(),
            RequestStatus::InProgress
        );
        assert_eq!(
            RequestStatus::Submitted.after_draft_saved(),
            RequestStatus::Submitted
        );
        assert_eq!(
            RequestStatus::ChangesRequested.after_forwarded(),
            RequestStatus::ChangesRequested
        );
    }
}
