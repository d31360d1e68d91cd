//! Running database work from async handlers: diesel is blocking, so each
//! call moves to actix's blocking thread pool and its error becomes an
//! [`ApiError`].

use actix_web::web;
use tierlink_persistence::{Database, StoreError};

use crate::problem::ApiError;

/// Runs `f` (reads, outside a transaction) on the blocking pool.
pub async fn read<T, F>(db: &Database, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut tierlink_persistence::DbConnection) -> Result<T, StoreError> + Send + 'static,
{
    let db = db.clone();
    web::block(move || db.read(f))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}

/// Runs `f` in one transaction on the blocking pool: all of it or none of it.
pub async fn write<T, F>(db: &Database, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut tierlink_persistence::DbConnection) -> Result<T, StoreError> + Send + 'static,
{
    let db = db.clone();
    web::block(move || db.write(f))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}

/// Like [`write`], for transactions that change only sign-in sessions
/// (refresh tokens, a password's rehash): nothing the read cache holds
/// depends on them, so on SQLite they leave it warm
/// ([`Database::write_outside_cache`]).
pub async fn write_outside_cache<T, F>(db: &Database, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut tierlink_persistence::DbConnection) -> Result<T, StoreError> + Send + 'static,
{
    let db = db.clone();
    web::block(move || db.write_outside_cache(f))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}
