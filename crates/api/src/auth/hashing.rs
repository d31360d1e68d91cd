//! A few dedicated threads for argon2, the only CPU- and memory-heavy work
//! of the API. Their number bounds how many hashes run at once (so logins
//! cannot starve reads of CPU), and only these threads keep argon2's
//! 19 MiB working memory, one block each, reused from hash to hash
//! (`password::keep_working_memory`): on the shared blocking pool every
//! thread that once hashed kept its own copy (bench/RESULTS.md: +170 MiB
//! resident under continuous logins).
//! They also run at a lower scheduling priority than the HTTP workers, so
//! that when logins and reads compete for the CPU, reads win.
//! The queue in front of them is bounded ([`QUEUED_PER_THREAD`]): a flood of
//! sign-ins is answered 503 `sign_ins_busy` at once instead of piling up
//! requests (and their bodies) that would wait for seconds.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use crate::problem::ApiError;

type Job = Box<dyn FnOnce() + Send>;

/// How many hashes may wait per hashing thread. A hash takes 14 ms on an
/// idle core and up to 150 ms when reads take the CPU
/// (bench/RESULTS.md), so the last one queued waits from half a second to
/// about five.
pub const QUEUED_PER_THREAD: usize = 32;

/// Runs hashing jobs on its own threads, first come, first served.
#[derive(Debug)]
pub struct HashingThreads {
    jobs: Mutex<mpsc::SyncSender<Job>>,
    threads: usize,
}

/// How much lower than the HTTP workers the hashing threads run (a nice
/// value): when both want the CPU, reads get about nine tenths of it.
#[cfg(target_os = "linux")]
const NICENESS: i32 = 10;

/// Makes the calling thread yield to the HTTP workers: under load a login
/// waits a little longer, and reads keep their latency. (On Linux the nice
/// value belongs to the thread.) Failing to do so only costs that benefit.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    if let Err(error) = rustix::process::setpriority_process(None, NICENESS) {
        tracing::warn!(%error, "could not lower the priority of a hashing thread");
    }
}

impl HashingThreads {
    /// Starts `threads` (at least one) threads, with room for `queued` (at
    /// least one) hashes waiting per thread; they end when this is dropped.
    pub fn start(threads: usize, queued: usize) -> std::io::Result<Self> {
        let threads = threads.max(1);
        let (sender, receiver) = mpsc::sync_channel::<Job>(threads * queued.max(1));
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    lower_priority();
                    super::password::keep_working_memory();
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => return,
                        };
                        match job {
                            // A panicking job fails its own request (its
                            // result channel is dropped), not the thread.
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                            }
                            Err(_) => return,
                        }
                    }
                })?;
        }
        Ok(Self {
            jobs: Mutex::new(sender),
            threads,
        })
    }

    /// How many hashes can run at once.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `work` on a hashing thread and waits for its result; 503
    /// `sign_ins_busy` at once when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        self.queue(work)?
            .await
            .map_err(|_| ApiError::internal("a hashing job was dropped"))
    }

    /// Puts `work` in the queue without waiting: its result comes on the
    /// receiver.
    fn queue<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<tokio::sync::oneshot::Receiver<T>, ApiError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // The caller has gone (client disconnected): skip the hash.
            if done.is_closed() {
                return;
            }
            let _ = done.send(work());
        });
        self.jobs
            .lock()
            .map_err(|_| ApiError::internal("the hashing queue is poisoned"))?
            .try_send(job)
            .map_err(|error| match error {
                mpsc::TrySendError::Full(_) => ApiError::SignInsBusy,
                mpsc::TrySendError::Disconnected(_) => {
                    ApiError::internal("the hashing threads have stopped")
                }
            })?;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn jobs_run_on_the_named_threads_and_return_their_results() {
        let pool = HashingThreads::start(2, QUEUED_PER_THREAD).expect("threads start");
        let name = pool
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .expect("a result");
        assert!(name.is_some_and(|n| n.starts_with("argon2-")));
        let sums = futures_util::future::join_all((0..8).map(|n| pool.run(move || n * 2))).await;
        let sums: Vec<i32> = sums.into_iter().map(|r| r.expect("a result")).collect();
        assert_eq!(sums, vec![0, 2, 4, 6, 8, 10, 12, 14]);
        assert_eq!(pool.threads(), 2);
    }

    #[actix_web::test]
    async fn a_panicking_job_fails_alone_and_the_thread_carries_on() {
        let pool = HashingThreads::start(1, QUEUED_PER_THREAD).expect("threads start");
        let failed = pool.run(|| -> i32 { panic!("argon2 exploded") }).await;
        assert!(failed.is_err());
        assert_eq!(pool.run(|| 7).await.expect("the next job runs"), 7);
    }

    #[actix_web::test]
    async fn a_full_queue_answers_503_at_once_and_the_queued_jobs_still_run() {
        use actix_web::ResponseError;

        let pool = HashingThreads::start(1, 2).expect("threads start");
        let (started, running) = mpsc::channel();
        let (release, hold) = mpsc::channel::<()>();
        let busy = pool
            .queue(move || {
                let _ = started.send(());
                let _ = hold.recv();
                1
            })
            .expect("the first job is taken");
        running.recv().expect("the thread is busy with it");
        let waiting = [
            pool.queue(|| 2).expect("room for two"),
            pool.queue(|| 3).expect("room for two"),
        ];
        let refused = pool.queue(|| 4).expect_err("the queue is full");
        assert!(matches!(refused, ApiError::SignInsBusy), "{refused:?}");
        let response = refused.error_response();
        assert_eq!(response.status().as_u16(), 503);
        assert_eq!(
            response.headers().get("retry-after").map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .expect("a body");
        let problem: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(problem["code"], "sign_ins_busy", "{problem}");

        release.send(()).expect("the job waits for it");
        assert_eq!(busy.await.expect("a result"), 1);
        let [two, three] = waiting;
        assert_eq!(two.await.expect("a result"), 2);
        assert_eq!(three.await.expect("a result"), 3);
        assert_eq!(pool.run(|| 5).await.expect("room again"), 5);
    }
}
