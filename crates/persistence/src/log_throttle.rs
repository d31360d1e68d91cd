//! Warnings that can come many times a second — a failing disk under every
//! commit, a flood of refused sign-ins — written at most once per interval,
//! each with the count of those left out since the last one written, so a
//! fault shows in the log without burying it. (Here rather than in the API
//! crate because the checkpoint thread's warnings need it too.)

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One kind of warning's throttle, usually a `static` beside the warning.
#[derive(Debug)]
pub struct LogThrottle {
    interval: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    last_written: Option<Instant>,
    left_out: u64,
}

impl LogThrottle {
    pub const fn new(interval: Duration) -> Self {
        Self {
            interval,
            state: Mutex::new(State {
                last_written: None,
                left_out: 0,
            }),
        }
    }

    /// Whether to write this occurrence now: `Some(n)` to write it, noting
    /// `n` occurrences left out since the last one written; `None` to leave
    /// it out (it is counted).
    pub fn admit(&self) -> Option<u64> {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Option<u64> {
        // A poisoned lock only means a panic elsewhere while counting.
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match state.last_written {
            Some(last) if now.saturating_duration_since(last) < self.interval => {
                state.left_out += 1;
                None
            }
            _ => {
                state.last_written = Some(now);
                Some(std::mem::take(&mut state.left_out))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_once_per_interval_and_counts_what_it_left_out() {
        let throttle = LogThrottle::new(Duration::from_secs(10));
        let start = Instant::now();
        let at = |seconds| start + Duration::from_secs(seconds);
        assert_eq!(throttle.admit_at(at(0)), Some(0));
        assert_eq!(throttle.admit_at(at(1)), None);
        assert_eq!(throttle.admit_at(at(9)), None);
        assert_eq!(throttle.admit_at(at(10)), Some(2));
        assert_eq!(throttle.admit_at(at(11)), None);
        assert_eq!(throttle.admit_at(at(30)), Some(1));
        assert_eq!(throttle.admit_at(at(41)), Some(0));
    }
}
