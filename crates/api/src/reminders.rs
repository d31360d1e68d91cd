//! The reminder scheduler: one per server process. Each round sends the
//! deadline reminders owed today, in batches, each batch one transaction
//! (see `tierlink_usecases::reminders`); replicas running it side by side
//! send every reminder once.

use std::time::Duration;

use tierlink_persistence::Database;
use tierlink_persistence::log_throttle::LogThrottle;
use tierlink_usecases::reminders::send_owed;

use crate::config::ReminderSettings;
use crate::db;

/// Requests reminded per transaction.
const BATCH: usize = 100;

/// Runs the scheduler until the process ends.
pub async fn run(db: Database, settings: ReminderSettings) {
    let mut tick = tokio::time::interval(settings.poll_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        loop {
            let policy = settings.policy.clone();
            let today = tierlink_domain::time::now().date_naive();
            match db::write(&db, move |tx| send_owed(tx, &policy, today, BATCH)).await {
                Ok(sent) => {
                    if sent > 0 {
                        tracing::info!(sent, "deadline reminders sent");
                    }
                    if sent < BATCH {
                        break;
                    }
                }
                Err(error) => {
                    static FAILED: LogThrottle = LogThrottle::new(Duration::from_secs(60));
                    if let Some(left_out) = FAILED.admit() {
                        tracing::warn!(?error, left_out, "could not send deadline reminders");
                    }
                    break;
                }
            }
        }
    }
}
