//! Running database work from async handlers: diesel is blocking, so each
//! call moves to actix's blocking thread pool and its error becomes an
//! [`ApiError`].

use actix_web::web;
use tierlink_persistence::{Database, DbConnection, StoreError};

use crate::problem::ApiError;

/// Runs `f` (reads, outside a transaction) on the blocking pool.
pub async fn read<T, F>(db: &Database, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
{
    on_blocking_pool(db, move |db| db.read(f)).await
}

/// Runs `f` in one transaction on the blocking pool: all of it or none of it.
pub async fn write<T, F>(db: &Database, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
{
    on_blocking_pool(db, move |db| db.write(f)).await
}

/// Like [`write`], for transactions that change only sign-in sessions
/// (refresh tokens, a password's rehash): nothing the read cache holds
/// depends on them, so on SQLite they leave it warm
/// ([`Database::write_outside_cache`]).
pub async fn write_outside_cache<T, F>(db: &Database, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
{
    on_blocking_pool(db, move |db| db.write_outside_cache(f)).await
}

/// Runs one of the [`Database`] calls above on the blocking pool.
async fn on_blocking_pool<T, Op>(db: &Database, op: Op) -> Result<T, ApiError>
where
    T: Send + 'static,
    Op: FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
{
    let db = db.clone();
    web::block(move || op(&db))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}
