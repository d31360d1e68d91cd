//! Deadline reminders: which one a request still awaiting its answer is
//! owed on a given day (`request.due_soon` when its due date is near,
//! `request.overdue` once it has passed). Sending each at most once is the
//! store's job; this module only decides.

use chrono::NaiveDate;

use crate::events::EventType;

/// How many days before the due date the `request.due_soon` reminders go
/// out: by default a week before, and the day before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderPolicy {
    /// Distinct, largest first.
    leads: Vec<u32>,
}

impl Default for ReminderPolicy {
    fn default() -> Self {
        Self { leads: vec![7, 1] }
    }
}

impl ReminderPolicy {
    /// A policy with these lead times in days (order and repeats do not
    /// matter; none means no due-soon reminders, only overdue ones).
    pub fn new(mut leads: Vec<u32>) -> Self {
        leads.sort_unstable_by(|a, b| b.cmp(a));
        leads.dedup();
        Self { leads }
    }

    pub fn leads(&self) -> &[u32] {
        &self.leads
    }

    /// Each reminder with the due dates that are owed it on `today`: a
    /// request due within a lead time is owed the smallest lead it has
    /// reached (one due in two days gets the 7-day reminder, one due
    /// tomorrow the 1-day one, not both); a request past its due date is
    /// owed the overdue one.
    pub fn windows(&self, today: NaiveDate) -> Vec<(Reminder, DueWindow)> {
        let mut windows = vec![(
            Reminder::Overdue,
            DueWindow {
                from: None,
                to: today.pred_opt().unwrap_or(today),
            },
        )];
        for (index, lead) in self.leads.iter().enumerate() {
            let smaller = self.leads.get(index + 1);
            let from = match smaller {
                Some(smaller) => today + chrono::Days::new(u64::from(*smaller) + 1),
                None => today,
            };
            let to = today + chrono::Days::new(u64::from(*lead));
            windows.push((
                Reminder::DueSoon { lead: *lead },
                DueWindow {
                    from: Some(from),
                    to,
                },
            ));
        }
        windows
    }
}

/// Due dates from `from` (open when `None`) to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueWindow {
    pub from: Option<NaiveDate>,
    pub to: NaiveDate,
}

impl DueWindow {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= date) && date <= self.to
    }
}

/// One reminder a request can be owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    DueSoon { lead: u32 },
    Overdue,
}

impl Reminder {
    /// How the reminder is recorded as sent (`due_soon:7`, `overdue`).
    pub fn key(self) -> String {
        match self {
            Self::DueSoon { lead } => format!("due_soon:{lead}"),
            Self::Overdue => "overdue".to_owned(),
        }
    }

    pub fn event_type(self) -> EventType {
        match self {
            Self::DueSoon { .. } => EventType::RequestDueSoon,
            Self::Overdue => EventType::RequestOverdue,
        }
    }

    /// Whether the request's sender is told too (it is, once the answer is
    /// late; before that only the supplier needs reminding).
    pub fn tells_sender(self) -> bool {
        matches!(self, Self::Overdue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("a date")
    }

    fn owed(policy: &ReminderPolicy, today: NaiveDate, due: NaiveDate) -> Vec<Reminder> {
        policy
            .windows(today)
            .into_iter()
            .filter(|(_, window)| window.contains(due))
            .map(|(reminder, _)| reminder)
            .collect()
    }

    #[test]
    fn a_request_is_owed_the_nearest_reminder_it_has_reached_and_only_that() {
        let policy = ReminderPolicy::default();
        let today = day(10);
        assert_eq!(owed(&policy, today, day(20)), vec![]);
        assert_eq!(owed(&policy, today, day(18)), vec![]);
        assert_eq!(
            owed(&policy, today, day(17)),
            vec![Reminder::DueSoon { lead: 7 }]
        );
        assert_eq!(
            owed(&policy, today, day(12)),
            vec![Reminder::DueSoon { lead: 7 }]
        );
        assert_eq!(
            owed(&policy, today, day(11)),
            vec![Reminder::DueSoon { lead: 1 }]
        );
        assert_eq!(
            owed(&policy, today, day(10)),
            vec![Reminder::DueSoon { lead: 1 }]
        );
        assert_eq!(owed(&policy, today, day(9)), vec![Reminder::Overdue]);
        assert_eq!(owed(&policy, today, day(1)), vec![Reminder::Overdue]);
    }

    #[test]
    fn lead_times_are_sorted_and_deduplicated_and_may_be_none() {
        assert_eq!(ReminderPolicy::new(vec![1, 14, 7, 1]).leads(), &[14, 7, 1]);
        let none = ReminderPolicy::new(vec![]);
        assert_eq!(owed(&none, day(10), day(10)), vec![]);
        assert_eq!(owed(&none, day(10), day(9)), vec![Reminder::Overdue]);
    }

    #[test]
    fn keys_name_the_lead_time() {
        assert_eq!(Reminder::DueSoon { lead: 7 }.key(), "due_soon:7");
        assert_eq!(Reminder::Overdue.key(), "overdue");
        assert!(Reminder::Overdue.tells_sender());
        assert!(!Reminder::DueSoon { lead: 1 }.tells_sender());
    }
}
