//! `tierlink-devtools outbox`: what the transactional outbox costs on its
//! own, for `bench/events.sh`. It records `answer.submitted` events for one
//! request exactly as a submission records its own (the same payload,
//! audience and actor, one event per transaction, through
//! `tierlink_persistence::events::record`, webhook fan-out included) from
//! several threads for a while, and reports events per second. Beside the
//! submissions per second of the same database and concurrency, it gives
//! the share of a submission's time that recording its event takes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tierlink_domain::events::EventType;
use tierlink_domain::ids::RequestId;
use tierlink_persistence::{Database, StoreError, requests};

/// Events recorded per second, and how many in all.
#[derive(Debug, Clone, Copy)]
pub struct OutboxRate {
    pub per_second: f64,
    pub events: u64,
}

/// Records events about `request` (acting as `actor`) from `threads`
/// threads for `duration`.
pub fn measure(
    db: &Database,
    request: RequestId,
    actor: &str,
    threads: usize,
    duration: Duration,
) -> Result<OutboxRate, String> {
    let request = db
        .read(|conn| requests::find_many(conn, &[request]))
        .map_err(|e: StoreError| e.to_string())?
        .pop()
        .ok_or("no such request")?;
    let event = tierlink_usecases::events::about_request(
        EventType::AnswerSubmitted,
        &request,
        request.requester_org_id,
        actor,
        json!({"revision": {"number": 1, "status": "submitted", "share_upstream": false}}),
    );
    let recorded = AtomicU64::new(0);
    let started = Instant::now();
    let failure = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    while started.elapsed() < duration {
                        db.write(|tx| {
                            tierlink_persistence::events::record(tx, std::slice::from_ref(&event))
                        })
                        .map_err(|e: StoreError| e.to_string())?;
                        recorded.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok::<(), String>(())
                })
            })
            .collect();
        workers.into_iter().find_map(|worker| match worker.join() {
            Ok(Ok(())) => None,
            Ok(Err(error)) => Some(error),
            Err(_) => Some("a worker panicked".to_owned()),
        })
    });
    if let Some(error) = failure {
        return Err(error);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let events = recorded.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)]
    let per_second = events as f64 / elapsed;
    Ok(OutboxRate { per_second, events })
}
