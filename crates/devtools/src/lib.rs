//! Tierlink's development tools: what benchmarks and demos need and a
//! production server must not carry. The `tierlink` binary does not link
//! this crate, so neither the seed nor its fixed password is in it.
//!
//! * [`seed`] writes the deterministic benchmark chain.
//! * [`outbox`] measures the transactional outbox alone (bench/events.sh).
//! * [`seed_database`] runs it on an empty database, every login with
//!   [`SEED_PASSWORD`] (what `tierlink-devtools seed` does).

pub mod outbox;
pub mod seed;

use tierlink_api::auth::password::PasswordHasher;
use tierlink_api::config::Settings;
use tierlink_domain::identity::Password;
use tierlink_persistence::{Database, StoreError};

use crate::seed::SeedPlan;

/// The password of every login `tierlink-devtools seed` creates.
pub const SEED_PASSWORD: &str = "bench password 123";

/// Fills an empty database with the benchmark chain (migrating it first);
/// returns a summary to print.
pub fn seed_database(
    settings: &Settings,
    plan: &SeedPlan,
    mut progress: impl FnMut(&str, usize, usize),
) -> Result<String, String> {
    let db = Database::open(&settings.database_url, settings.command_pool_options())
        .map_err(|e| e.to_string())?;
    db.migrate().map_err(|e| e.to_string())?;
    let password = Password::parse("password", SEED_PASSWORD).map_err(|e| e.to_string())?;
    let hash = PasswordHasher::new(settings.auth.argon2)?.hash(&password)?;
    let summary = db
        .write(|conn| {
            use diesel::RunQueryDsl as _;
            #[derive(diesel::QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let existing: Vec<Count> =
                diesel::sql_query("SELECT COUNT(*) AS n FROM organisations").load(conn)?;
            if existing.first().is_some_and(|c| c.n > 0) {
                return Err(StoreError::Rejected {
                    code: "not_empty",
                    field: None,
                    message: "the database already has organisations; seed an empty one".to_owned(),
                });
            }
            seed::seed(conn, plan, &hash, &mut progress)
        })
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "seeded {} organisations, {} requests, {} answers ({} rows)\nlogins (password `{SEED_PASSWORD}`): {}",
        summary.organisations,
        summary.requests,
        summary.answers,
        summary.rows,
        summary.logins.join(", ")
    ))
}
