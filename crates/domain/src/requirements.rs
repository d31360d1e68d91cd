//! Reporting requirements: what a requester asks of its suppliers, for
//! which period, by when; their lifecycle; and the requests they create.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{FieldError, Rejection, ValidationErrors};
use crate::ids::{OrgId, RequirementId};
use crate::requests::Stale;

/// The period a requirement covers: `start` to `end`, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportingPeriod {
    start: NaiveDate,
    end: NaiveDate,
}

impl ReportingPeriod {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, FieldError> {
        if end < start {
            return Err(FieldError::new(
                "period.end",
                "before_start",
                format!("the period ends ({end}) before it starts ({start})"),
            ));
        }
        Ok(Self { start, end })
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }
}

/// Checks a due date against the period and today: not before the period
/// starts, not in the past.
pub fn check_due_date(
    due: NaiveDate,
    period: &ReportingPeriod,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError> {
    if due < period.start() {
        return Err(FieldError::new(
            "due_date",
            "before_period",
            format!(
                "the due date {due} is before the period starts ({})",
                period.start()
            ),
        ));
    }
    if due < today {
        return Err(FieldError::new(
            "due_date",
            "in_the_past",
            format!("the due date {due} is in the past"),
        ));
    }
    Ok(due)
}

/// How far down the chain a requirement may travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CascadeDepth(u8);

impl CascadeDepth {
    pub const MAX: u8 = 2;

    pub fn parse(value: i64) -> Result<Self, FieldError> {
        match u8::try_from(value) {
            Ok(depth @ 1..=Self::MAX) => Ok(Self(depth)),
            _ => Err(FieldError::new(
                "cascade_depth",
                "out_of_range",
                "cascade_depth is 1 (tier-1 only) or 2 (tier-1s may forward to their suppliers)",
            )),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// Whether a request at `depth` (1 = tier-1) may be forwarded one tier further.
    pub fn allows_forwarding_from(self, depth: u8) -> bool {
        depth < self.0
    }
}

/// Where a requirement's lifecycle stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequirementStatus {
    Draft,
    Published,
    Closed,
    Cancelled,
}

/// What can be done to a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequirementAction {
    Edit,
    Publish,
    Amend,
    Close,
    Cancel,
}

impl RequirementAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Edit => "edit",
            Self::Publish => "publish",
            Self::Amend => "amend",
            Self::Close => "close",
            Self::Cancel => "cancel",
        }
    }
}

/// An action the current status does not allow; lists what it does allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: RequirementStatus,
    pub action: RequirementAction,
    pub allowed: Vec<RequirementAction>,
}

impl fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed: Vec<&str> = self.allowed.iter().map(|a| a.as_str()).collect();
        write!(
            f,
            "a {} requirement cannot be {}; allowed: {}",
            self.from.as_str(),
            match self.action {
                RequirementAction::Edit => "edited",
                RequirementAction::Publish => "published",
                RequirementAction::Amend => "amended",
                RequirementAction::Close => "closed",
                RequirementAction::Cancel => "cancelled",
            },
            if allowed.is_empty() {
                "nothing (it is final)".to_owned()
            } else {
                allowed.join(", ")
            }
        )
    }
}

impl RequirementStatus {
    pub const ALL: [Self; 4] = [Self::Draft, Self::Published, Self::Closed, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == input)
    }

    /// The actions this status allows.
    pub fn allowed_actions(self) -> Vec<RequirementAction> {
        use RequirementAction as A;
        match self {
            Self::Draft => vec![A::Edit, A::Publish, A::Cancel],
            Self::Published => vec![A::Amend, A::Close, A::Cancel],
            Self::Closed | Self::Cancelled => Vec::new(),
        }
    }

    /// The status after `action`, or why it is not allowed.
    pub fn apply(self, action: RequirementAction) -> Result<Self, IllegalTransition> {
        if !self.allowed_actions().contains(&action) {
            return Err(IllegalTransition {
                from: self,
                action,
                allowed: self.allowed_actions(),
            });
        }
        Ok(match action {
            RequirementAction::Edit | RequirementAction::Amend => self,
            RequirementAction::Publish => Self::Published,
            RequirementAction::Close => Self::Closed,
            RequirementAction::Cancel => Self::Cancelled,
        })
    }
}

/// One item of a requirement as a client sent it.
#[derive(Debug, Clone)]
pub struct ItemInput<'a> {
    pub metric: &'a str,
    pub required: bool,
    pub guidance: Option<&'a str>,
    pub estimates_accepted: bool,
    /// For a product footprint item: the customer's part numbers it asks
    /// about (none: every product sold to the customer).
    pub part_numbers: Vec<&'a str>,
}

/// A validated item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementItem {
    pub metric: String,
    pub required: bool,
    pub guidance: Option<String>,
    pub estimates_accepted: bool,
    /// The customer's part numbers a footprint item asks about; empty:
    /// every product the supplier sells the customer.
    pub part_numbers: Vec<String>,
}

/// Who a requirement goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every supplier with an active link at publication.
    AllActiveSuppliers,
    /// These direct suppliers.
    Chosen(Vec<OrgId>),
}

/// The most part numbers one footprint item may list.
pub const MAX_PART_NUMBERS: usize = 1_000;

/// The part numbers of item `index`: only a product footprint item lists
/// them; each is a product code (letters, digits, `. _ - /`), once.
fn check_part_numbers(
    index: usize,
    item: &ItemInput<'_>,
    errors: &mut ValidationErrors,
) -> Vec<String> {
    let field = format!("items[{index}].part_numbers");
    if item.part_numbers.is_empty() {
        return Vec::new();
    }
    if item.metric != crate::metrics::PRODUCT_FOOTPRINTS {
        errors.push(FieldError::new(
            field,
            "not_allowed",
            format!(
                "only a `{}` item lists part numbers",
                crate::metrics::PRODUCT_FOOTPRINTS
            ),
        ));
        return Vec::new();
    }
    if item.part_numbers.len() > MAX_PART_NUMBERS {
        errors.push(FieldError::new(
            field,
            "too_many",
            format!("at most {MAX_PART_NUMBERS} part numbers"),
        ));
        return Vec::new();
    }
    let mut kept: Vec<String> = Vec::new();
    for (position, part) in item.part_numbers.iter().enumerate() {
        let at = format!("{field}[{position}]");
        match crate::products::check_code(&at, part) {
            Err(error) => errors.push(error),
            Ok(part) if kept.contains(&part) => errors.push(FieldError::new(
                at,
                "duplicate",
                format!("`{part}` is listed twice"),
            )),
            Ok(part) => kept.push(part),
        }
    }
    kept
}

/// The editable content of a requirement, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementContent {
    pub title: String,
    pub description: String,
    pub period: ReportingPeriod,
    pub due_date: NaiveDate,
    pub items: Vec<RequirementItem>,
    pub audience: Audience,
    pub cascade_depth: CascadeDepth,
}

/// A requirement's content as a client sent it.
#[derive(Debug, Clone)]
pub struct ContentInput<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub due_date: NaiveDate,
    pub items: Vec<ItemInput<'a>>,
    pub audience_all: bool,
    pub audience: Vec<OrgId>,
    pub cascade_depth: i64,
}

impl RequirementContent {
    pub const MAX_ITEMS: usize = 200;

    /// Validates everything but whether the metrics and suppliers exist
    /// (`metric_exists` answers the former; the caller checks the latter).
    pub fn parse(
        input: &ContentInput<'_>,
        today: NaiveDate,
        metric_exists: impl Fn(&str) -> bool,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let title = input.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            errors.push(FieldError::new(
                "title",
                "invalid_title",
                "a title is 1 to 200 characters",
            ));
        }
        if input.description.chars().count() > 10_000 {
            errors.push(FieldError::new(
                "description",
                "too_long",
                "the description is at most 10000 characters",
            ));
        }
        let period = errors.collect(ReportingPeriod::new(input.period_start, input.period_end));
        if let Some(period) = &period {
            errors.collect(check_due_date(input.due_date, period, today));
        }
        if input.items.is_empty() || input.items.len() > Self::MAX_ITEMS {
            errors.push(FieldError::new(
                "items",
                "invalid_count",
                format!("1 to {} items", Self::MAX_ITEMS),
            ));
        }
        let mut items: Vec<RequirementItem> = Vec::with_capacity(input.items.len());
        for (index, item) in input.items.iter().enumerate() {
            let field = format!("items[{index}].metric");
            if !metric_exists(item.metric) {
                errors.push(FieldError::new(
                    field,
                    "unknown_metric",
                    format!(
                        "no metric `{}` in the catalogue or your custom metrics",
                        item.metric
                    ),
                ));
                continue;
            }
            if items.iter().any(|known| known.metric == item.metric) {
                errors.push(FieldError::new(
                    field,
                    "duplicate",
                    format!("the metric `{}` is listed twice", item.metric),
                ));
                continue;
            }
            if let Some(guidance) = item.guidance {
                errors.collect(FieldError::check_max_chars(
                    format!("items[{index}].guidance"),
                    guidance,
                    GUIDANCE_MAX_CHARS,
                ));
            }
            let part_numbers = check_part_numbers(index, item, &mut errors);
            items.push(RequirementItem {
                metric: item.metric.to_owned(),
                required: item.required,
                guidance: item
                    .guidance
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(str::to_owned),
                estimates_accepted: item.estimates_accepted,
                part_numbers,
            });
        }
        let audience = match (input.audience_all, input.audience.is_empty()) {
            (true, true) => Some(Audience::AllActiveSuppliers),
            (false, false) => {
                let mut chosen: Vec<OrgId> = Vec::new();
                for (index, supplier) in input.audience.iter().enumerate() {
                    if chosen.contains(supplier) {
                        errors.push(FieldError::new(
                            format!("audience.suppliers[{index}]"),
                            "duplicate",
                            "listed twice",
                        ));
                    } else {
                        chosen.push(*supplier);
                    }
                }
                Some(Audience::Chosen(chosen))
            }
            (true, false) => {
                errors.push(FieldError::new(
                    "audience",
                    "ambiguous",
                    "either all active suppliers, or a list of suppliers, not both",
                ));
                None
            }
            (false, true) => {
                errors.push(FieldError::new(
                    "audience.suppliers",
                    "required",
                    "choose at least one supplier, or all active suppliers",
                ));
                None
            }
        };
        let cascade_depth = errors.collect(CascadeDepth::parse(input.cascade_depth));
        match (period, audience, cascade_depth) {
            (Some(period), Some(audience), Some(cascade_depth)) if errors.is_empty() => Ok(Self {
                title: title.to_owned(),
                description: input.description.trim().to_owned(),
                period,
                due_date: input.due_date,
                items,
                audience,
                cascade_depth,
            }),
            _ => Err(errors),
        }
    }

    /// The fields that differ from `before`, by name: what an amendment changed.
    pub fn changes_from(&self, before: &Self) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if self.title != before.title {
            changed.push("title");
        }
        if self.description != before.description {
            changed.push("description");
        }
        if self.period != before.period {
            changed.push("period");
        }
        if self.due_date != before.due_date {
            changed.push("due_date");
        }
        if self.items != before.items {
            changed.push("items");
        }
        if self.audience != before.audience {
            changed.push("audience");
        }
        if self.cascade_depth != before.cascade_depth {
            changed.push("cascade_depth");
        }
        changed
    }
}

/// A requirement as its requester sees it.
#[derive(Debug, Clone)]
pub struct Requirement {
    pub id: RequirementId,
    pub org_id: OrgId,
    pub content: RequirementContent,
    pub status: RequirementStatus,
    /// 1, then one more with each amendment.
    pub version: i32,
    /// Moves with every change (its `ETag`).
    pub revision: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// Why a requirement refuses an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The caller's `If-Match` revision is not the current one.
    Stale(Stale),
    /// The action is not allowed in the current status.
    Illegal(Rejection),
}

impl Requirement {
    /// Checks the caller's `If-Match` revision and that `action` is allowed
    /// now; returns the status after it.
    pub fn check_action(
        &self,
        action: RequirementAction,
        expected: Option<i32>,
    ) -> Result<RequirementStatus, Refusal> {
        if let Some(expected) = expected
            && expected != self.revision
        {
            return Err(Refusal::Stale(Stale {
                current: self.revision,
            }));
        }
        self.status.apply(action).map_err(|illegal| {
            Refusal::Illegal(Rejection::new("illegal_transition", illegal.to_string()))
        })
    }

    /// What an amendment to `content` changes: title, description, due
    /// date and items may; period, audience and cascade depth may not, and
    /// an amendment must change something.
    pub fn amendment_changes(
        &self,
        content: &RequirementContent,
    ) -> Result<Vec<&'static str>, FieldError> {
        let changes = content.changes_from(&self.content);
        for fixed in ["period", "audience", "cascade_depth"] {
            if changes.contains(&fixed) {
                return Err(FieldError::new(
                    fixed,
                    "not_amendable",
                    format!(
                        "{fixed} cannot change after publication; cancel and publish a new requirement"
                    ),
                ));
            }
        }
        if changes.is_empty() {
            return Err(FieldError::new(
                "",
                "no_changes",
                "the amendment changes nothing",
            ));
        }
        Ok(changes)
    }
}

/// The longest guidance on how to answer an item or a custom metric.
pub const GUIDANCE_MAX_CHARS: usize = 2_000;

/// The longest note explaining an amendment to suppliers.
pub const NOTE_MAX_CHARS: usize = 2_000;

/// What an amendment recorded.
#[derive(Debug, Clone)]
pub struct Version {
    pub version: i32,
    pub changes: Vec<String>,
    pub note: String,
    pub amended_by: String,
    pub amended_at: DateTime<Utc>,
}

/// A published requirement reaches at least one supplier.
pub fn check_audience_reached(suppliers: usize) -> Result<(), Rejection> {
    if suppliers > 0 {
        return Ok(());
    }
    Err(Rejection::new(
        "no_audience",
        "there is no active supplier to send this requirement to",
    )
    .on("audience"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    fn input<'a>(items: Vec<ItemInput<'a>>) -> ContentInput<'a> {
        ContentInput {
            title: "FY2026 carbon data",
            description: "",
            period_start: date("2026-01-01"),
            period_end: date("2026-12-31"),
            due_date: date("2027-02-28"),
            items,
            audience_all: true,
            audience: Vec::new(),
            cascade_depth: 2,
        }
    }

    fn item(metric: &str) -> ItemInput<'_> {
        ItemInput {
            metric,
            required: true,
            guidance: None,
            estimates_accepted: false,
            part_numbers: Vec::new(),
        }
    }

    #[test]
    fn lifecycle_allows_only_its_transitions() {
        use RequirementAction as A;
        use RequirementStatus as S;
        assert_eq!(S::Draft.apply(A::Publish), Ok(S::Published));
        assert_eq!(S::Published.apply(A::Close), Ok(S::Closed));
        assert_eq!(S::Draft.apply(A::Cancel), Ok(S::Cancelled));
        assert_eq!(S::Published.apply(A::Amend), Ok(S::Published));
        let illegal = S::Published.apply(A::Edit).expect_err("illegal");
        assert_eq!(illegal.allowed, vec![A::Amend, A::Close, A::Cancel]);
        assert!(illegal.to_string().contains("amend, close, cancel"));
        assert!(S::Closed.apply(A::Publish).is_err() && S::Cancelled.apply(A::Close).is_err());
        assert!(S::Draft.apply(A::Close).is_err() && S::Draft.apply(A::Amend).is_err());
    }

    #[test]
    fn content_is_validated_with_field_paths() {
        let today = date("2026-11-26");
        let ok = RequirementContent::parse(&input(vec![item("ghg.scope1")]), today, |m| {
            m == "ghg.scope1"
        });
        assert!(ok.is_ok());

        let mut bad = input(vec![item("ghg.scope1"), item("nope"), item("ghg.scope1")]);
        bad.period_end = date("2025-12-31");
        bad.cascade_depth = 3;
        let errors =
            RequirementContent::parse(&bad, today, |m| m == "ghg.scope1").expect_err("invalid");
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "period.end",
                "items[1].metric",
                "items[2].metric",
                "cascade_depth"
            ]
        );
    }

    #[test]
    fn due_dates_must_follow_the_period_start_and_today() {
        let period = ReportingPeriod::new(date("2026-01-01"), date("2026-12-31")).expect("period");
        assert_eq!(
            check_due_date(date("2025-12-31"), &period, date("2025-06-01"))
                .err()
                .map(|e| e.code),
            Some("before_period")
        );
        assert_eq!(
            check_due_date(date("2026-03-01"), &period, date("2026-11-26"))
                .err()
                .map(|e| e.code),
            Some("in_the_past")
        );
        assert!(check_due_date(date("2027-01-31"), &period, date("2026-11-26")).is_ok());
    }

    #[test]
    fn cascade_depth_limits_forwarding() {
        let one = CascadeDepth::parse(1).expect("1");
        let two = CascadeDepth::parse(2).expect("2");
        assert!(!one.allows_forwarding_from(1));
        assert!(two.allows_forwarding_from(1));
        assert!(!two.allows_forwarding_from(2));
        assert!(CascadeDepth::parse(0).is_err());
    }

    #[test]
    fn amendments_name_what_changed() {
        let today = date("2026-11-26");
        let before =
            RequirementContent::parse(&input(vec![item("a")]), today, |_| true).expect("valid");
        let mut changed = input(vec![item("a"), item("b")]);
        changed.due_date = date("2027-03-31");
        let after = RequirementContent::parse(&changed, today, |_| true).expect("valid");
        assert_eq!(after.changes_from(&before), ["due_date", "items"]);
    }
}
