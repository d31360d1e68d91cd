//! Running use cases from async handlers: diesel is blocking, so each call
//! moves to actix's blocking thread pool, and its error becomes an
//! [`ApiError`].

use std::time::{Duration, Instant};

use actix_web::web;
use tierlink_persistence::log_throttle::LogThrottle;
use tierlink_persistence::{Database, DbConnection, DieselError, StoreError};
use tierlink_usecases::Error;

use crate::problem::ApiError;

/// Runs `f` (reads, outside a transaction) on the blocking pool.
pub async fn read<T, F>(db: &Database, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
{
    on_blocking_pool(db, move |db| db.read(f))
        .await?
        .map_err(ApiError::from)
}

/// Runs `f`, several reads, on the blocking pool ([`Database::read_batch`]:
/// on SQLite in one read transaction).
pub async fn read_batch<T, F>(db: &Database, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
{
    on_blocking_pool(db, move |db| db.read_batch(f))
        .await?
        .map_err(ApiError::from)
}

/// Runs `f` in one transaction on the blocking pool: all of it or none of it.
pub async fn write<T, F>(db: &Database, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
{
    transaction(db, f).await?.map_err(ApiError::from)
}

/// [`write`] for a caller with an error of its own, which it gets back as
/// is (the inner result); the outer one is the blocking pool's.
pub async fn transaction<T, E, F>(db: &Database, f: F) -> Result<Result<T, E>, ApiError>
where
    T: Send + 'static,
    E: From<StoreError> + From<DieselError> + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
{
    on_blocking_pool(db, move |db| db.write(f)).await
}

/// Like [`write`], for transactions that change someone's standing (a
/// user's role or being disabled, a client's scopes or being revoked):
/// account states this process keeps are retired as it returns
/// ([`Database::write_accounts`]).
pub async fn write_accounts<T, F>(db: &Database, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
{
    on_blocking_pool(db, move |db| db.write_accounts(f))
        .await?
        .map_err(ApiError::from)
}

/// Runs one of the [`Database`] calls above on the blocking pool, within
/// [`Database::request_timeout`] in all: when the database is down, calls
/// queue for the pool's threads, and a request must still get its 503 in
/// time. A call whose time ran out while it queued does not start.
async fn on_blocking_pool<R, Op>(db: &Database, op: Op) -> Result<R, ApiError>
where
    R: Send + 'static,
    Op: FnOnce(&Database) -> R + Send + 'static,
{
    let deadline = Instant::now() + db.request_timeout();
    let db = db.clone();
    let request_id = crate::middleware::current_request_id();
    let call = web::block(move || {
        (Instant::now() < deadline)
            .then(|| tierlink_persistence::events::for_call(request_id, || op(&db)))
    });
    match tokio::time::timeout_at(deadline.into(), call).await {
        Ok(Ok(Some(result))) => Ok(result),
        Ok(Ok(None)) | Err(_) => {
            static GAVE_UP: LogThrottle = LogThrottle::new(Duration::from_secs(10));
            if let Some(left_out) = GAVE_UP.admit() {
                tracing::warn!(left_out, "the database did not answer in time");
            }
            Err(ApiError::Unavailable)
        }
        Ok(Err(error)) => Err(ApiError::internal(error)),
    }
}
