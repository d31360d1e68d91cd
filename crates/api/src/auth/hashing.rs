//! A few dedicated threads for argon2, the only CPU- and memory-heavy work
//! of the API. Their number bounds how many hashes run at once (so logins
//! cannot starve reads of CPU), and only these threads keep argon2's
//! 19 MiB working memory, one block each, reused from hash to hash
//! (`password::keep_working_memory`): on the shared blocking pool every
//! thread that once hashed kept its own copy (+170 MiB resident under
//! continuous logins, in an earlier round of bench/RESULTS.md).
//! On Linux they run in the idle scheduling class (`SCHED_IDLE`): they get
//! the CPU time nothing else wants, and a woken HTTP worker (or, on one
//! machine, a PostgreSQL backend) takes the core from them at once. When
//! reads leave no time spare, sign-ins wait, and beyond the queue are
//! refused; reads keep their throughput (bench/RESULTS.md: +30–66 %
//! while 8 clients sign in, against the normal class).
//! The queue in front of them is bounded ([`QUEUED_PER_THREAD`]): a flood of
//! sign-ins is answered 503 `password_hashing_busy` at once instead of
//! piling up requests (and their bodies) that would wait for seconds. A
//! handler that counts a sign-in attempt first takes its [`Place`] in the
//! queue, so a refused request counts as no attempt.
//! Sign-ups, which anyone may send, hold at most a small share of the
//! queue ([`SIGN_UP_SHARE`], [`HashingThreads::reserve_sign_up`]): a flood
//! of them is refused on its own while sign-ins and the hashes of signed-in
//! people always find room.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tierlink_persistence::log_throttle::LogThrottle;

use crate::problem::ApiError;

type Job = Box<dyn FnOnce() + Send>;

/// How many hashes may wait per hashing thread. A hash takes 14 ms on an
/// idle core and up to 150 ms when reads take the CPU
/// (bench/RESULTS.md), so the last one queued waits from half a second to
/// about five.
pub const QUEUED_PER_THREAD: usize = 32;

/// The part of the queue sign-ups may hold at once: one place in eight
/// (at least one).
pub const SIGN_UP_SHARE: usize = 8;

/// Runs hashing jobs on its own threads, first come, first served.
#[derive(Debug)]
pub struct HashingThreads {
    jobs: Mutex<mpsc::SyncSender<Job>>,
    threads: usize,
    /// Places taken and not yet given back (a job gives its place back as
    /// a thread takes it off the queue); never more than `capacity`, the
    /// queue's size, so a job with a place always fits.
    taken: Arc<AtomicUsize>,
    capacity: usize,
    /// Places held by sign-ups (counted in `taken` too), at most
    /// `sign_up_capacity`.
    sign_ups: Arc<AtomicUsize>,
    sign_up_capacity: usize,
}

/// A place in the hashing queue, taken before the work that leads to a
/// hash; given back when a thread starts the job, or when dropped unused.
#[derive(Debug)]
pub struct Place {
    taken: Arc<AtomicUsize>,
    /// The share's counter too, for a sign-up's place.
    share: Option<Arc<AtomicUsize>>,
}

impl Drop for Place {
    fn drop(&mut self) {
        self.taken.fetch_sub(1, Ordering::AcqRel);
        if let Some(share) = &self.share {
            share.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// Takes one of `capacity` places counted by `counter`, if one is free.
fn take(counter: &AtomicUsize, capacity: usize) -> bool {
    counter
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |taken| {
            (taken < capacity).then_some(taken + 1)
        })
        .is_ok()
}

/// 503 `password_hashing_busy` for a full queue (or share) of `places`;
/// `why` is logged at most once per interval of `log`.
fn busy(log: &LogThrottle, places: usize, why: &str) -> ApiError {
    if let Some(left_out) = log.admit() {
        tracing::warn!(places, left_out, "{why}");
    }
    ApiError::PasswordHashingBusy
}

/// Where the idle class is refused, how much lower than the HTTP workers
/// the hashing threads run instead (a nice value: the lowest).
#[cfg(target_os = "linux")]
const FALLBACK_NICENESS: i32 = 19;

/// Makes the calling thread yield to everything else: under load a login
/// waits longer, and reads keep their latency. (On Linux both the policy
/// and the nice value belong to the thread.) Failing to do so only costs
/// that benefit.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    if let Err(error) = idle_class() {
        tracing::warn!(%error, "could not put a hashing thread in the idle scheduling class; lowering its priority instead");
        if let Err(error) = rustix::process::setpriority_process(None, FALLBACK_NICENESS) {
            tracing::warn!(%error, "could not lower the priority of a hashing thread");
        }
    }
}

/// Puts the calling thread in the idle scheduling class (`SCHED_IDLE`,
/// which needs no privilege for one's own thread). rustix has no wrapper,
/// hence libc; `pthread_setschedparam` rather than `sched_setscheduler`,
/// which musl leaves unimplemented.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn idle_class() -> std::io::Result<()> {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: `pthread_self()` is the calling, live thread; `param` is an
    // initialised `sched_param` that outlives the call, which only reads it.
    let error =
        unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_IDLE, &param) };
    if error == 0 {
        Ok(())
    } else {
        // pthread functions return the error number rather than set errno.
        Err(std::io::Error::from_raw_os_error(error))
    }
}

impl HashingThreads {
    /// Starts `threads` (at least one) threads, with room for `queued` (at
    /// least one) hashes waiting per thread; they end when this is dropped.
    pub fn start(threads: usize, queued: usize) -> std::io::Result<Self> {
        let threads = threads.max(1);
        let capacity = threads * queued.max(1);
        let (sender, receiver) = mpsc::sync_channel::<Job>(capacity);
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
            taken: Arc::new(AtomicUsize::new(0)),
            capacity,
            sign_ups: Arc::new(AtomicUsize::new(0)),
            sign_up_capacity: (capacity / SIGN_UP_SHARE).max(1),
        })
    }

    /// How many hashes can run at once.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Takes a place in the queue; 503 `password_hashing_busy` when every
    /// place is taken.
    pub fn reserve(&self) -> Result<Place, ApiError> {
        if !take(&self.taken, self.capacity) {
            static FULL: LogThrottle = LogThrottle::new(crate::problem::WARNING_INTERVAL);
            return Err(busy(
                &FULL,
                self.capacity,
                "the password hashing queue is full: refusing sign-ins and new passwords (503)",
            ));
        }
        Ok(Place {
            taken: Arc::clone(&self.taken),
            share: None,
        })
    }

    /// Takes a place for a sign-up: within the sign-ups' share of the
    /// queue ([`SIGN_UP_SHARE`]); 503 `password_hashing_busy` when the
    /// share or the queue is full.
    pub fn reserve_sign_up(&self) -> Result<Place, ApiError> {
        if !take(&self.sign_ups, self.sign_up_capacity) {
            static FULL: LogThrottle = LogThrottle::new(crate::problem::WARNING_INTERVAL);
            return Err(busy(
                &FULL,
                self.sign_up_capacity,
                "the sign-ups' share of the password hashing queue is full: refusing sign-ups (503)",
            ));
        }
        match self.reserve() {
            Ok(mut place) => {
                place.share = Some(Arc::clone(&self.sign_ups));
                Ok(place)
            }
            Err(error) => {
                self.sign_ups.fetch_sub(1, Ordering::AcqRel);
                Err(error)
            }
        }
    }

    /// Runs `work` on a hashing thread and waits for its result; 503
    /// `password_hashing_busy` at once when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let place = self.reserve()?;
        self.run_in(place, work).await
    }

    /// Runs `work` in the place taken earlier with [`Self::reserve`].
    pub async fn run_in<T: Send + 'static>(
        &self,
        place: Place,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        self.queue(place, work)?
            .await
            .map_err(|_| ApiError::internal("a hashing job was dropped"))
    }

    /// Puts `work` in the queue without waiting: its result comes on the
    /// receiver.
    fn queue<T: Send + 'static>(
        &self,
        place: Place,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<tokio::sync::oneshot::Receiver<T>, ApiError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // Off the queue: the place is free for the next request.
            drop(place);
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
                // Not with a place taken; kept for safety.
                mpsc::TrySendError::Full(_) => ApiError::PasswordHashingBusy,
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

    /// The scheduling policy of the calling thread, from field 41 of
    /// `/proc/thread-self/stat` (after the name in parentheses, fields
    /// count from 3).
    #[cfg(target_os = "linux")]
    fn policy_of_this_thread() -> Option<u32> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        let (_, fields) = stat.rsplit_once(") ")?;
        fields.split(' ').nth(41 - 3)?.parse().ok()
    }

    #[cfg(target_os = "linux")]
    #[actix_web::test]
    async fn jobs_run_in_the_idle_scheduling_class_and_the_caller_does_not() {
        // Where a sandbox refuses the idle class, the threads fall back to
        // nice 19 by design: nothing to check here then.
        let allowed = std::thread::spawn(|| idle_class().is_ok())
            .join()
            .expect("the probe thread ends");
        if !allowed {
            eprintln!("this environment refuses SCHED_IDLE; skipped");
            return;
        }
        let caller = policy_of_this_thread();
        let pool = HashingThreads::start(1, QUEUED_PER_THREAD).expect("threads start");
        let policy = pool.run(policy_of_this_thread).await.expect("a result");
        assert_eq!(policy, Some(libc::SCHED_IDLE as u32));
        assert_ne!(caller, policy);
        assert_eq!(policy_of_this_thread(), caller);
    }

    #[actix_web::test]
    async fn a_panicking_job_fails_alone_and_the_thread_carries_on() {
        let pool = HashingThreads::start(1, QUEUED_PER_THREAD).expect("threads start");
        let failed = pool.run(|| -> i32 { panic!("argon2 exploded") }).await;
        assert!(failed.is_err());
        assert_eq!(pool.run(|| 7).await.expect("the next job runs"), 7);
    }

    #[actix_web::test]
    async fn sign_ups_hold_at_most_their_share_and_leave_room_for_the_rest() {
        let pool = HashingThreads::start(1, 16).expect("threads start");
        let sign_ups: Vec<Place> = (0..16 / SIGN_UP_SHARE)
            .map(|_| pool.reserve_sign_up().expect("within the share"))
            .collect();
        assert!(matches!(
            pool.reserve_sign_up(),
            Err(ApiError::PasswordHashingBusy)
        ));
        let others: Vec<Place> = (0..16 - sign_ups.len())
            .map(|_| pool.reserve().expect("the rest of the queue is free"))
            .collect();
        assert!(pool.reserve().is_err(), "the queue is full");
        drop(others);
        assert!(
            pool.reserve_sign_up().is_err(),
            "the share is still held by the sign-ups"
        );
        drop(sign_ups);
        assert!(pool.reserve_sign_up().is_ok(), "given back when dropped");
    }

    #[actix_web::test]
    async fn a_full_queue_answers_503_at_once_and_the_queued_jobs_still_run() {
        use actix_web::ResponseError;

        let pool = HashingThreads::start(1, 2).expect("threads start");
        let (started, running) = mpsc::channel();
        let (release, hold) = mpsc::channel::<()>();
        let place = pool.reserve().expect("an empty queue has room");
        let busy = pool
            .queue(place, move || {
                let _ = started.send(());
                let _ = hold.recv();
                1
            })
            .expect("the first job is taken");
        running.recv().expect("the thread is busy with it");
        // The running job gave its place back: two more fit, the third not.
        let two = pool.reserve().expect("room for two");
        let three = pool.reserve().expect("room for two");
        let refused = pool.reserve().expect_err("the queue is full");
        assert!(
            matches!(refused, ApiError::PasswordHashingBusy),
            "{refused:?}"
        );
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
        assert_eq!(problem["code"], "password_hashing_busy", "{problem}");

        // A place dropped unused is given back.
        drop(three);
        let three = pool.reserve().expect("the dropped place is free again");
        let waiting = [
            pool.queue(two, || 2).expect("a place taken fits"),
            pool.queue(three, || 3).expect("a place taken fits"),
        ];
        release.send(()).expect("the job waits for it");
        assert_eq!(busy.await.expect("a result"), 1);
        let [two, three] = waiting;
        assert_eq!(two.await.expect("a result"), 2);
        assert_eq!(three.await.expect("a result"), 3);
        assert_eq!(pool.run(|| 5).await.expect("room again"), 5);
    }
}
