//! Deadline reminders: the scheduler's use case. Each round sends the
//! reminders requests are owed today (see `tierlink_domain::reminders`)
//! as `request.due_soon` events to the supplier and `request.overdue`
//! events to both parties, each at most once whichever replica runs it
//! (see `tierlink_persistence::reminders`).

use chrono::NaiveDate;
use serde_json::json;
use tierlink_domain::events::NewEvent;
use tierlink_domain::reminders::ReminderPolicy;
use tierlink_persistence::{DbConnection, reminders, requests};

use crate::error::Error;
use crate::events;

/// How reminders are recorded as acting: nobody's call made them.
pub const SYSTEM: &str = "system";

/// Sends up to `limit` reminders owed on `today`, in the caller's
/// transaction; returns how many requests were reminded (fewer than
/// `limit` when none are left).
pub fn send_owed(
    tx: &mut DbConnection,
    policy: &ReminderPolicy,
    today: NaiveDate,
    limit: usize,
) -> Result<usize, Error> {
    let mut sent = 0usize;
    let mut new: Vec<NewEvent> = Vec::new();
    for (reminder, window) in policy.windows(today) {
        let room = i64::try_from(limit - sent).unwrap_or(i64::MAX);
        if room == 0 {
            break;
        }
        let key = reminder.key();
        let owed = reminders::claim_owed(tx, &key, window, room)?;
        if owed.is_empty() {
            continue;
        }
        for request in requests::find_many(tx, &owed)? {
            if !reminders::mark_sent(tx, request.id, &key, request.due_date)? {
                continue;
            }
            let extra = json!({
                "reminder": {
                    "due_date": request.due_date,
                    "days_left": (request.due_date - today).num_days(),
                }
            });
            let mut audiences = vec![request.supplier_org_id];
            if reminder.tells_sender() {
                audiences.push(request.requester_org_id);
            }
            for audience in audiences {
                new.push(events::about_request(
                    reminder.event_type(),
                    &request,
                    audience,
                    SYSTEM,
                    extra.clone(),
                ));
            }
            sent += 1;
        }
    }
    events::record(tx, &new)?;
    Ok(sent)
}
