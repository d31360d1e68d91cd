//! Start-up refuses bad database settings with a clear error, and never
//! falls back to creating a SQLite file.

use tierlink_api::{Application, Settings};
use tierlink_persistence::DatabaseUrl;

#[tokio::test]
async fn an_unreachable_postgres_server_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let before: Vec<_> = std::fs::read_dir(dir.path()).expect("readable").collect();
    let settings = Settings {
        bind: "127.0.0.1:0".to_owned(),
        database_url: DatabaseUrl::parse(
            "postgres://tierlink:secret-password@127.0.0.1:1/tierlink",
        )
        .expect("valid"),
        ..Settings::default()
    };
    let error = Application::build(&settings)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        error.contains("cannot open the database at postgres://tierlink:***@127.0.0.1:1/tierlink"),
        "{error}"
    );
    assert!(
        !error.contains("secret-password"),
        "the password is hidden: {error}"
    );
    assert!(
        !std::path::Path::new("tierlink").exists(),
        "no SQLite file named after the URL"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("readable").count(),
        before.len()
    );
}

#[tokio::test]
async fn a_missing_postgres_database_is_a_clear_error() {
    let Ok(admin_url) = std::env::var(tierlink_tests::TEST_DATABASE_URL) else {
        eprintln!("skipped: needs PostgreSQL (set TIERLINK_TEST_DATABASE_URL)");
        return;
    };
    let url = tierlink_tests::with_database_name(&admin_url, "tierlink_no_such_database");
    let settings = Settings {
        bind: "127.0.0.1:0".to_owned(),
        database_url: DatabaseUrl::parse(&url).expect("valid"),
        ..Settings::default()
    };
    let error = Application::build(&settings)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        error.contains("tierlink_no_such_database") && error.contains("does not exist"),
        "{error}"
    );
}

#[test]
fn unknown_schemes_are_refused_before_connecting() {
    let error = DatabaseUrl::parse("mysql://root@127.0.0.1/tierlink")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(error.contains("unsupported scheme `mysql`"), "{error}");
}
